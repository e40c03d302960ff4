"""What the proposals app adds to the workspace: a first step and a Today block."""
from django.utils.translation import gettext_lazy as _

from mrm.core.first_steps import Step, register
from mrm.core.url_makers import url_maker


def _has_rate_card(agency) -> bool:
    from .models import RateRole, Service

    return RateRole.objects.filter(agency=agency).exists() and Service.objects.filter(agency=agency).exists()


register(Step("rate_card", _("Set up your rate card"),
              _("Roles with hourly rates and the services you sell: every proposal is priced from them."),
              "proposals:catalog", _has_rate_card))


def proposals_today(request) -> dict:
    """Sent proposals waiting for an answer, with how often the client opened them (two queries)."""
    from django.db.models import Max, Sum

    from .models import Proposal
    from .selectors import proposal_list

    if request.membership is None or not request.membership.is_staff_member:
        return {"template": "proposals/today_block.html", "proposals": []}
    qs = proposal_list(agency=request.agency, membership=request.membership).filter(
        status=Proposal.Status.SENT).annotate(opens=Sum("recipients__open_count"),
                                             last_open=Max("recipients__last_opened_at")).order_by("-sent_at")
    if request.membership.role != "director":
        qs = qs.filter(owner=request.user)
    # Only the columns proposals/today_block.html shows.
    qs = qs.select_related(None).select_related("client").only("title", "total", "currency", "sent_at", "client__name")
    proposals, detail = list(qs[:6]), url_maker("proposals:detail")
    for proposal in proposals:
        proposal.detail_url = detail(proposal.pk)  # not a reverse() per row (issue 15)
    return {"template": "proposals/today_block.html", "proposals": proposals}


def _register_today() -> None:
    from mrm.core.views import TODAY_SECTIONS

    if proposals_today not in TODAY_SECTIONS:
        TODAY_SECTIONS.append(proposals_today)


_register_today()
