"""Bulk actions on the client and task lists: confirmation, one history and audit row per record, only the
records the member sees (others are skipped), the cap on ids, the export of the ticked clients."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client, ClientOwnerChange, ClientStatusChange, Task
from clients.services.bulk import MAX_BULK_IDS
from mrm.tenancy.models import AuditLog
from tests.conftest import login
from tests.factories import ClientFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _clients(world, n, **kw):
    with scopes_disabled():
        return [ClientFactory(agency=world.agency, **kw) for _ in range(n)]


def _post(http, url, ids, **data):
    return http.post(url, {"ids": [str(i) for i in ids], **data})


def test_the_list_shows_a_checkbox_per_row_and_select_all(alice_world):
    w = alice_world
    clients = _clients(w, 3, owner=w.am.user)
    page = login(w.am).get(reverse("clients:list")).content.decode()
    assert 'id="bulk-select-all"' in page and 'id="bulk-clients"' in page
    for c in clients:
        assert f'name="ids" value="{c.pk}"' in page
    # A specialist may export the ticked rows but not change them.
    page = login(w.specialist).get(reverse("clients:list")).content.decode()
    assert 'id="bulk-apply"' not in page


def test_the_list_page_size_can_be_fifty(alice_world):
    w = alice_world
    _clients(w, 60, owner=w.am.user)
    page = login(w.am).get(reverse("clients:list"), {"per": "50"}).content.decode()
    assert page.count('name="ids"') == 50
    page = login(w.am).get(reverse("clients:list"), {"per": "5000"}).content.decode()
    assert page.count('name="ids"') == 25  # only the offered sizes


def test_bulk_reassign_50_clients_confirms_then_writes_50_audit_and_owner_rows(alice_world):
    w = alice_world
    clients = _clients(w, 50, owner=w.am.user)
    http = login(w.director)
    with scopes_disabled():
        owners_before = ClientOwnerChange.objects.filter(agency=w.agency).count()
    ids = [c.pk for c in clients]
    confirm = _post(http, reverse("clients:bulk"), ids, action="owner", owner=w.am2.user.pk)
    assert confirm.status_code == 200
    assert confirm.context["summary"] and len(confirm.context["records"]) == 50
    assert 'id="bulk-confirm"' in confirm.content.decode()
    with scopes_disabled():
        assert not Client.objects.filter(owner=w.am2.user).exists()  # nothing changes before the confirmation

    done = _post(http, reverse("clients:bulk"), ids, action="owner", owner=w.am2.user.pk, confirm="1",
                 next=reverse("clients:list") + "?per=50")
    assert done.status_code == 302 and done.url == reverse("clients:list") + "?per=50"
    with scopes_disabled():
        assert Client.objects.filter(pk__in=ids, owner=w.am2.user).count() == 50
        assert ClientOwnerChange.objects.filter(agency=w.agency).count() - owners_before == 50
        assert ClientOwnerChange.objects.filter(client_id__in=ids, from_owner=w.am.user, to_owner=w.am2.user,
                                                actor=w.director.user).count() == 50
        audits = AuditLog.objects.filter(agency=w.agency, action="client.updated", actor=w.director.user)
        assert audits.count() == 50
        assert {a.target_id for a in audits} == {str(i) for i in ids}


def test_bulk_status_change_writes_history(alice_world):
    w = alice_world
    clients = _clients(w, 3, owner=w.am.user, status=Client.Status.ACTIVE)
    http = login(w.am)
    _post(http, reverse("clients:bulk"), [c.pk for c in clients], action="status", status="paused", confirm="1")
    with scopes_disabled():
        assert set(Client.objects.filter(pk__in=[c.pk for c in clients]).values_list("status", flat=True)) == {
            "paused"}
        assert ClientStatusChange.objects.filter(client__in=clients, from_status="active", to_status="paused",
                                                 actor=w.am.user).count() == 3


def test_bulk_churn_needs_a_reason(alice_world):
    w = alice_world
    clients = _clients(w, 2, owner=w.am.user)
    response = _post(login(w.am), reverse("clients:bulk"), [c.pk for c in clients], action="status",
                     status="churned", confirm="1")
    assert response.status_code == 422 and "churn_reason" in response.context["form"].errors
    with scopes_disabled():
        assert not Client.objects.filter(status="churned").exists()


def test_bulk_add_tag_keeps_the_other_tags(alice_world):
    w = alice_world
    clients = _clients(w, 2, owner=w.am.user)
    with scopes_disabled():
        from clients.models import Tag

        clients[0].tags.add(Tag.objects.create(agency=w.agency, name="retail"))
    _post(login(w.am), reverse("clients:bulk"), [c.pk for c in clients], action="tag", tag="vip", confirm="1")
    with scopes_disabled():
        assert sorted(clients[0].tags.values_list("name", flat=True)) == ["retail", "vip"]
        assert list(clients[1].tags.values_list("name", flat=True)) == ["vip"]
        assert AuditLog.objects.filter(agency=w.agency, action="client.updated").count() == 2


def test_foreign_agency_ids_are_skipped(alice_world, bob_world):
    w = alice_world
    mine = _clients(w, 2, owner=w.am.user)
    foreign = _clients(bob_world, 3, owner=bob_world.am.user)
    http = login(w.director)
    ids = [c.pk for c in mine + foreign]
    confirm = _post(http, reverse("clients:bulk"), ids, action="owner", owner=w.am2.user.pk)
    assert confirm.context["skipped"] == 3 and len(confirm.context["records"]) == 2
    _post(http, reverse("clients:bulk"), ids, action="owner", owner=w.am2.user.pk, confirm="1")
    with scopes_disabled():
        assert Client.objects.filter(pk__in=[c.pk for c in mine], owner=w.am2.user).count() == 2
        assert Client.objects.filter(pk__in=[c.pk for c in foreign], owner=bob_world.am.user).count() == 3
        assert not AuditLog.objects.filter(agency=bob_world.agency, action="client.updated").exists()


def test_only_foreign_ids_change_nothing(alice_world, bob_world):
    foreign = _clients(bob_world, 2, owner=bob_world.am.user)
    response = _post(login(alice_world.director), reverse("clients:bulk"), [c.pk for c in foreign],
                     action="status", status="paused", confirm="1")
    assert response.status_code == 302
    with scopes_disabled():
        assert not Client.objects.filter(status="paused").exists()


def test_an_am_cannot_reassign_clients_they_cannot_see(alice_world):
    w = alice_world
    own = _clients(w, 1, owner=w.am.user)
    others = _clients(w, 2, owner=w.am2.user)
    http = login(w.am)
    ids = [c.pk for c in own + others]
    confirm = _post(http, reverse("clients:bulk"), ids, action="owner", owner=w.am.user.pk)
    assert confirm.context["skipped"] == 2
    _post(http, reverse("clients:bulk"), ids, action="status", status="paused", confirm="1")
    with scopes_disabled():
        assert Client.objects.get(pk=own[0].pk).status == "paused"
        assert Client.objects.filter(pk__in=[c.pk for c in others], status="active").count() == 2


def test_a_specialist_may_not_run_client_bulk_changes(alice_world):
    w = alice_world
    clients = _clients(w, 1, owner=w.am.user)
    response = _post(login(w.specialist), reverse("clients:bulk"), [clients[0].pk], action="status",
                     status="paused", confirm="1")
    assert response.status_code == 403


def test_more_than_the_cap_is_refused(alice_world):
    w = alice_world
    clients = _clients(w, 1, owner=w.am.user)
    ids = [clients[0].pk] * (MAX_BULK_IDS + 1)
    response = _post(login(w.am), reverse("clients:bulk"), ids, action="status", status="paused", confirm="1")
    assert response.status_code == 302
    with scopes_disabled():
        assert Client.objects.get(pk=clients[0].pk).status == "active"


def test_malformed_ids_are_ignored(alice_world):
    w = alice_world
    clients = _clients(w, 1, owner=w.am.user)
    response = _post(login(w.am), reverse("clients:bulk"), [clients[0].pk, "nope", "1 OR 1=1"], action="owner",
                     owner=w.am2.user.pk)
    assert response.status_code == 200 and len(response.context["records"]) == 1


def test_export_returns_only_the_selected_visible_clients(alice_world, bob_world):
    w = alice_world
    chosen = _clients(w, 2, owner=w.am.user)
    _clients(w, 3, owner=w.am.user)  # not ticked
    hidden = _clients(w, 1, owner=w.am2.user)
    foreign = _clients(bob_world, 1)
    response = _post(login(w.am), reverse("clients:bulk_export"), [c.pk for c in chosen + hidden + foreign])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted(c.name for c in chosen)


# Tasks

def _tasks(world, n, **kw):
    with scopes_disabled():
        return [TaskFactory(agency=world.agency, **kw) for _ in range(n)]


def test_task_bulk_done(alice_world):
    w = alice_world
    tasks = _tasks(w, 4, assignee=w.am.user)
    http = login(w.am)
    ids = [t.pk for t in tasks]
    confirm = _post(http, reverse("clients:task_bulk"), ids, action="done")
    assert confirm.status_code == 200 and 'id="bulk-confirm"' in confirm.content.decode()
    _post(http, reverse("clients:task_bulk"), ids, action="done", confirm="1")
    with scopes_disabled():
        assert Task.objects.filter(pk__in=ids, done_at__isnull=False, done_by=w.am.user).count() == 4
        assert AuditLog.objects.filter(agency=w.agency, action="task.completed").count() == 4


def test_task_bulk_assign_and_due_date(alice_world):
    w = alice_world
    due = timezone.now() + timedelta(days=1)
    tasks = _tasks(w, 3, assignee=w.am.user, due_at=due)
    http = login(w.am)
    ids = [t.pk for t in tasks]
    _post(http, reverse("clients:task_bulk"), ids, action="assign", assignee=w.specialist.user.pk, confirm="1")
    new_day = date.today() + timedelta(days=7)
    with scopes_disabled():
        assert Task.objects.filter(pk__in=ids, assignee=w.specialist.user).count() == 3
    _post(login(w.director), reverse("clients:task_bulk"), ids, action="due", due_date=new_day.isoformat(),
          confirm="1")
    with scopes_disabled():
        for task in Task.objects.filter(pk__in=ids):
            assert timezone.localtime(task.due_at).date() == new_day
            assert timezone.localtime(task.due_at).time() == timezone.localtime(due).time()  # the time is kept
        assert AuditLog.objects.filter(agency=w.agency, action="task.updated").count() == 6


def test_task_bulk_skips_foreign_tasks(alice_world, bob_world):
    w = alice_world
    mine = _tasks(w, 1, assignee=w.am.user)
    foreign = _tasks(bob_world, 2, assignee=bob_world.am.user)
    http = login(w.am)
    ids = [t.pk for t in mine + foreign]
    confirm = _post(http, reverse("clients:task_bulk"), ids, action="done")
    assert confirm.context["skipped"] == 2
    _post(http, reverse("clients:task_bulk"), ids, action="done", confirm="1")
    with scopes_disabled():
        assert Task.objects.filter(pk__in=[t.pk for t in foreign], done_at__isnull=True).count() == 2


def test_the_task_list_shows_a_checkbox_per_row(alice_world):
    w = alice_world
    tasks = _tasks(w, 2, assignee=w.am.user)
    page = login(w.am).get(reverse("clients:task_list")).content.decode()
    assert 'id="bulk-tasks"' in page and 'data-select-all' in page
    for t in tasks:
        assert f'name="ids" value="{t.pk}"' in page


def test_the_confirmation_carries_the_choice_as_summarised(alice_world):
    w = alice_world
    clients = _clients(w, 2, owner=w.am.user)
    page = _post(login(w.director), reverse("clients:bulk"), [c.pk for c in clients], action="owner",
                 owner=w.am2.user.pk).content.decode()
    assert f'type="hidden" name="owner" value="{w.am2.user.pk}"' in page
    assert '<select name="owner"' not in page  # not editable once summarised


def test_a_due_date_in_the_past_changes_no_task(alice_world):
    w = alice_world
    due = timezone.now() + timedelta(days=1)
    tasks = _tasks(w, 2, assignee=w.am.user, due_at=due)
    response = _post(login(w.am), reverse("clients:task_bulk"), [t.pk for t in tasks], action="due",
                     due_date=(date.today() - timedelta(days=3)).isoformat(), confirm="1")
    assert response.status_code == 422 and "due_date" in response.context["form"].errors
    with scopes_disabled():
        assert Task.objects.filter(pk__in=[t.pk for t in tasks], due_at=due).count() == 2
        assert not AuditLog.objects.filter(agency=w.agency, action="task.updated").exists()
