"""Bulk actions from the deal list: tick deals, assign an owner or move them to a stage, confirm; or export the
ticked deals. Only deals of the member's list are touched (see `views.bulk`)."""
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mrm.tenancy.permissions import member_required

from ..exports_deals import deal_export_csv
from ..forms_bulk import DealBulkForm
from ..models import Deal
from ..selectors.custom_fields import custom_field_defs
from ..selectors.deals import deal_list
from ..services import bulk as services
from .bulk import BulkAction, _selection, bulk_flow
from .deals import _next_url, _owner_users


def _visible_deals(request):
    return deal_list(agency=request.agency, membership=request.membership) \
        .select_related("client", "owner", "pipeline_stage__pipeline").order_by("-created_at", "pk")


def _summary(form: DealBulkForm, count: int) -> str:
    data = form.cleaned_data
    if data["action"] == DealBulkForm.Action.OWNER:
        return ngettext("%(count)d deal will be given to %(name)s.", "%(count)d deals will be given to %(name)s.",
                        count) % {"count": count, "name": data["owner"].full_name}
    return ngettext("%(count)d deal will move to “%(stage)s” (in its own pipeline).",
                    "%(count)d deals will move to “%(stage)s” (each in its own pipeline).", count) % {
        "count": count, "stage": Deal.Stage(data["stage"]).label}


def _apply(request):
    def apply(form: DealBulkForm, deals: list) -> int:
        data, args = form.cleaned_data, {"agency": request.agency, "actor": request.user, "deals": deals}
        if data["action"] == DealBulkForm.Action.OWNER:
            return services.deal_bulk_assign(**args, owner=data["owner"])
        return services.deal_bulk_move(**args, stage=data["stage"], lost_reason=data["lost_reason"])
    return apply


@require_POST
@member_required("deal.edit")
def deal_bulk_view(request):
    return bulk_flow(request, records_qs=_visible_deals(request), back=_next_url(request, reverse("clients:deal_list")),
                     action=BulkAction(
        kind="deals", action_url=reverse("clients:deal_bulk"),
        empty_message=_("Select at least one deal of your list."),
        form=DealBulkForm(request.POST, owners=_owner_users(request.agency)), summary=_summary,
        apply=_apply(request),
        done_message=lambda n: ngettext("%(count)d deal updated.", "%(count)d deals updated.", n) % {"count": n},
        partial_message=_("The others were already there, or their pipeline has no such stage.")))


@require_POST
@member_required("deal.view")
def deal_bulk_export_view(request):
    """The ticked deals as CSV (only those the member sees, whatever ids were sent)."""
    selection = _selection(request, _visible_deals(request))
    if selection is None:
        return redirect(_next_url(request, reverse("clients:deal_list")))
    deals, _skipped = selection
    return deal_export_csv(deals, custom=custom_field_defs(agency=request.agency, entity="deal"))
