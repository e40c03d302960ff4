"""The at-risk list, the follow-up form, the client health block: access, filters, sort, export, isolation, budgets."""
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from clients.models import Task
from dashboards.models import ClientHealth
from tests import factories as f
from tests.conftest import login

URL = "/dashboards/health/"


def _follow(client) -> str:
    return f"/dashboards/health/{client.pk}/follow-up/"


def test_first_visit_builds_and_lists_the_clients_at_risk(health_world):
    response = login(health_world.world.director).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="at-risk-list"' in html
    assert f'id="health-{health_world.r.pk}"' in html
    assert f'id="health-{health_world.w.pk}"' not in html  # watch, not at risk
    assert "Бобов" not in html
    assert "Call: no contact for 45 days (agreed 14)" in html or "Позвонить" in html
    assert 'data-testid="assign-followup"' in html
    with scopes_disabled():
        assert ClientHealth.objects.filter(agency=health_world.world.agency).count() == 3


def test_filters_search_and_sort(health_world):
    http = login(health_world.world.director)
    html = http.get(URL, {"band": "watch"}).content.decode()
    assert f'id="health-{health_world.w.pk}"' in html and f'id="health-{health_world.r.pk}"' not in html
    html = http.get(URL, {"band": "all", "sort": "name", "dir": "asc"}).content.decode()
    rows = [f'id="health-{c.pk}"' for c in (health_world.w, health_world.h, health_world.r)]  # by name, not header
    assert html.index(rows[0]) < html.index(rows[1]) < html.index(rows[2])
    html = http.get(URL, {"band": "all", "q": "здоров"}).content.decode()
    assert f'id="health-{health_world.h.pk}"' in html and f'id="health-{health_world.r.pk}"' not in html
    html = http.get(URL, {"band": "all", "owner": health_world.world.am2.user_id}).content.decode()
    assert f'id="health-{health_world.w.pk}"' in html and f'id="health-{health_world.h.pk}"' not in html
    # junk parameters fall back to the defaults instead of failing
    assert http.get(URL, {"band": "nope", "sort": "x", "owner": "abc", "page": "zz"}).status_code == 200


def test_htmx_search_answers_the_results_partial(health_world):
    response = login(health_world.world.director).get(URL, {"band": "all", "q": "Риск"}, headers={
        "HX-Request": "true", "HX-Target": "at-risk-results"})
    html = response.content.decode()
    assert 'id="at-risk-results"' in html and "<html" not in html


def test_empty_state_offers_the_watch_list(alice_world, bob_world):
    html = login(alice_world.director).get(URL).content.decode()
    assert "No client is at risk" in html or "Нет клиентов" in html
    assert "?band=watch" in html


def test_am_sees_their_clients_only(health_world):
    html = login(health_world.world.am2).get(URL, {"band": "all"}).content.decode()
    assert f'id="health-{health_world.w.pk}"' in html
    assert f'id="health-{health_world.r.pk}"' not in html and f'id="health-{health_world.h.pk}"' not in html
    assert 'id="health-owner"' not in html  # the AM filter is the directors'


def test_other_agency_director_sees_none_of_alices(health_world):
    html = login(health_world.bob.director).get(URL, {"band": "all"}).content.decode()
    assert "Риск" not in html and "Внимание" not in html
    assert f'id="health-{health_world.b.pk}"' in html


@pytest.mark.parametrize("who", ["specialist", "client_contact"])
def test_specialist_and_client_are_refused(health_world, who):
    response = login(getattr(health_world.world, who)).get(URL)
    assert response.status_code in (302, 403)


