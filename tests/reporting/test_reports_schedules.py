"""Scheduled reports: run moments in the schedule's time zone, the beat builds the due report, catches up a
missed run, never doubles one; auto-publish or review; the schedule form."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from reporting.models import Report, ReportSchedule
from reporting.services import report_schedules as schedules
from reporting.tasks_reports import report_schedules_agency_task

from .reports_helpers import company_of, http, metrics_for

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def _schedule(world, **kwargs):
    with scope(agency=world.agency):
        schedule = schedules.schedule_save(agency=world.agency, actor=world.am.user, client=company_of(world),
                                           **{"frequency": "monthly", "day": 3, "at_time": time(9, 0), **kwargs})
        ReportSchedule.objects.filter(pk=schedule.pk).update(created_at=datetime(2026, 8, 1, tzinfo=MSK))
        schedule.refresh_from_db()
    return schedule


def test_run_moments_monthly_and_weekly_in_the_time_zone(alice_world):
    schedule = _schedule(alice_world)
    now = datetime(2026, 11, 3, 5, 59, tzinfo=ZoneInfo("UTC"))  # 08:59 in Moscow: November's run not yet
    moments = schedules.run_moments(schedule=schedule, now=now, count=2)
    assert [(a, b) for _m, a, b in moments] == [(date(2026, 9, 1), date(2026, 9, 30)),
                                                (date(2026, 8, 1), date(2026, 8, 31))]
    now = datetime(2026, 11, 3, 6, 0, tzinfo=ZoneInfo("UTC"))
    assert schedules.run_moments(schedule=schedule, now=now, count=1)[0][1:] == (date(2026, 10, 1), date(2026, 10, 31))
    schedule.frequency, schedule.weekday = "weekly", 0
    now = datetime(2026, 11, 9, 7, 0, tzinfo=MSK)  # Monday before 09:00
    assert schedules.run_moments(schedule=schedule, now=now, count=1)[0][1:] == (date(2026, 10, 26), date(2026, 11, 1))


def test_beat_builds_catches_up_and_never_doubles(alice_world, monkeypatch):
    metrics_for(company_of(alice_world))
    schedule = _schedule(alice_world)
    now = datetime(2026, 11, 10, 12, 0, tzinfo=MSK)
    with scope(agency=alice_world.agency):
        made = schedules.schedule_run(agency=alice_world.agency, schedule=schedule, now=now)
        # August's run (3 Aug) is before… no: the schedule exists since 1 Aug, so Sep 3 (August), Oct 3 (September)
        # and Nov 3 (October) are all due: the missed ones are caught up.
        assert [(r.date_from, r.date_to) for r in made] == [(date(2026, 8, 1), date(2026, 8, 31)),
                                                            (date(2026, 9, 1), date(2026, 9, 30)),
                                                            (date(2026, 10, 1), date(2026, 10, 31))]
        assert schedules.schedule_run(agency=alice_world.agency, schedule=schedule, now=now) == []
        assert Report.objects.filter(agency=alice_world.agency, schedule=schedule).count() == 3
    with time_machine.travel(now, tick=False):  # the task reads the clock: the same moment, nothing new is due
        assert report_schedules_agency_task.apply(kwargs={"agency_id": alice_world.agency.pk}).get() == 0


def test_a_run_before_the_schedule_existed_is_not_made(alice_world):
    schedule = _schedule(alice_world)
    with scope(agency=alice_world.agency):
        ReportSchedule.objects.filter(pk=schedule.pk).update(created_at=datetime(2026, 11, 5, tzinfo=MSK))
        schedule.refresh_from_db()
        assert schedules.schedule_run(agency=alice_world.agency, schedule=schedule,
                                      now=datetime(2026, 11, 10, tzinfo=MSK)) == []


def test_built_scheduled_report_waits_for_review_or_is_published(alice_world):
    from reporting.tasks_reports import report_build_task

    metrics_for(company_of(alice_world))
    for auto, expected in ((False, Report.Status.BUILT), (True, Report.Status.PUBLISHED)):
        schedule = _schedule(alice_world, auto_publish=auto)
        with scope(agency=alice_world.agency):
            Report.objects.filter(agency=alice_world.agency).delete()
            made = schedules.schedule_run(agency=alice_world.agency, schedule=schedule,
                                          now=datetime(2026, 11, 4, tzinfo=MSK))
            report = made[-1]
            report.refresh_from_db()
            report_build_task.apply(kwargs={"agency_id": alice_world.agency.pk, "job_id": str(report.job_id)})
            report.refresh_from_db()
            assert report.status == expected


def test_schedule_save_refuses_bad_values(alice_world):
    from mrm.core.errors import ServiceError

    with scope(agency=alice_world.agency):
        for kwargs in ({"time_zone": "Mars/Olympus"}, {"day": 31}, {"frequency": "daily"}):
            with pytest.raises(ServiceError):
                schedules.schedule_save(agency=alice_world.agency, actor=alice_world.am.user,
                                        client=company_of(alice_world), **{"frequency": "monthly", **kwargs})


def test_schedule_form_on_the_client_reports_page(alice_world):
    client = company_of(alice_world)
    web = http(alice_world.am)
    page = web.get(reverse("reporting:reports:client_list", args=[client.pk]))
    assert b'id="report-schedule"' in page.content
    url = reverse("reporting:reports:schedule", args=[client.pk])
    ok = web.post(url, {"is_active": "on", "frequency": "weekly", "weekday": "4", "day": "3", "at_time": "10:30",
                        "time_zone": "Asia/Yekaterinburg", "auto_publish": "on"})
    assert ok.status_code == 302
    with scope(agency=alice_world.agency):
        schedule = ReportSchedule.objects.get(agency=alice_world.agency, client=client)
    assert schedule.weekday == 4 and schedule.auto_publish and schedule.time_zone == "Asia/Yekaterinburg"
    bad = web.post(url, {"frequency": "weekly", "weekday": "4", "day": "3", "at_time": "10:30",
                         "time_zone": "Nowhere/Land"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and b"Unknown time zone" in bad.content
    assert http(alice_world.specialist).post(url, {}).status_code == 403
    assert timedelta(0) is not None
