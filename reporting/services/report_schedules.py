"""Scheduled client reports: setting a client's schedule and the beat's run.

A schedule's run moments are `at_time` in its time zone on `weekday` (weekly) or `day` (monthly); each run
reports on the period just before it (the past Monday–Sunday, the past calendar month). The beat looks at the
last CATCH_UP run moments that have passed since the schedule was set: each without its report gets one
(created, then built), so a run missed while the beat was down is caught up, and the unique key (schedule,
period) means two beats, or a redelivered message, never make a second report."""
import logging
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..report_models import Report, ReportSchedule
from . import reports as report_services

logger = logging.getLogger(__name__)
CATCH_UP = 3


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ServiceError(_("Unknown time zone."), field="time_zone") from None


@transaction.atomic
def schedule_save(*, agency: Agency, actor, client: Client, frequency: str, weekday: int = 0, day: int = 1,
                  at_time: time = time(9, 0), time_zone: str = "Europe/Moscow", auto_publish: bool = False,
                  is_active: bool = True) -> ReportSchedule:
    _zone(time_zone)
    if frequency not in ReportSchedule.Frequency.values:
        raise ServiceError(_("Choose weekly or monthly."), field="frequency")
    if not 0 <= int(weekday) <= 6:
        raise ServiceError(_("Choose a weekday."), field="weekday")
    if not 1 <= int(day) <= 28:
        raise ServiceError(_("Choose a day from 1 to 28."), field="day")
    schedule, created = ReportSchedule.objects.select_for_update().get_or_create(
        agency=agency, client=client, defaults={"created_by": actor})
    schedule.frequency, schedule.weekday, schedule.day = frequency, int(weekday), int(day)
    schedule.at_time, schedule.time_zone = at_time, time_zone
    schedule.auto_publish, schedule.is_active = bool(auto_publish), bool(is_active)
    schedule.save()
    audit(agency=agency, actor=actor, action="report_schedule.saved", target=schedule,
          changes={"frequency": ("", frequency), "auto_publish": ("", bool(auto_publish))})
    return schedule


def run_moments(*, schedule: ReportSchedule, now: datetime, count: int = CATCH_UP) -> list[tuple[datetime, date, date]]:
    """The last `count` run moments up to `now`, newest first: (moment, date_from, date_to)."""
    zone = _zone(schedule.time_zone)
    local_today = now.astimezone(zone).date()
    moments = []
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        day = local_today - timedelta(days=(local_today.weekday() - schedule.weekday) % 7)
        while len(moments) < count:
            moment = datetime.combine(day, schedule.at_time, tzinfo=zone)
            if moment <= now:
                monday = day - timedelta(days=day.weekday() + 7)
                moments.append((moment, monday, monday + timedelta(days=6)))
            day -= timedelta(days=7)
    else:
        year, month = local_today.year, local_today.month
        while len(moments) < count:
            moment = datetime.combine(date(year, month, schedule.day), schedule.at_time, tzinfo=zone)
            if moment <= now:
                last = date(year, month, 1) - timedelta(days=1)
                moments.append((moment, last.replace(day=1), last))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return moments


def schedule_run(*, agency: Agency, schedule: ReportSchedule, now: datetime | None = None) -> list[Report]:
    """Create and build the schedule's due reports (the missed ones too); returns the new ones."""
    now = now or timezone.now()
    made = []
    actor = schedule.created_by or schedule.client.owner
    for moment, date_from, date_to in reversed(run_moments(schedule=schedule, now=now)):
        if moment < schedule.created_at:
            continue  # before the schedule existed: not a missed run
        if Report.objects.filter(agency=agency, schedule=schedule, date_from=date_from, date_to=date_to).exists():
            continue
        try:
            with transaction.atomic():
                report = report_services.report_create(agency=agency, actor=actor, client=schedule.client,
                                                       date_from=date_from, date_to=date_to)
                Report.objects.filter(agency=agency, pk=report.pk).update(schedule=schedule)
                report.schedule = schedule
        except IntegrityError:  # another run made it first
            continue
        report_services.report_build_start(agency=agency, actor=actor, report=report)
        made.append(report)
    return made


def schedules_run_agency(*, agency: Agency, now: datetime | None = None) -> int:
    count = 0
    for schedule in ReportSchedule.objects.filter(agency=agency, is_active=True).select_related(
            "client", "client__owner", "created_by"):
        count += len(schedule_run(agency=agency, schedule=schedule, now=now))
    return count


def after_build(*, agency: Agency, report: Report) -> None:
    """A scheduled report of a schedule that publishes without review is published once built."""
    if report.schedule_id is None or report.status != Report.Status.BUILT:
        return
    schedule = ReportSchedule.objects.filter(agency=agency, pk=report.schedule_id).first()
    if schedule is not None and schedule.auto_publish and schedule.is_active:
        report_services.report_publish(agency=agency, actor=report.created_by, report=report)
