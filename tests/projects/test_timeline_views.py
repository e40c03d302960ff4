"""The Timeline tab, Set baseline, the client-view include and GET /api/v1/projects/{id}/timeline/."""
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mrm.tenancy.models import AuditLog
from projects.models import Milestone, ProjectTask, TaskDependency
from projects.services.timeline import timeline_context
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db

# A Monday at least ten days ago: the slippage of a task due two days after its baseline is two *working* days
# only when neither day falls on a weekend (a test run on a Monday once started on a Friday).
START = timezone.localdate() - timedelta(days=10)
START -= timedelta(days=START.weekday())


def _project(world, **kwargs):
    client = f.ClientFactory(agency=world.agency, owner=world.am.user)
    return f.ProjectFactory(client=client, start_date=START, end_date=START + timedelta(days=60), **kwargs)


def _fill(project, n: int, *, visible: bool = True) -> list[ProjectTask]:
    """`n` tasks over three workstreams, each depending on the previous one, plus two milestones."""
    workstreams = [f.WorkstreamFactory(project=project, order=i) for i in range(3)]
    people = [f.UserFactory() for _ in range(3)]
    with scopes_disabled():
        tasks = ProjectTask.objects.bulk_create([ProjectTask(
            agency=project.agency, project=project, workstream=workstreams[i % 3], assignee=people[i % 3],
            title=f"Task {i}", start_date=START + timedelta(days=i % 40), due_date=START + timedelta(days=i % 40 + 2),
            baseline_due_date=START + timedelta(days=i % 40), estimate_hours=8, client_visible=visible, position=i)
            for i in range(n)])
        TaskDependency.objects.bulk_create([TaskDependency(agency=project.agency, predecessor=a, successor=b)
                                            for a, b in zip(tasks, tasks[1:], strict=False)])
    f.MilestoneFactory(project=project, workstream=workstreams[0], due_date=START + timedelta(days=20))
    f.MilestoneFactory(project=project, due_date=START + timedelta(days=50))
    return tasks


