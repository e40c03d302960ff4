"""The change-request API: drafts with lines (rates from the rate card), send and withdraw actions, costs only with
project.view_costs, another agency's request 404."""
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from clients.models import Contact
from projects.models import ChangeRequest
from tests.conftest import login

from .changes_helpers import draft_with_lines, project_of, rate_card

pytestmark = pytest.mark.django_db
BASE = "/api/v1/change-requests/"


def test_am_creates_edits_sends_and_withdraws_through_the_api(alice_world, django_capture_on_commit_callbacks):
    project = project_of(alice_world)
    designer, copywriter = rate_card(alice_world.agency)
    http = login(alice_world.am)
    created = http.post(BASE, {"project": str(project.pk), "title": "Ещё лендинг", "lines": [
        {"role": str(designer.pk), "description": "Макет", "hours": "8", "rate": "1"}]}, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["number"] == 1 and data["subtotal"] == "24000.00" and data["lines"][0]["rate"] == "3000.00"
    assert data["cost_amount"] is None and data["lines"][0]["cost_amount"] is None  # an AM sees no cost
    url = f"{BASE}{data['id']}/"
    patched = http.patch(url, {"lines": [{"role": str(copywriter.pk), "description": "Тексты", "hours": "2"}],
                               "discount_percent": "5", "discount_reason": "Пакет"}, content_type="application/json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["subtotal"] == "5000.00" and patched.json()["discount_amount"] == "250.00"
    assert len(patched.json()["lines"]) == 1
    with scopes_disabled():
        contact = Contact.objects.get(pk=alice_world.client_contact.contact_id)
    assert http.post(f"{url}send/", {"contacts": []}, content_type="application/json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = http.post(f"{url}send/", {"contacts": [str(contact.pk)]}, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["status"] == "sent" and len(sent.json()["content_hash"]) == 64
    # A sent request is no longer a draft: no edits, no delete.
    assert http.patch(url, {"title": "x"}, content_type="application/json").status_code == 400
    assert http.delete(url).status_code == 400
    withdrawn = http.post(f"{url}withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_director_sees_costs_and_may_delete_a_draft(alice_world):
    cr = draft_with_lines(alice_world)
    http = login(alice_world.director)
    data = http.get(f"{BASE}{cr.pk}/").json()
    assert Decimal(data["cost_amount"]) == cr.cost_amount and data["lines"][0]["internal_cost_rate"] == "1200.00"
    assert http.delete(f"{BASE}{cr.pk}/").status_code == 204
    with scopes_disabled():
        assert not ChangeRequest.objects.filter(pk=cr.pk).exists()


def test_another_agencys_request_and_project_answer_404(alice_world, bob_world):
    bobs = draft_with_lines(bob_world)
    http = login(alice_world.director)
    assert http.get(f"{BASE}{bobs.pk}/").status_code == 404
    assert http.post(f"{BASE}{bobs.pk}/withdraw/").status_code == 404
    assert str(bobs.pk) not in http.get(BASE).content.decode()
    refused = http.post(BASE, {"project": str(bobs.project_id), "title": "x"}, content_type="application/json")
    assert refused.status_code == 400 and "project" in refused.json()


def test_specialist_reads_but_cannot_write(alice_world):
    cr = draft_with_lines(alice_world)
    http = login(alice_world.specialist)  # the project's PM: sees it, may not price or send
    assert http.get(f"{BASE}{cr.pk}/").status_code == 200
    assert http.post(f"{BASE}{cr.pk}/withdraw/").status_code == 403
    assert http.post(BASE, {"project": str(cr.project_id), "title": "x"}, content_type="application/json"
                     ).status_code == 403
