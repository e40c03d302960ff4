"""Reads of time: entries on the projects a member sees, one entry, time off (own; directors everyone's)."""
from django.db.models import QuerySet
from django.http import Http404

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership, Role

from .models import TimeEntry, TimeOff
from .selectors import project_visibility_q


def time_entry_list(*, agency: Agency, membership: Membership) -> QuerySet[TimeEntry]:
    """Entries on the projects the member sees (everyone's time on them)."""
    refuse_client(membership)
    return (TimeEntry.objects.filter(agency=agency)
            .filter(project_visibility_q(membership=membership, prefix="project__"))
            .select_related("project", "task", "user", "role"))


def time_entry_get(*, agency: Agency, membership: Membership, entry_id) -> TimeEntry:
    refuse_client(membership)
    entry = time_entry_list(agency=agency, membership=membership).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


def time_off_list(*, agency: Agency, membership: Membership) -> QuerySet[TimeOff]:
    """A director sees everyone's time off, anyone else their own."""
    refuse_client(membership)
    qs = TimeOff.objects.filter(agency=agency).select_related("user")
    if membership.role != Role.DIRECTOR:
        qs = qs.filter(user_id=membership.user_id)
    return qs


def time_off_get(*, agency: Agency, membership: Membership, time_off_id) -> TimeOff:
    refuse_client(membership)
    off = time_off_list(agency=agency, membership=membership).filter(pk=time_off_id).first()
    if off is None:
        raise Http404
    return off
