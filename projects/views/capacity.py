"""Capacity for the next eight weeks: who is overbooked, who is free; directors set weekly capacity here."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.htmx import htmx_invalid
from mrm.tenancy.models import STAFF_ROLES, Membership
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can
from proposals.models import RateRole

from ..forms_time import CapacityForm
from ..services.capacity import capacity_overview
from ..services.time import agency_today, member_capacity_set


def _capacity_context(request, *, errors=None):
    roles = list(RateRole.objects.filter(agency=request.agency, is_active=True).order_by("order", "name"))
    wanted = request.GET.get("role", "")
    role = next((r for r in roles if str(r.pk) == wanted), None)
    overview = capacity_overview(agency=request.agency, today=agency_today(request.agency),
                                 role_id=role.pk if role else None)
    state = request.GET.get("state", "")
    people = overview.people
    if state == "over":
        people = [p for p in people if p.overbooked_weeks]
    elif state == "free":
        people = [p for p in people if p.state == "free"]
    for person in people:
        person.error = (errors or {}).get(person.membership.uuid, "")
    return {"overview": overview, "people": people, "roles": roles, "role": role, "state": state,
            "can_edit": can(request.membership, "team.manage")}


@member_required("project.view")
def capacity_view(request):
    return render(request, "projects/capacity.html", _capacity_context(request))


@require_POST
@member_required("team.manage")
def member_capacity_view(request, membership_id):
    member = (Membership.objects.filter(agency=request.agency, uuid=membership_id, role__in=STAFF_ROLES)
              .select_related("user").first())
    if member is None:
        raise Http404
    form = CapacityForm(request.POST)
    error = None
    if form.is_valid():
        try:
            member_capacity_set(agency=request.agency, actor=request.user, member=member,
                                hours=form.cleaned_data["weekly_capacity_hours"])
        except ServiceError as exc:
            error = exc.message
    else:
        error = _("Capacity is between 0 and 80 hours a week.")
    if error:
        return htmx_invalid(request, "projects/capacity.html", _capacity_context(request, errors={member.uuid: error}))
    messages.success(request, _("Capacity of %(name)s saved.") % {"name": member.user.full_name or member.user.email})
    return redirect(reverse("projects:capacity") + (f"?{request.GET.urlencode()}" if request.GET else ""))
