"""Bulk actions on the deal list: a new owner or a stage for the ticked deals after a confirmation, one audit
(and stage history) row per deal, only the deals the member sees; the ticked deals as CSV."""
import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from clients.models import Client, Deal, DealStageChange
from mrm.tenancy.models import AuditLog
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory

pytestmark = pytest.mark.django_db


def _deals(world, n, *, owner=None, client=None, **kw):
    with scopes_disabled():
        client = client or ClientFactory(agency=world.agency, owner=owner or world.am.user)
        return [DealFactory(agency=world.agency, client=client, owner=owner or world.am.user, **kw)
                for _ in range(n)]


def _post(http, url, deals, **data):
    return http.post(url, {"ids": [str(d.pk) for d in deals], **data})


def test_the_deal_list_has_a_checkbox_per_row_and_the_bulk_bar(alice_world):
    w = alice_world
    deals = _deals(w, 3)
    page = login(w.am).get(reverse("clients:deal_list")).content.decode()
    assert 'id="bulk-deals"' in page and 'id="bulk-select-all"' in page and 'id="bulk-apply"' in page
    for d in deals:
        assert f'name="ids" value="{d.pk}"' in page
    page = login(w.specialist).get(reverse("clients:deal_list")).content.decode()
    assert 'id="bulk-apply"' not in page


def test_bulk_owner_confirms_first_then_writes_an_audit_row_per_deal(alice_world):
    w = alice_world
    deals = _deals(w, 5)
    http = login(w.director)
    confirm = _post(http, reverse("clients:deal_bulk"), deals, action="owner", owner=w.am2.user.pk)
    assert confirm.status_code == 200 and len(confirm.context["records"]) == 5
    assert "5" in confirm.context["summary"] and w.am2.user.full_name in confirm.context["summary"]
    with scopes_disabled():
        assert not Deal.objects.filter(owner=w.am2.user).exists()
    done = _post(http, reverse("clients:deal_bulk"), deals, action="owner", owner=w.am2.user.pk, confirm="1",
                 next=reverse("clients:deal_list"))
    assert done.status_code == 302 and done.url == reverse("clients:deal_list")
    with scopes_disabled():
        assert Deal.objects.filter(pk__in=[d.pk for d in deals], owner=w.am2.user).count() == 5
        audits = AuditLog.objects.filter(agency=w.agency, action="deal.updated", actor=w.director.user)
        assert {a.target_id for a in audits} == {str(d.pk) for d in deals}


def test_bulk_stage_move_writes_the_stage_history_and_wins_move_a_lead_to_onboarding(alice_world):
    w = alice_world
    with scopes_disabled():
        lead = ClientFactory(agency=w.agency, owner=w.am.user, status=Client.Status.LEAD)
    deals = _deals(w, 3, client=lead, stage="negotiation")
    _post(login(w.am), reverse("clients:deal_bulk"), deals, action="stage", stage="won", confirm="1")
    with scopes_disabled():
        assert set(Deal.objects.filter(pk__in=[d.pk for d in deals]).values_list("stage", flat=True)) == {"won"}
        assert DealStageChange.objects.filter(deal__in=deals, from_stage="negotiation", to_stage="won",
                                              actor=w.am.user).count() == 3
        assert Client.objects.get(pk=lead.pk).status == Client.Status.ONBOARDING


def test_bulk_lost_needs_a_reason_and_changes_nothing_without_it(alice_world):
    w = alice_world
    deals = _deals(w, 2)
    response = _post(login(w.am), reverse("clients:deal_bulk"), deals, action="stage", stage="lost", confirm="1")
    assert response.status_code == 422 and "lost_reason" in response.context["form"].errors
    with scopes_disabled():
        assert not Deal.objects.filter(stage="lost").exists()
    _post(login(w.am), reverse("clients:deal_bulk"), deals, action="stage", stage="lost",
          lost_reason="Бюджет заморожен", confirm="1")
    with scopes_disabled():
        assert set(Deal.objects.filter(pk__in=[d.pk for d in deals]).values_list("lost_reason", flat=True)) == {
            "Бюджет заморожен"}


def test_deals_of_other_agencies_and_unseen_clients_are_skipped(alice_world, bob_world):
    w = alice_world
    mine = _deals(w, 2)
    hidden = _deals(w, 1, owner=w.am2.user)
    foreign = _deals(bob_world, 2)
    http = login(w.am)
    confirm = _post(http, reverse("clients:deal_bulk"), mine + hidden + foreign, action="stage",
                    stage="negotiation")
    assert confirm.context["skipped"] == 3 and len(confirm.context["records"]) == 2
    _post(http, reverse("clients:deal_bulk"), mine + hidden + foreign, action="stage", stage="negotiation",
          confirm="1")
    with scopes_disabled():
        assert Deal.objects.filter(stage="negotiation").count() == 2
        assert not AuditLog.objects.filter(agency=bob_world.agency, action__startswith="deal.").exists()


def test_a_specialist_may_not_change_deals_in_bulk(alice_world):
    deals = _deals(alice_world, 1)
    response = _post(login(alice_world.specialist), reverse("clients:deal_bulk"), deals, action="stage",
                     stage="won", confirm="1")
    assert response.status_code == 403


def test_nothing_ticked_returns_to_the_list(alice_world):
    response = login(alice_world.am).post(reverse("clients:deal_bulk"), {"action": "stage", "stage": "won"})
    assert response.status_code == 302


def test_export_returns_only_the_ticked_visible_deals(alice_world, bob_world):
    w = alice_world
    chosen = _deals(w, 2)
    _deals(w, 2)  # not ticked
    hidden = _deals(w, 1, owner=w.am2.user)
    foreign = _deals(bob_world, 1)
    response = _post(login(w.am), reverse("clients:deal_bulk_export"), chosen + hidden + foreign)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted(d.title for d in chosen)
    assert len(rows[0]) >= 10


def test_the_confirmation_page_runs_a_constant_number_of_queries(alice_world, django_assert_max_num_queries):
    w = alice_world
    http = login(w.director)
    for n in (3, 30):
        deals = _deals(w, n)
        with django_assert_max_num_queries(14):
            response = _post(http, reverse("clients:deal_bulk"), deals, action="owner", owner=w.am2.user.pk)
        assert response.status_code == 200
