"""The alert rules are pure functions over plain facts: edge cases without a database."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import translation

from projects.alerts import rules
from projects.alerts.rules import MilestoneFacts, ProjectFacts, TaskFacts
from projects.calendar import WorkCalendar

WEEK = WorkCalendar(weekdays=frozenset({1, 2, 3, 4, 5}))
MONDAY = date(2026, 3, 2)  # a Monday; the 14 days before it hold 10 working days


def project(**kw) -> ProjectFacts:
    base = {"id": "p1", "name": "Site", "status": "active", "url": "/projects/p1/", "client_id": "c1",
            "client_name": "Acme", "started_on": MONDAY - timedelta(days=60), "last_contact_on": MONDAY}
    base.update(kw)
    return ProjectFacts(**base)


def task(tid="t1", **kw) -> TaskFacts:
    base = {"id": tid, "title": f"Task {tid}", "status": "todo", "estimate_hours": D("8")}
    base.update(kw)
    return TaskFacts(**base)


def milestone(mid="m1", due=MONDAY + timedelta(days=4), **kw) -> MilestoneFacts:
    return MilestoneFacts(id=mid, title=f"Milestone {mid}", due_date=due, **kw)


# --- milestone at risk -------------------------------------------------------------------------------------
def test_pace_is_hours_per_working_day_of_the_last_two_weeks():
    pace, days = rules.team_pace(recent_hours=D("50"), today=MONDAY, calendar=WEEK)
    assert (pace, days) == (D("5"), 10)


def test_milestone_with_more_work_than_the_pace_delivers_is_at_risk():
    # 5 h a day × 5 working days (Mon..Fri) = 25 h of capacity < 40 h left.
    facts = project(recent_hours=D("50"), milestones=(milestone(),),
                    tasks=(task("a", estimate_hours=D("30"), milestone_id="m1"),
                           task("b", estimate_hours=D("10"), milestone_id="m1"),
                           task("c", estimate_hours=D("99"), milestone_id="m1", status="done")))
    [finding] = rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK)
    assert finding.subject_key == "milestone:m1" and finding.value == 15.0
    assert finding.severity == rules.WARNING
    assert finding.params["days"] == 5 and finding.params["capacity"] == "25.0"
    with translation.override("en"):
        assert "40.0 h of open work" in finding.reason and "25.0 h" in finding.reason


def test_milestone_within_the_pace_raises_nothing():
    facts = project(recent_hours=D("50"), milestones=(milestone(),),
                    tasks=(task("a", estimate_hours=D("25"), milestone_id="m1"),))
    assert rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK) == []


def test_logged_time_reduces_the_remaining_estimate():
    facts = project(recent_hours=D("50"), milestones=(milestone(),),
                    tasks=(task("a", estimate_hours=D("40"), logged_hours=D("20"), milestone_id="m1"),))
    assert rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK) == []


def test_no_working_days_left_is_critical():
    facts = project(recent_hours=D("100"), milestones=(milestone(due=MONDAY - timedelta(days=1)),),
                    tasks=(task("a", estimate_hours=D("1"), milestone_id="m1"),))
    [finding] = rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK)
    assert finding.severity == rules.CRITICAL and finding.params["days"] == 0 and finding.value == 1.0
    with translation.override("en"):
        assert "was due" in finding.reason


def test_due_on_a_weekend_after_today_counts_no_working_days():
    saturday = MONDAY + timedelta(days=5)  # due on a Saturday, and today is that Saturday
    facts = project(recent_hours=D("100"), milestones=(milestone(due=saturday),),
                    tasks=(task("a", estimate_hours=D("2"), milestone_id="m1"),))
    [finding] = rules.milestone_at_risk(facts, today=saturday, calendar=WEEK)
    assert finding.params["days"] == 0


def test_zero_estimates_raise_nothing():
    facts = project(recent_hours=D("0"), milestones=(milestone(),),
                    tasks=(task("a", estimate_hours=D("0"), milestone_id="m1"),))
    assert rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK) == []
    assert rules.budget_burn_ahead(project(spent_hours=D("50"), budget_hours=D("10"),
                                           tasks=(task(estimate_hours=D("0")),)), today=MONDAY, calendar=WEEK) == []


def test_reached_milestones_and_milestones_without_a_date_raise_nothing():
    facts = project(recent_hours=D("0"), milestones=(milestone("m1", reached=True), milestone("m2", due=None)),
                    tasks=(task("a", milestone_id="m1"), task("b", milestone_id="m2")))
    assert rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK) == []


def test_unknown_pace_judges_only_near_milestones():
    # Nobody logged time lately: near milestones are judged against one person's planned 6 h a working day.
    far = milestone("far", due=MONDAY + timedelta(days=28))
    near = milestone("near", due=MONDAY + timedelta(days=7))  # 6 working days, today included → 36 h
    fits = milestone("fits", due=MONDAY + timedelta(days=7))
    facts = project(recent_hours=D("0"), milestones=(far, near, fits),
                    tasks=(task("a", milestone_id="far", estimate_hours=D("500")),
                           task("b", milestone_id="near", estimate_hours=D("80")),
                           task("c", milestone_id="fits", estimate_hours=D("30"))))
    findings = rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK)
    assert [f.subject_key for f in findings] == ["milestone:near"]
    assert findings[0].severity == rules.CRITICAL  # 36 h of capacity for 80 h of work
    assert findings[0].params["assumed"] is True and D(findings[0].params["capacity"]) == 36
    from django.utils import translation

    with translation.override("en"):
        assert "nobody has logged time" in rules.reason_text(rules.MILESTONE_AT_RISK, findings[0].params)


def test_holidays_shrink_both_the_pace_window_and_the_days_left():
    # The agency's holidays: the whole week of the milestone and half of the pace window.
    holidays = frozenset(MONDAY + timedelta(days=d) for d in range(0, 4)) | frozenset(
        MONDAY - timedelta(days=d) for d in (3, 4, 5, 6, 7))
    calendar = WorkCalendar(weekdays=WEEK.weekdays, holidays=holidays)
    pace, window = rules.team_pace(recent_hours=D("50"), today=MONDAY, calendar=calendar)
    assert (pace, window) == (D("10"), 5)
    facts = project(recent_hours=D("50"), milestones=(milestone(),),
                    tasks=(task("a", estimate_hours=D("15"), milestone_id="m1"),))
    [finding] = rules.milestone_at_risk(facts, today=MONDAY, calendar=calendar)
    assert finding.params["days"] == 1 and finding.value == 5.0  # only Friday is left: 10 h < 15 h
    assert rules.milestone_at_risk(facts, today=MONDAY, calendar=WEEK) == []  # without the holidays: fine


# --- budget burn -------------------------------------------------------------------------------------------
def test_budget_burn_ahead_of_done_share_by_hours():
    facts = project(budget_hours=D("100"), spent_hours=D("50"),
                    tasks=(task("a", estimate_hours=D("30"), status="done"), task("b", estimate_hours=D("70"))))
    [finding] = rules.budget_burn_ahead(facts, today=MONDAY, calendar=WEEK)
    assert finding.value == 20.0 and finding.params["basis"] == "hours" and finding.severity == rules.WARNING


def test_budget_burn_uses_money_when_it_is_further_ahead_and_is_critical_over_budget():
    facts = project(budget_hours=D("100"), spent_hours=D("40"), budget_amount=D("100000"),
                    spent_amount=D("120000"),
                    tasks=(task("a", estimate_hours=D("50"), status="done"), task("b", estimate_hours=D("50"))))
    [finding] = rules.budget_burn_ahead(facts, today=MONDAY, calendar=WEEK)
    assert finding.params["basis"] == "money" and finding.value == 70.0 and finding.severity == rules.CRITICAL


def test_budget_burn_below_the_threshold_or_without_a_budget_raises_nothing():
    tasks = (task("a", estimate_hours=D("50"), status="done"), task("b", estimate_hours=D("50")))
    assert rules.budget_burn_ahead(project(budget_hours=D("100"), spent_hours=D("64"), tasks=tasks),
                                   today=MONDAY, calendar=WEEK) == []
    assert rules.budget_burn_ahead(project(spent_hours=D("500"), tasks=tasks), today=MONDAY, calendar=WEEK) == []
    [at_threshold] = rules.budget_burn_ahead(project(budget_hours=D("100"), spent_hours=D("65"), tasks=tasks),
                                             today=MONDAY, calendar=WEEK)
    assert at_threshold.value == 15.0


def test_retainer_burn_compares_this_months_hours_with_the_month_gone_by():
    # 2026-03-02 is the 2nd working day of 22 in March (9 %); 40 of 80 hours used (50 %).
    facts = project(kind="retainer", retainer_hours=D("80"), month_hours=D("40"), budget_hours=D("0"))
    [finding] = rules.budget_burn_ahead(facts, today=MONDAY, calendar=WEEK)
    assert finding.params["basis"] == "retainer" and finding.severity == rules.CRITICAL
    assert rules.budget_burn_ahead(project(kind="retainer", retainer_hours=D("0"), month_hours=D("40")),
                                   today=MONDAY, calendar=WEEK) == []


# --- critical path -----------------------------------------------------------------------------------------
def test_critical_path_is_the_heaviest_chain_of_open_tasks():
    tasks = (task("a", estimate_hours=D("5")), task("b", estimate_hours=D("5")), task("c", estimate_hours=D("20")),
             task("d", estimate_hours=D("4")), task("x", estimate_hours=D("100"), status="done"))
    deps = (("a", "b"), ("b", "d"), ("c", "d"), ("x", "a"))
    path = rules.critical_path(project(tasks=tasks, dependencies=deps))
    assert [t.id for t in path] == ["c", "d"]  # 24 h beats a → b → d (14 h); the done task does not count


def test_critical_path_ignores_a_cycle_and_handles_no_tasks():
    tasks = (task("a"), task("b"), task("c", estimate_hours=D("1")))
    path = rules.critical_path(project(tasks=tasks, dependencies=(("a", "b"), ("b", "a"))))
    assert [t.id for t in path] == ["c"]
    assert rules.critical_path(project()) == []


def test_overdue_tasks_on_the_critical_path_only():
    yesterday = MONDAY - timedelta(days=3)  # the Friday before: 1 working day late on Monday
    tasks = (task("a", estimate_hours=D("10"), due_date=yesterday), task("b", estimate_hours=D("10")),
             task("off", estimate_hours=D("1"), due_date=yesterday - timedelta(days=30)))
    facts = project(tasks=tasks, dependencies=(("a", "b"),))
    [finding] = rules.critical_overdue(facts, today=MONDAY, calendar=WEEK)
    assert finding.subject_key == "task:a" and finding.value == 1.0 and finding.severity == rules.WARNING


def test_overdue_over_holidays_counts_working_days():
    due = MONDAY - timedelta(days=7)
    holidays = frozenset(MONDAY - timedelta(days=d) for d in range(1, 7))  # the whole week after it
    facts = project(tasks=(task("a", due_date=due),))
    [finding] = rules.critical_overdue(facts, today=MONDAY, calendar=WorkCalendar(WEEK.weekdays, holidays))
    assert finding.value == 1.0  # only today
    [plain] = rules.critical_overdue(facts, today=MONDAY, calendar=WEEK)
    assert plain.value == 5.0 and plain.severity == rules.CRITICAL


# --- waiting on the client ---------------------------------------------------------------------------------
def test_waiting_on_client_longer_than_the_agreement():
    sent = MONDAY - timedelta(days=7)  # the Monday before: Tue..Mon = 5 working days
    facts = project(approval_days=3, tasks=(task("a", status="client_approval", status_changed_on=sent),
                                            task("b", status="review", status_changed_on=sent),
                                            task("c", status="client_approval", status_changed_on=None)))
    [finding] = rules.waiting_on_client(facts, today=MONDAY, calendar=WEEK)
    assert finding.subject_key == "task:a" and finding.value == 5.0 and finding.severity == rules.WARNING
    assert rules.waiting_on_client(project(approval_days=5, tasks=facts.tasks), today=MONDAY, calendar=WEEK) == []


def test_waiting_on_client_skips_holidays():
    sent = MONDAY - timedelta(days=7)
    holidays = frozenset(sent + timedelta(days=d) for d in (1, 2, 3))
    facts = project(approval_days=3, tasks=(task("a", status="client_approval", status_changed_on=sent),))
    assert rules.waiting_on_client(facts, today=MONDAY, calendar=WorkCalendar(WEEK.weekdays, holidays)) == []


# --- client silence ----------------------------------------------------------------------------------------
def test_client_silent_uses_the_agreement_then_the_agency_default():
    last = MONDAY - timedelta(days=10)
    [finding] = rules.client_silent(project(last_contact_on=last, contact_every_days=7, no_contact_days=30),
                                    today=MONDAY, calendar=WEEK)
    assert finding.value == 10.0 and finding.params["allowed"] == 7 and finding.params["agreement"]
    assert rules.client_silent(project(last_contact_on=last, contact_every_days=None, no_contact_days=14),
                               today=MONDAY, calendar=WEEK) == []
    [by_default] = rules.client_silent(project(last_contact_on=last, no_contact_days=5), today=MONDAY, calendar=WEEK)
    assert by_default.severity == rules.CRITICAL
    with translation.override("en"):
        assert "the agency flags clients after 5 days" in by_default.reason


def test_client_never_contacted_counts_from_the_project_start():
    facts = project(last_contact_on=None, started_on=MONDAY - timedelta(days=20), no_contact_days=14)
    [finding] = rules.client_silent(facts, today=MONDAY, calendar=WEEK)
    assert finding.params["never"] and finding.value == 20.0
    assert rules.client_silent(project(last_contact_on=None, started_on=MONDAY + timedelta(days=5)),
                               today=MONDAY, calendar=WEEK) == []


# --- project status and "worse" ----------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["paused", "done", "cancelled"])
def test_paused_done_and_cancelled_projects_raise_nothing(status):
    facts = project(status=status, last_contact_on=MONDAY - timedelta(days=100), budget_hours=D("1"),
                    spent_hours=D("100"), tasks=(task("a", due_date=MONDAY - timedelta(days=10)),))
    assert rules.evaluate(facts, today=MONDAY, calendar=WEEK) == []
    assert rules.evaluate(project(**{**facts.__dict__, "status": "active"}), today=MONDAY, calendar=WEEK)


def test_is_worse_needs_the_margin_or_a_higher_severity():
    assert not rules.is_worse(kind=rules.WAITING_ON_CLIENT, acknowledged_value=5, value=6,
                              acknowledged_severity="warning", severity="warning")
    assert rules.is_worse(kind=rules.WAITING_ON_CLIENT, acknowledged_value=5, value=7,
                          acknowledged_severity="warning", severity="warning")
    assert rules.is_worse(kind=rules.WAITING_ON_CLIENT, acknowledged_value=5, value=5,
                          acknowledged_severity="warning", severity="critical")
    # A fifth of a large value: 100 h shortfall needs 20 h more, not 4.
    assert not rules.is_worse(kind=rules.MILESTONE_AT_RISK, acknowledged_value=100, value=110,
                              acknowledged_severity="critical", severity="critical")
    assert not rules.is_worse(kind=rules.MILESTONE_AT_RISK, acknowledged_value=10, value=2,
                              acknowledged_severity="critical", severity="warning")


def test_every_reason_renders_in_both_languages():
    findings = rules.evaluate(project(
        budget_hours=D("10"), spent_hours=D("20"), approval_days=1, recent_hours=D("0"),
        last_contact_on=MONDAY - timedelta(days=40),
        milestones=(milestone(), milestone("m0", due=MONDAY - timedelta(days=2))),
        tasks=(task("a", milestone_id="m1", due_date=MONDAY - timedelta(days=2)),
               task("b", milestone_id="m0", status="client_approval", status_changed_on=MONDAY - timedelta(days=9)),
               task("c", status="done"))), today=MONDAY, calendar=WEEK)
    assert {f.kind for f in findings} == {k for k, _ in rules.KIND_CHOICES}
    for language in ("en", "ru"):
        with translation.override(language):
            for finding in findings:
                assert finding.reason and "%(" not in finding.reason
