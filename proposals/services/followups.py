"""The follow-up cadence of a sent proposal, as CRM tasks (kind follow_up, source "proposal_followup",
source_id = proposal id, assigned to the proposal's owner). Sent → one task per configured day
(3, 7, 14, 30, 90 by default) on the next business morning; an open pulls the next one to the next
business day; a reply, acceptance or decline cancels the open ones."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Task
from mrm.tenancy.models import Agency, Holiday
from mrm.tenancy.services import audit

from ..models import Proposal
from .catalog import settings_get

SOURCE = "proposal_followup"


def _zone(agency: Agency) -> ZoneInfo:
    try:
        return ZoneInfo(agency.timezone)
    except Exception:  # noqa: BLE001 - a broken setting must not stop sending
        return ZoneInfo("Europe/Moscow")


def next_business_day(*, agency: Agency, day: date, holidays: set[date] | None = None) -> date:
    """`day` itself if it is a working day, else the next one (agency work days, minus holidays)."""
    if holidays is None:
        holidays = set(Holiday.objects.filter(agency=agency, date__gte=day, date__lte=day + timedelta(days=400))
                       .values_list("date", flat=True))
    work_days = {int(d) for d in agency.work_days} or {1, 2, 3, 4, 5}
    for _i in range(400):
        if day.isoweekday() in work_days and day not in holidays:
            return day
        day += timedelta(days=1)
    return day


def _due(agency: Agency, day: date) -> datetime:
    # An hour into the business day: the AM has read the mail by then.
    start = agency.business_hours_start or time(10, 0)
    at = (datetime.combine(day, start) + timedelta(hours=1)).time()
    return datetime.combine(day, at, tzinfo=_zone(agency))


def open_followups(*, agency: Agency, proposal: Proposal):
    return Task.objects.filter(agency=agency, source=SOURCE, source_id=str(proposal.pk), done_at__isnull=True)


@transaction.atomic
def followups_schedule(*, agency: Agency, actor, proposal: Proposal) -> list[Task]:
    """(Re)build the cadence from now: open follow-ups of this proposal are replaced."""
    open_followups(agency=agency, proposal=proposal).delete()
    days = settings_get(agency=agency).followup_days or [3, 7, 14, 30, 90]
    start = timezone.localtime(proposal.sent_at or timezone.now(), _zone(agency)).date()
    holidays = set(Holiday.objects.filter(agency=agency, date__gte=start).values_list("date", flat=True))
    tasks, used = [], set()
    for n in sorted(days):
        day = next_business_day(agency=agency, day=start + timedelta(days=n), holidays=holidays)
        while day in used:  # two steps landing on one day (holidays): keep them apart
            day = next_business_day(agency=agency, day=day + timedelta(days=1), holidays=holidays)
        used.add(day)
        tasks.append(Task(
            agency=agency, kind=Task.Kind.FOLLOW_UP, source=SOURCE, source_id=str(proposal.pk),
            title=_("Follow up on the proposal “%(title)s” (day %(n)d)") % {"title": proposal.title[:120], "n": n},
            notes=_("Ask %(client)s whether they had a look and what questions they have.") % {
                "client": proposal.client.name},
            due_at=_due(agency, day), assignee=proposal.owner, client=proposal.client, deal=proposal.deal,
        ))
    Task.objects.bulk_create(tasks)
    audit(agency=agency, actor=actor, action="proposal.followups_scheduled", target=proposal,
          changes={"days": (None, ", ".join(str(d) for d in sorted(days)))})
    return tasks


@transaction.atomic
def followups_on_open(*, agency: Agency, proposal: Proposal, when: datetime | None = None) -> Task | None:
    """The client opened the proposal: bring the next follow-up forward to the next business day."""
    when = when or timezone.now()
    task = open_followups(agency=agency, proposal=proposal).filter(due_at__gt=when).order_by("due_at") \
        .select_for_update().first()
    if task is None:
        return None
    local_day = timezone.localtime(when, _zone(agency)).date()
    target = _due(agency, next_business_day(agency=agency, day=local_day + timedelta(days=1)))
    if task.due_at <= target:
        return None
    old = task.due_at
    task.due_at = target
    task.notes = (task.notes + "\n" + _("Moved sooner: the client opened the proposal.")).strip()
    task.save(update_fields=["due_at", "notes", "updated_at"])
    audit(agency=agency, actor=None, action="proposal.followup_moved", target=proposal,
          changes={"due_at": (old.isoformat(), target.isoformat())})
    return task


@transaction.atomic
def followups_cancel(*, agency: Agency, actor, proposal: Proposal, reason: str) -> int:
    """Stop the cadence (reply, acceptance, decline): open follow-ups of this proposal are removed."""
    count, _detail = open_followups(agency=agency, proposal=proposal).delete()
    if count:
        audit(agency=agency, actor=actor, action="proposal.followups_cancelled", target=proposal,
              changes={"reason": (None, reason), "count": (None, count)})
    return count