def test_the_timeline_tab_draws_bars_links_today_and_legend(alice_world):
    project = _project(alice_world)
    tasks = _fill(project, 4)
    page = login(alice_world.director).get(reverse("projects:timeline", args=[project.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for t in tasks:
        assert f'id="tl-task-{t.pk}"' in html and f'id="tl-label-task-{t.pk}"' in html
    assert html.count('data-from=') == 3
    assert 'id="tl-today"' in html and 'id="tl-legend"' in html and 'id="tl-set-baseline"' in html
    assert "css/timeline.css" in html and 'id="tab-timeline"' in html
    today_x = re.search(r'id="tl-today">.*?<line x1="([^"]+)"', html, re.S).group(1)
    assert re.fullmatch(r"\d+(\.\d+)?", today_x)  # coordinates are not localized ("12,5" breaks the SVG)


def test_titles_names_and_workstreams_are_escaped_in_labels_bars_and_tooltips(alice_world):
    """The rows are drawn by projects/templatetags/timeline_svg.py, not by template autoescaping."""
    project = _project(alice_world)
    stream = f.WorkstreamFactory(project=project, name='<b>SEO</b> & "PR"')
    person = f.UserFactory(full_name="<i>Анна</i>")
    f.ProjectTaskFactory(project=project, workstream=stream, assignee=person, title="<script>alert(1)</script>",
                         start_date=START, due_date=START + timedelta(days=3))
    f.MilestoneFactory(project=project, title="<img src=x onerror=alert(2)>", due_date=START + timedelta(days=5))
    html = login(alice_world.director).get(reverse("projects:timeline", args=[project.pk])).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<i>Анна" not in html
    assert "<b>SEO" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # label, its title attribute, the tooltip
    assert "&lt;b&gt;SEO&lt;/b&gt; &amp; &quot;PR&quot;" in html and "&lt;i&gt;Анна&lt;/i&gt;" in html


def test_the_overview_links_to_the_timeline_tab(alice_world):
    project = _project(alice_world)
    page = login(alice_world.director).get(reverse("projects:detail", args=[project.pk]))
    assert reverse("projects:timeline", args=[project.pk]) in page.content.decode()


def test_an_empty_project_shows_the_empty_state(alice_world):
    project = _project(alice_world)
    html = login(alice_world.director).get(reverse("projects:timeline", args=[project.pk])).content.decode()
    assert 'id="tl-empty"' in html and "<svg class=\"tl-svg\"" not in html and 'id="tl-set-baseline"' not in html


@pytest.mark.parametrize("zoom", ["day", "week", "month"])
def test_the_scale_is_chosen_with_zoom(alice_world, zoom):
    project = _project(alice_world)
    _fill(project, 2)
    html = login(alice_world.director).get(reverse("projects:timeline", args=[project.pk]),
                                           {"zoom": zoom}).content.decode()
    assert f'data-zoom="{zoom}"' in html and f'id="tl-zoom-{zoom}"' in html


def test_query_count_does_not_grow_with_300_tasks(alice_world, django_assert_max_num_queries):
    small, big = _project(alice_world), _project(alice_world)
    _fill(small, 3)
    _fill(big, 300)
    http = login(alice_world.director)
    with CaptureQueriesContext(connection) as few:
        assert http.get(reverse("projects:timeline", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(reverse("projects:timeline", args=[big.pk]))
    assert response.content.decode().count('class="tl-task') == 300


def test_another_agencys_project_answers_404(alice_world, bob_world):
    foreign = _project(bob_world)
    _fill(foreign, 2)
    http = login(alice_world.director)
    assert http.get(reverse("projects:timeline", args=[foreign.pk])).status_code == 404
    assert http.post(reverse("projects:timeline_baseline", args=[foreign.pk])).status_code == 404
    assert http.get(f"/api/v1/projects/{foreign.pk}/timeline/").status_code == 404
    with scopes_disabled():
        assert not ProjectTask.objects.filter(project=foreign, baseline_start_date__isnull=False).exists()


def test_a_project_the_specialist_does_not_see_answers_404(alice_world):
    project = _project(alice_world)
    http = login(alice_world.specialist)
    assert http.get(reverse("projects:timeline", args=[project.pk])).status_code == 404
    assert http.get(f"/api/v1/projects/{project.pk}/timeline/").status_code == 404


def test_set_baseline_copies_current_dates_and_writes_an_audit_row(alice_world):
    project = _project(alice_world)
    tasks = _fill(project, 3)
    undated = f.ProjectTaskFactory(project=project, baseline_due_date=START)
    http = login(alice_world.am)
    response = http.post(reverse("projects:timeline_baseline", args=[project.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("projects:timeline", args=[project.pk])
    with scope(agency=alice_world.agency):
        for t in tasks:
            t.refresh_from_db()
            assert (t.baseline_start_date, t.baseline_due_date) == (t.start_date, t.due_date)
        undated.refresh_from_db()
        assert undated.baseline_due_date is None  # the current date is "none": so is the baseline now
        assert all(m.baseline_due_date == m.due_date for m in Milestone.objects.filter(project=project))
        row = AuditLog.objects.get(action="project.baseline_set")
    assert row.actor == alice_world.am.user and row.target_id == str(project.pk)
    assert row.changes == {"count": ["", 6]}
    page = http.get(reverse("projects:timeline", args=[project.pk])).content.decode()
    assert 'class="tl-slip"' not in page  # on plan right after the baseline


def test_set_baseline_over_htmx_redirects_the_client(alice_world):
    project = _project(alice_world)
    _fill(project, 1)
    response = login(alice_world.director).post(reverse("projects:timeline_baseline", args=[project.pk]),
                                                HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("projects:timeline", args=[project.pk])


def test_set_baseline_needs_to_manage_the_project(alice_world):
    project = _project(alice_world)
    _fill(project, 1)
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user)
    http = login(alice_world.specialist)
    url = reverse("projects:timeline_baseline", args=[project.pk])
    assert http.get(url).status_code == 405
    assert http.post(url).status_code == 403
    page = http.get(reverse("projects:timeline", args=[project.pk])).content.decode()
    assert 'id="tl-set-baseline"' not in page
    with scopes_disabled():
        assert not AuditLog.objects.filter(action="project.baseline_set").exists()
        project.manager = alice_world.specialist.user
        project.save(update_fields=["manager"])
    assert http.post(url).status_code == 302


def test_the_client_include_never_shows_a_hidden_task(alice_world):
    project = _project(alice_world)
    ws = f.WorkstreamFactory(project=project, name="Internal-only stream")
    shown = f.ProjectTaskFactory(project=project, title="Visible banner", client_visible=True, start_date=START,
                                 due_date=START + timedelta(days=2), assignee=alice_world.am.user, estimate_hours=37)
    hidden = f.ProjectTaskFactory(project=project, workstream=ws, title="Secret rework", client_visible=False,
                                  start_date=START, due_date=START + timedelta(days=3))
    f.MilestoneFactory(project=project, title="Hidden gate", client_visible=False, due_date=START)
    f.MilestoneFactory(project=project, title="Public launch", due_date=START + timedelta(days=5))
    with scopes_disabled():
        TaskDependency.objects.create(agency=project.agency, predecessor=hidden, successor=shown)
    with scope(agency=alice_world.agency):
        context = timeline_context(agency=alice_world.agency, project=project, client_view=True)
        html = render_to_string("projects/_timeline.html", context)
        staff = render_to_string("projects/_timeline.html", timeline_context(agency=alice_world.agency,
                                                                             project=project))
    assert "Visible banner" in html and "Public launch" in html and "data-client-view" in html
    assert alice_world.am.user.full_name in html  # the agency's person on a task the client sees
    for secret in ("Secret rework", str(hidden.pk), "Hidden gate", "Internal-only stream", "data-from="):
        assert secret not in html
    # Nothing derived from the 37 h estimate: the bar has its real dates, no hours field exists to render.
    (bar,) = [i for g in context["timeline"].groups for i in g.items if i.kind == "task"]
    assert bar.width == 3 * context["timeline"].px_per_day and not hasattr(bar, "estimate_hours")
    assert "Secret rework" in staff and "data-from=" in staff


def test_the_client_include_has_its_own_empty_state(alice_world):
    project = _project(alice_world)
    f.ProjectTaskFactory(project=project, title="Secret", client_visible=False, start_date=START, due_date=START)
    with scope(agency=alice_world.agency):
        html = render_to_string("projects/_timeline.html", timeline_context(
            agency=alice_world.agency, project=project, client_view=True))
    assert 'id="tl-empty"' in html and "Secret" not in html


def test_api_returns_the_same_structure(alice_world):
    project = _project(alice_world)
    tasks = _fill(project, 5)
    hidden = f.ProjectTaskFactory(project=project, client_visible=False, start_date=START, due_date=START)
    http = login(alice_world.director)
    body = http.get(f"/api/v1/projects/{project.pk}/timeline/", {"zoom": "day"}).json()
    assert body["zoom"] == "day" and not body["zoom_auto"] and not body["client_view"]
    assert body["task_count"] == 6 and body["milestone_count"] == 2 and len(body["links"]) == 4
    ids = {i["id"] for g in body["groups"] for i in g["items"]}
    assert {str(t.pk) for t in tasks} | {str(hidden.pk)} <= ids
    item = next(i for g in body["groups"] for i in g["items"] if i["id"] == str(tasks[0].pk))
    assert item["slip_days"] == 2 and item["slipped"] and item["start"] == tasks[0].start_date.isoformat()
    assert "estimate_hours" not in item
    client = http.get(f"/api/v1/projects/{project.pk}/timeline/", {"client_view": "true"}).json()
    assert client["client_view"] and str(hidden.pk) not in {i["id"] for g in client["groups"] for i in g["items"]}


def test_api_refuses_an_unknown_scale_and_a_client_contact(alice_world):
    project = _project(alice_world)
    http = login(alice_world.director)
    bad = http.get(f"/api/v1/projects/{project.pk}/timeline/", {"zoom": "year"})
    assert bad.status_code == 400 and "zoom" in bad.json()
    assert http.get("/api/v1/projects/------------------------------------/timeline/").status_code == 404
    empty = http.get(f"/api/v1/projects/{project.pk}/timeline/").json()
    assert empty["is_empty"] and empty["groups"] == [] and empty["start"] is None
    assert login(alice_world.client_contact).get(f"/api/v1/projects/{project.pk}/timeline/").status_code == 403


def test_api_query_count_does_not_grow_with_300_tasks(alice_world, django_assert_max_num_queries):
    small, big = _project(alice_world), _project(alice_world)
    _fill(small, 3)
    _fill(big, 300)
    http = login(alice_world.director)
    with CaptureQueriesContext(connection) as few:
        assert http.get(f"/api/v1/projects/{small.pk}/timeline/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert http.get(f"/api/v1/projects/{big.pk}/timeline/").json()["task_count"] == 300


def test_the_timeline_does_not_depend_on_the_date_of_the_run(alice_world):
    project = _project(alice_world)
    _fill(project, 2)
    with scope(agency=alice_world.agency):
        far = timeline_context(agency=alice_world.agency, project=project, today=date(2000, 1, 1))["timeline"]
    assert far.today_x is None and far.task_count == 2
