"""Saved list views: save (only known parameters kept), switch, update/delete one's own, shared views
read-only for the others, a default view per user, another agency's views → 404, constant queries."""
from urllib.parse import parse_qs, urlsplit

import pytest
from django_scopes import scopes_disabled

from clients.models import SavedView, SavedViewDefault
from tests.conftest import login as _login
from tests.factories import ClientFactory, CustomFieldFactory, SavedViewFactory


def login(membership):
    http = _login(membership)
    http.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return http


def _only_view(agency) -> SavedView:
    with scopes_disabled():
        return SavedView.objects.get(agency=agency)


def test_save_keeps_only_known_parameters_and_the_columns(alice_world):
    w = alice_world
    CustomFieldFactory(agency=w.agency, key="tier", label="Tier", kind="choice", choices=["Gold"])
    ClientFactory(agency=w.agency, owner=w.am.user, status="active", custom={"tier": "Gold"})
    http = login(w.am)
    response = http.post("/clients/views/new/", {
        "list_key": "clients", "name": "Активные", "shared": "on",
        "query": "status=active&sort=-name&bogus=1&page=3&view=x&cf_tier=Gold&cf_other=1&col=tier&col=nope&q="})
    view = _only_view(w.agency)
    assert response.status_code == 302
    assert parse_qs(view.query) == {"status": ["active"], "sort": ["-name"], "cf_tier": ["Gold"]}
    assert view.columns == ["tier"] and view.shared and view.owner == w.am.user
    target = urlsplit(response["Location"])
    assert target.path == "/clients/" and parse_qs(target.query) == {
        "status": ["active"], "sort": ["-name"], "cf_tier": ["Gold"], "col": ["tier"], "view": [str(view.pk)]}
    page = http.get(response["Location"]).content.decode()
    assert "Активные" in page and "<th>Tier</th>" in page


def test_htmx_save_takes_the_filter_form_and_answers_422_on_errors(alice_world):
    w = alice_world
    http = login(w.am)
    htmx = {"HX-Request": "true"}
    bad = http.post("/clients/views/new/", {"list_key": "deals", "name": " ", "stage": "won"}, headers=htmx)
    assert bad.status_code == 422 and 'id="saved-view-form"' in bad.content.decode()
    assert 'value="stage=won"' in bad.content.decode()  # a retry keeps the list's filters
    ok = http.post("/clients/views/new/", {"list_key": "deals", "name": "Won", "stage": "won", "kind": "upsell"},
                   headers=htmx)
    assert ok.status_code == 204 and ok["HX-Redirect"].startswith("/clients/deals/list/?")
    assert parse_qs(_only_view(w.agency).query) == {"stage": ["won"], "kind": ["upsell"]}
    again = http.post("/clients/views/new/", {"list_key": "deals", "name": "won"}, headers=htmx)
    assert again.status_code == 422 and "already have a view" in again.content.decode()
    assert http.post("/clients/views/new/", {"list_key": "nope", "name": "X"}).status_code == 404


def test_shared_views_are_visible_and_read_only_for_the_others(alice_world):
    w = alice_world
    shared = SavedViewFactory(agency=w.agency, owner=w.am.user, name="Общий вид", shared=True)
    private = SavedViewFactory(agency=w.agency, owner=w.am.user, name="Личный вид")
    http = login(w.am2)
    page = http.get("/clients/?view=").content.decode()
    assert "Общий вид" in page and "Личный вид" not in page
    opened = http.get(f"/clients/?status=active&view={shared.pk}")
    assert opened.status_code == 200 and "Edit view" not in opened.content.decode()
    assert http.get(f"/clients/?view={private.pk}").status_code == 404
    assert http.get(f"/clients/views/{shared.pk}/").status_code == 404
    assert http.post(f"/clients/views/{shared.pk}/delete/").status_code == 404
    with scopes_disabled():
        assert SavedView.objects.filter(pk=shared.pk).exists()
    # …but they may open their list with it.
    assert http.post(f"/clients/views/{shared.pk}/default/").status_code == 302
    assert http.get("/clients/")["Location"].endswith(f"view={shared.pk}")


def test_owner_updates_and_deletes_a_view(alice_world):
    w = alice_world
    view = SavedViewFactory(agency=w.agency, owner=w.am.user, list_key="tasks", name="Старое", query="state=open")
    http = login(w.am)
    form = http.get(f"/clients/views/{view.pk}/?query=state%3Ddone%26kind%3Dcall%26junk%3D1")
    assert form.status_code == 200 and "Старое" in form.content.decode()
    assert http.post(f"/clients/views/{view.pk}/", {"name": ""}).status_code == 422
    saved = http.post(f"/clients/views/{view.pk}/", {"name": "Звонки", "replace_query": "on",
                                                      "query": "state=done&kind=call&junk=1", "make_default": "on"})
    assert saved.status_code == 302
    with scopes_disabled():
        view.refresh_from_db()
        assert SavedViewDefault.objects.get(user=w.am.user, list_key="tasks").view == view
    assert view.name == "Звонки" and parse_qs(view.query) == {"state": ["done"], "kind": ["call"]}
    assert http.get("/clients/tasks/")["Location"] == saved["Location"]
    assert http.get("/clients/tasks/?view=").status_code == 200  # "All": the list without the default
    assert http.post(f"/clients/views/{view.pk}/default/", {"clear": "1"}).status_code == 302
    assert http.get("/clients/tasks/").status_code == 200
    assert http.post(f"/clients/views/{view.pk}/delete/").status_code == 302
    with scopes_disabled():
        assert not SavedView.objects.filter(pk=view.pk).exists()


def test_another_agencys_view_is_404_everywhere(alice_world, bob_world):
    foreign = SavedViewFactory(agency=bob_world.agency, owner=bob_world.director.user, shared=True)
    http = login(alice_world.director)
    for url in (f"/clients/?view={foreign.pk}", f"/clients/views/{foreign.pk}/"):
        assert http.get(url).status_code == 404
    for url in (f"/clients/views/{foreign.pk}/delete/", f"/clients/views/{foreign.pk}/default/"):
        assert http.post(url).status_code == 404
    assert http.get("/clients/?view=not-a-uuid").status_code == 404
    # A view of another list does not open on this one.
    deals = SavedViewFactory(agency=alice_world.agency, owner=alice_world.director.user, list_key="deals")
    assert http.get(f"/clients/?view={deals.pk}").status_code == 404


@pytest.mark.parametrize("url", ["/clients/?view=", "/clients/deals/list/?view=", "/clients/tasks/?view="])
def test_list_queries_do_not_grow_with_views(alice_world, url, django_assert_max_num_queries):
    w = alice_world
    ClientFactory(agency=w.agency, owner=w.director.user)
    http = login(w.director)
    list_key = {"/clients/?": "clients", "/clients/deals/list/?": "deals", "/clients/tasks/?": "tasks"}[
        url.split("view=")[0]]
    SavedViewFactory(agency=w.agency, owner=w.director.user, list_key=list_key)
    http.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    for _ in range(6):
        SavedViewFactory(agency=w.agency, owner=w.am.user, list_key=list_key, shared=True)
        SavedViewFactory(agency=w.agency, owner=w.director.user, list_key=list_key)
    warm = len(few)  # read now: the next request clears the connection's query log
    http.get(url)  # the writes dropped the cached lookups (clients.caches.LOOKUPS): compare warm with warm
    with django_assert_max_num_queries(warm):
        assert http.get(url).status_code == 200
