"""Status, owner and stage history: every path that changes those fields leaves a row (from, to, when, who)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.models import Client, ClientOwnerChange, ClientStatusChange, Deal, DealStageChange
from clients.services import companies, deals
from clients.services import importing as import_services
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory


def _statuses(client):
    with scopes_disabled():
        return list(ClientStatusChange.objects.filter(client=client).order_by("changed_at", "created_at")
                    .values_list("from_status", "to_status", "actor_id"))


def _owners(client):
    with scopes_disabled():
        return list(ClientOwnerChange.objects.filter(client=client).order_by("changed_at", "created_at")
                    .values_list("from_owner_id", "to_owner_id", "actor_id"))


def _stages(deal):
    with scopes_disabled():
        return list(DealStageChange.objects.filter(deal=deal).order_by("changed_at", "created_at")
                    .values_list("from_stage", "to_stage", "actor_id"))


def test_client_create_and_update_record_status_and_owner_changes(alice_world):
    w = alice_world
    director, am, am2 = w.director.user, w.am.user, w.am2.user
    with scope(agency=w.agency):
        client = companies.client_create(agency=w.agency, actor=am, data={"name": "Зерно", "status": "lead"})
        assert _statuses(client) == [("", "lead", am.pk)] and _owners(client) == [(None, am.pk, am.pk)]
        companies.client_update(agency=w.agency, actor=director, client=client, data={"notes": "без изменений"})
        assert len(_statuses(client)) == 1 and len(_owners(client)) == 1  # other fields leave no history
        companies.client_update(agency=w.agency, actor=director, client=client,
                                data={"status": "active", "owner": am2})
    assert _statuses(client) == [("", "lead", am.pk), ("lead", "active", director.pk)]
    assert _owners(client) == [(None, am.pk, am.pk), (am.pk, am2.pk, director.pk)]


def test_deal_create_move_and_edit_record_stage_changes(alice_world):
    w = alice_world
    am = w.am.user
    client = ClientFactory(agency=w.agency, owner=am)
    with scope(agency=w.agency):
        deal = deals.deal_create(agency=w.agency, actor=am, data={"client": client, "title": "SMM", "stage": "new"})
        deals.deal_move(agency=w.agency, actor=am, deal=deal, stage="negotiation")
        deals.deal_move(agency=w.agency, actor=am, deal=deal, stage="negotiation")  # a reorder, not a change
        deals.deal_update(agency=w.agency, actor=am, deal=deal, data={"stage": "lost", "lost_reason": "Цена"})
        deals.deal_update(agency=w.agency, actor=am, deal=deal, data={"title": "SMM 2027"})
    assert _stages(deal) == [("", "new", am.pk), ("new", "negotiation", am.pk), ("negotiation", "lost", am.pk)]


def test_kanban_view_and_api_go_through_the_history(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, status="active")
    deal = DealFactory(agency=w.agency, client=client, owner=w.am.user, stage="new")
    http = login(w.am)
    assert http.post(reverse("clients:deal_move", args=[deal.pk]), {"stage": "proposal_sent"}).status_code == 302
    assert _stages(deal) == [("new", "proposal_sent", w.am.user.pk)]
    response = http.patch(f"/api/v1/clients/{client.pk}/", {"status": "paused"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert _statuses(client) == [("active", "paused", w.am.user.pk)]


def test_brief_without_a_client_records_the_new_clients_first_state(alice_world):
    """proposals.crm creates clients and deals through the CRM services, so their first rows exist too."""
    from proposals.services.briefs import brief_submit

    w = alice_world
    with scope(agency=w.agency):
        brief = brief_submit(agency=w.agency, actor=w.am.user, data={
            "company_name": "Новая компания", "contact_name": "Пётр", "contact_email": "petr@new.example",
            "goals": "Продажи", "channels": ["smm"]})
    assert _statuses(brief.client) == [("", "lead", w.am.user.pk)]
    assert _stages(brief.deal) == [("", "brief_received", w.am.user.pk)]


def test_import_records_new_clients_and_changed_statuses(alice_world, django_capture_on_commit_callbacks):
    w = alice_world

    def run(text):
        with scope(agency=w.agency):
            with django_capture_on_commit_callbacks(execute=True):  # the reading job, as a worker runs it
                imp = import_services.import_file_upload(
                    agency=w.agency, actor=w.director.user, entity="companies",
                    upload=SimpleUploadedFile("c.csv", text.encode(), content_type="text/csv"))
            imp.refresh_from_db()
            imp = import_services.import_file_configure(agency=w.agency, import_file=imp, mapping={"0": "name",
                                                        "1": "status"}, match_key="name", skip_bad_rows=False)
            with django_capture_on_commit_callbacks(execute=True):
                import_services.import_start(agency=w.agency, actor=w.director.user, import_file=imp)

    run("Название;Статус\nКофейня Зерно;lead\n")
    with scopes_disabled():
        zerno = Client.objects.get(agency=w.agency, name="Кофейня Зерно")
    assert _statuses(zerno) == [("", "lead", w.director.user.pk)]
    assert _owners(zerno) == [(None, w.director.user.pk, w.director.user.pk)]
    run("Название;Статус\nКофейня Зерно;active\n")
    run("Название;Статус\nКофейня Зерно;active\n")  # unchanged: no new row
    assert _statuses(zerno) == [("", "lead", w.director.user.pk), ("lead", "active", w.director.user.pk)]


@pytest.mark.django_db
def test_demo_seed_records_the_initial_state_of_every_client_and_deal():
    call_command("seed_demo", quiet=True)
    with scopes_disabled():
        assert ClientStatusChange.objects.filter(from_status="").count() == Client.objects.count()
        assert DealStageChange.objects.filter(from_stage="").count() == Deal.objects.count()
        assert ClientOwnerChange.objects.count() == Client.objects.filter(owner__isnull=False).count()
