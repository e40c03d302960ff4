"""The timeline's pure data structure (projects.services.timeline.timeline_build): no database, unsaved rows."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.calendar import WorkCalendar
from projects.models import Milestone, ProjectTask, Workstream
from projects.services.timeline import (
    FILL_WIDTH,
    HEADER_H,
    PX_PER_DAY,
    ROW_H,
    choose_zoom,
    subtract_working_days,
    timeline_build,
    working_days_between,
)

CAL = WorkCalendar(weekdays=frozenset({1, 2, 3, 4, 5}))
MON = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 3, 11)


def task(title="T", *, start=None, due=None, ws=None, milestone=None, estimate=8, visible=True, status="todo",
         baseline=(None, None)):
    return ProjectTask(title=title, start_date=start, due_date=due, workstream_id=ws.id if ws else None,
                       milestone_id=milestone.id if milestone else None, estimate_hours=Decimal(estimate),
                       client_visible=visible, status=status, baseline_start_date=baseline[0],
                       baseline_due_date=baseline[1])


def build(tasks=(), milestones=(), workstreams=(), deps=(), *, start=MON, end=MON + timedelta(days=27),
          zoom=None, client_view=False, today=TODAY, calendar=CAL):
    return timeline_build(project_start=start, project_end=end, workstreams=list(workstreams),
                          milestones=list(milestones), tasks=list(tasks), dependencies=list(deps),
                          calendar=calendar, today=today, zoom=zoom, client_view=client_view)


def items(timeline):
    return [i for g in timeline.groups for i in g.items]


def test_no_items_is_the_empty_state():
    timeline = build()
    assert timeline.is_empty and timeline.groups == [] and timeline.links == []
    assert timeline.start is None and timeline.today_x is None and timeline.width == 0


def test_a_dated_task_is_a_bar_from_start_to_due_inclusive():
    t = task(start=MON + timedelta(days=2), due=MON + timedelta(days=4))
    timeline = build([t], zoom="day")
    (item,) = items(timeline)
    ppd = timeline.px_per_day
    assert ppd >= PX_PER_DAY["day"]
    assert timeline.zoom == "day" and not timeline.zoom_auto
    assert item.x == (t.start_date - timeline.start).days * ppd
    assert item.width == 3 * ppd
    assert not item.assumed and not item.outside_project


def test_a_zero_length_task_is_one_day_wide():
    t = task(start=MON, due=MON)
    timeline = build([t], zoom="week")
    (item,) = items(timeline)
    assert item.width == timeline.px_per_day


def test_a_missing_due_date_comes_from_the_estimate_in_working_days_and_is_marked():
    friday = MON + timedelta(days=4)
    (item,) = items(build([task(start=friday, estimate=16)]))  # two working days: Friday and Monday
    assert item.start == friday and item.end == friday + timedelta(days=3)
    assert item.end_assumed and not item.start_assumed and "tl-assumed" in item.css


def test_a_missing_start_date_is_counted_back_from_the_due_date():
    monday = MON + timedelta(days=7)
    (item,) = items(build([task(due=monday, estimate=24)]))  # three working days: Thu, Fri, Mon
    assert item.start == monday - timedelta(days=4) and item.end == monday
    assert item.start_assumed and not item.end_assumed


def test_an_undated_task_ends_on_its_milestone_else_starts_with_the_project():
    m = Milestone(title="Launch", due_date=MON + timedelta(days=10))
    on_milestone = task("a", milestone=m, estimate=8)
    loose = task("b", estimate=8)
    by_title = {i.title: i for i in items(build([on_milestone, loose], [m]))}
    assert by_title["a"].end == m.due_date and by_title["a"].start_assumed and by_title["a"].end_assumed
    assert by_title["b"].start == MON and by_title["b"].end == MON


def test_items_outside_the_project_extend_the_range_and_are_flagged():
    early = task("early", start=MON - timedelta(days=20), due=MON - timedelta(days=18))
    late = Milestone(title="late", due_date=MON + timedelta(days=60))
    inside = task("inside", start=MON, due=MON + timedelta(days=1))
    timeline = build([early, inside], [late])
    by_title = {i.title: i for i in items(timeline)}
    assert timeline.start <= early.start_date and timeline.end >= late.due_date
    assert by_title["early"].outside_project and by_title["late"].outside_project
    assert not by_title["inside"].outside_project
    assert by_title["early"].x >= 0 and by_title["late"].x <= timeline.width


def test_a_project_without_dates_takes_its_range_from_the_items():
    t = task(start=MON, due=MON + timedelta(days=3))
    timeline = build([t], start=None, end=None)
    assert timeline.start <= MON <= timeline.end
    assert timeline.project_start_x is None and timeline.project_end_x is None


def test_slippage_is_counted_in_working_days_against_the_baseline():
    friday, tuesday = MON + timedelta(days=4), MON + timedelta(days=8)
    slipped = task("slipped", start=MON, due=tuesday, baseline=(MON, friday))
    ahead = task("ahead", start=MON, due=friday, baseline=(MON, tuesday))
    on_plan = task("on plan", start=MON, due=friday, baseline=(MON, friday))
    no_baseline = task("none", start=MON, due=friday)
    by_title = {i.title: i for i in items(build([slipped, ahead, on_plan, no_baseline]))}
    assert by_title["slipped"].slip_days == 2 and by_title["slipped"].slipped
    assert by_title["ahead"].slip_days == -2 and not by_title["ahead"].slipped
    assert by_title["on plan"].slip_days == 0
    assert by_title["none"].slip_days is None
    assert by_title["slipped"].baseline_x is not None and by_title["none"].baseline_x is None


def test_slippage_skips_holidays():
    holiday_cal = WorkCalendar(weekdays=frozenset({1, 2, 3, 4, 5}), holidays=frozenset({MON + timedelta(days=1)}))
    assert working_days_between(holiday_cal, MON, MON + timedelta(days=2)) == 1
    assert working_days_between(CAL, MON, MON + timedelta(days=2)) == 2
    assert subtract_working_days(CAL, MON, 1) == MON - timedelta(days=3)


def test_milestone_slippage_overdue_and_undated():
    m = Milestone(title="m", due_date=MON + timedelta(days=1), baseline_due_date=MON)
    undated = Milestone(title="u")
    reached = Milestone(title="r", due_date=MON, reached_at=timezone.now())
    by_title = {i.title: i for i in items(build([], [m, undated, reached]))}
    assert by_title["m"].slip_days == 1 and by_title["m"].overdue  # due before TODAY, not reached
    assert by_title["u"].undated and by_title["u"].x is None
    assert by_title["r"].done and not by_title["r"].overdue


def test_overdue_is_an_open_task_past_its_due_date():
    late = task("late", start=MON, due=TODAY - timedelta(days=1))
    done = task("done", start=MON, due=TODAY - timedelta(days=1), status="done")
    by_title = {i.title: i for i in items(build([late, done]))}
    assert by_title["late"].overdue and "tl-overdue" in by_title["late"].css
    assert not by_title["done"].overdue and "tl-done" in by_title["done"].css


def test_rows_are_grouped_by_workstream_in_order_then_no_workstream():
    first, second = Workstream(name="Creative", order=0), Workstream(name="Media", order=1)
    m = Milestone(title="Kick-off", due_date=MON, workstream_id=second.id)
    timeline = build([task("loose", start=MON, due=MON), task("media", start=MON, due=MON, ws=second)], [m],
                     [first, second])
    assert [g.name for g in timeline.groups][:1] == ["Media"]  # an empty workstream is left out
    assert [g.id for g in timeline.groups] == [second.id, None]
    assert [i.title for i in timeline.groups[0].items] == ["Kick-off", "media"]
    ys = [timeline.groups[0].y] + [i.y for i in timeline.groups[0].items] + [timeline.groups[1].y]
    assert ys == [HEADER_H + n * ROW_H for n in range(4)]


def test_dependencies_join_the_end_of_one_bar_to_the_start_of_the_next():
    a = task("a", start=MON, due=MON + timedelta(days=1))
    b = task("b", start=MON + timedelta(days=3), due=MON + timedelta(days=4))
    c = task("c", start=MON, due=MON)  # starts before a is due: a broken finish-to-start link
    timeline = build([a, b, c], deps=[(a.id, b.id), (a.id, c.id), (a.id, "not-on-this-timeline")])
    by_title = {i.title: i for i in items(timeline)}
    ok, bad = sorted(timeline.links, key=lambda link: link.violated)
    assert (ok.x1, ok.y1) == (by_title["a"].x + by_title["a"].width, by_title["a"].mid_y)
    assert (ok.x2, ok.y2) == (by_title["b"].x, by_title["b"].mid_y)
    assert ok.path.startswith(f"M{ok.x1:.1f},{ok.y1:.1f}") and ok.path.endswith(f"H{ok.x2:.1f}")
    assert not ok.violated and bad.violated and bad.successor_id == c.id
    assert len(timeline.links) == 2


def test_today_marker_only_inside_the_range():
    t = task(start=MON, due=MON + timedelta(days=3))
    inside = build([t], zoom="day")
    assert inside.today_x == (TODAY - inside.start).days * inside.px_per_day + inside.px_per_day / 2
    assert build([t], start=MON, end=MON + timedelta(days=3), today=MON + timedelta(days=400)).today_x is None


@pytest.mark.parametrize(("days", "requested", "expected"), [
    (20, None, ("day", True)), (90, None, ("week", True)), (400, None, ("month", True)),
    (400, "day", ("day", False)), (20, "bogus", ("day", True)),
    (2000, "day", ("month", True)), (2000, "week", ("month", True)),
])
def test_the_scale_follows_the_range_unless_asked(days, requested, expected):
    assert choose_zoom(days, requested) == expected


@pytest.mark.parametrize("zoom", ["day", "week", "month"])
def test_each_scale_has_ticks_and_bands_inside_the_picture(zoom):
    timeline = build([task(start=MON, due=MON + timedelta(days=40))], zoom=zoom)
    assert timeline.ticks and timeline.bands
    assert all(0 <= tick.x < timeline.width for tick in timeline.ticks)
    assert sum(band.width for band in timeline.bands) == timeline.width
    assert bool(timeline.off_days) == (zoom != "month")


def test_client_view_keeps_only_visible_items_and_nothing_from_hours():
    hidden_ws, shown_ws = Workstream(name="Internal QA"), Workstream(name="Creative")
    shown = task("shown", start=MON, estimate=40, ws=shown_ws)
    hidden = task("hidden", start=MON, due=MON, ws=hidden_ws, visible=False)
    secret = Milestone(title="secret", due_date=MON, client_visible=False)
    public = Milestone(title="public", due_date=MON)
    timeline = build([shown, hidden], [secret, public], [hidden_ws, shown_ws], deps=[(hidden.id, shown.id)],
                     client_view=True)
    assert {i.title for i in items(timeline)} == {"shown", "public"}
    assert "Internal QA" not in [g.name for g in timeline.groups]
    assert timeline.links == []
    (bar,) = [i for i in items(timeline) if i.kind == "task"]
    assert bar.start == bar.end == MON  # one day, not five from the 40 h estimate
    staff = build([shown], zoom=timeline.zoom)
    assert items(staff)[0].end == MON + timedelta(days=4)


def test_three_hundred_tasks():
    workstreams = [Workstream(name=f"WS {n}", order=n) for n in range(5)]
    tasks = [task(f"t{n}", start=MON + timedelta(days=n % 60), due=MON + timedelta(days=n % 60 + n % 5),
                  ws=workstreams[n % 5]) for n in range(300)]
    deps = [(tasks[n].id, tasks[n + 1].id) for n in range(299)]
    timeline = build(tasks, workstreams=workstreams, deps=deps)
    assert timeline.task_count == 300 and len(timeline.groups) == 5 and len(timeline.links) == 299
    assert timeline.height == HEADER_H + (300 + 5) * ROW_H + 4
    assert all(0 <= i.x and i.x + i.width <= timeline.width for i in items(timeline))


def test_a_short_range_is_stretched_to_the_screen_and_a_long_one_keeps_the_scale():
    short = build([task(start=MON, due=MON + timedelta(days=20))], zoom="month")
    assert short.px_per_day > PX_PER_DAY["month"] and short.width <= FILL_WIDTH
    long = build([task(start=MON, due=MON + timedelta(days=700))], zoom="month")
    assert long.px_per_day == PX_PER_DAY["month"] and long.svg_width > long.width
