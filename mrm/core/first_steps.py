"""The "first steps" checklist on a new workspace; apps contribute steps as they arrive."""
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    url_name: str
    done: Callable  # (agency) -> bool
    # A policy action the step needs beyond opening its page (e.g. creating, not only listing).
    action: str | None = None

    def url(self) -> str:
        return reverse(self.url_name)

    def allowed_for(self, membership) -> bool:
        """Only members who may open the step's page (and do the step's own action, if any) see it."""
        from mrm.tenancy.permissions import view_policy_action
        from mrm.tenancy.policy import can

        page = view_policy_action(resolve(self.url()).func)
        return page is not None and can(membership, page) and (self.action is None or can(membership, self.action))


_STEPS: list[Step] = []


def register(step: Step) -> None:
    if all(s.key != step.key for s in _STEPS):
        _STEPS.append(step)


def steps_for(*, agency, membership) -> list[tuple[Step, bool]]:
    """The steps this member may do (by the role policy), each with whether it is done."""
    return [(step, bool(step.done(agency))) for step in _STEPS if step.allowed_for(membership)]


def _team_invited(agency) -> bool:
    from mrm.tenancy.models import Invitation, Membership

    return Membership.objects.filter(agency=agency).count() > 1 or Invitation.objects.filter(agency=agency).exists()


def _branded(agency) -> bool:
    return bool(agency.logo) or agency.brand_color.upper() != "#1F6FEB"


register(Step("brand", _("Add your logo and brand colours"),
              _("They appear on proposals, PDFs, reports and the client portal."), "tenancy:settings", _branded))
register(Step("team", _("Invite your team"),
              _("Account managers, project managers and specialists, each with their own role."), "tenancy:team",
              _team_invited))