def test_export_csv_and_xlsx(health_world):
    http = login(health_world.world.director)
    csv = http.get(URL, {"band": "all", "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Риск" in text and "Внимание" in text and "Бобов" not in text
    xlsx = http.get(URL, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "Риск" and rows[1][2] == 40


def test_list_query_budget(health_world, django_assert_max_num_queries):
    with scopes_disabled():
        for i in range(30):
            f.ClientFactory(agency=health_world.world.agency, name=f"Тихий {i}", owner=health_world.world.am.user,
                            last_contact_at=timezone.now() - timedelta(days=60))
    http = login(health_world.world.director)
    http.get(URL)  # the first visit builds the rows
    with django_assert_max_num_queries(10):
        response = http.get(URL, {"band": "all"})
    assert response.content.decode().count('data-testid="assign-followup"') == 33


def test_followup_form_then_task_for_the_clients_am(health_world):
    http = login(health_world.world.director)
    http.get(URL)
    form = http.get(_follow(health_world.r), headers={"HX-Request": "true"})
    html = form.content.decode()
    assert form.status_code == 200 and "csrfmiddlewaretoken" in html and "<html" not in html
    assert "no contact for 45 days" in html or "45" in html
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = http.post(_follow(health_world.r), {"title": "Позвонить Риску", "due_date": due, "priority": "high",
                                                   "assignee": health_world.world.am.user_id},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'role="status"' in response.content.decode()
    with scopes_disabled():
        task = Task.objects.get(client=health_world.r)
    assert (task.title, task.assignee, task.kind, task.priority) == (
        "Позвонить Риску", health_world.world.am.user, Task.Kind.FOLLOW_UP, Task.Priority.HIGH)
    assert timezone.localtime(task.due_at).date().isoformat() == due


def test_an_assigned_followup_shows_on_the_list_after_a_reload(health_world):
    http = login(health_world.world.director)
    http.get(URL)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    http.post(_follow(health_world.r), {"title": "Позвонить Риску", "due_date": due, "priority": "normal",
                                        "assignee": health_world.world.am.user_id})
    html = http.get(URL).content.decode()
    row = html[html.index(f'id="health-{health_world.r.pk}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-testid="open-followup"' in row and "Позвонить Риску" in row
    assert html.count('data-testid="open-followup"') == 1  # the other clients have none
    with scopes_disabled():
        Task.objects.filter(client=health_world.r).update(done_at=timezone.now())
    assert 'data-testid="open-followup"' not in http.get(URL).content.decode()  # done: nothing open


def test_followup_default_due_in_two_business_days(health_world):
    from projects.calendar import work_calendar

    html = login(health_world.world.director).get(_follow(health_world.r)).content.decode()
    with scopes_disabled():
        due = work_calendar(agency=health_world.world.agency).add_working_days(timezone.localdate(), 2)
    assert f'type="date" id="id_due_date-{health_world.r.pk}" name="due_date" value="{due.isoformat()}"' in html
    assert "Call: no contact for 45 days (agreed 14)" in html or "45" in html


def test_followup_errors_in_place(health_world):
    http = login(health_world.world.director)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = http.post(_follow(health_world.r), {"title": "", "due_date": past, "priority": "high",
                                                   "assignee": health_world.world.am.user_id},
                         headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "invalid-feedback" in html and 'aria-invalid="true"' in html
    with scopes_disabled():
        assert not Task.objects.filter(client=health_world.r).exists()


def test_followup_assignee_of_another_agency_is_refused(health_world):
    response = login(health_world.world.director).post(_follow(health_world.r), {
        "title": "x", "due_date": timezone.localdate().isoformat(), "priority": "normal",
        "assignee": health_world.bob.am.user_id})
    assert response.status_code == 422


def test_am_followup_goes_to_the_clients_am_without_a_choice(health_world):
    http = login(health_world.world.am)
    html = http.get(_follow(health_world.r)).content.decode()
    assert 'name="assignee"' not in html
    response = http.post(_follow(health_world.r), {"title": "Звонок", "priority": "normal",
                                                   "due_date": timezone.localdate().isoformat()})
    assert response.status_code == 302
    with scopes_disabled():
        assert Task.objects.get(client=health_world.r).assignee == health_world.world.am.user


def test_foreign_and_invisible_clients_answer_404(health_world):
    assert login(health_world.world.director).get(_follow(health_world.b)).status_code == 404
    assert login(health_world.world.director).post(_follow(health_world.b), {"title": "x"}).status_code == 404
    assert login(health_world.world.director).get(f"/dashboards/health/{health_world.b.pk}/").status_code == 404
    assert login(health_world.world.am2).get(_follow(health_world.r)).status_code == 404
    assert login(health_world.world.am2).get(f"/dashboards/health/{health_world.r.pk}/").status_code == 404


def test_client_block_lazy_loaded_on_the_client_page(health_world):
    http = login(health_world.world.director)
    page = http.get(f"/clients/{health_world.w.pk}/").content.decode()
    assert f'hx-get="/dashboards/health/{health_world.w.pk}/"' in page
    block = http.get(f"/dashboards/health/{health_world.w.pk}/", headers={"HX-Request": "true"})
    html = block.content.decode()
    assert block.status_code == 200 and 'id="client-health"' in html and "<html" not in html
    assert "60" in html and ("NPS went from 9 to 3" in html or "9" in html)
    assert login(health_world.world.director).get(f"/dashboards/health/{health_world.lead.pk}/").status_code == 200


def test_kpi_dashboard_links_to_the_list_with_its_count(health_world):
    http = login(health_world.world.director)
    html = http.get("/dashboards/").content.decode()
    assert 'id="at-risk-link"' in html and 'hx-get="/dashboards/health/count/"' in html
    assert 'id="at-risk-count"' in http.get("/dashboards/health/count/").content.decode()
    http.get(URL)
    html = http.get("/dashboards/health/count/").content.decode()
    assert "1 client at risk" in html or "1 клиент" in html
    assert "0 " in login(health_world.world.am2).get("/dashboards/health/count/").content.decode()
