"""The client approves or declines a change request in the portal: own company only, deliberate, on the text
shown, CSRF-protected, no internal cost."""
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from mrm.core.templatetags.mrm import money as _money
from projects.models import BudgetLine, ChangeRequest
from tests import factories as f
from tests.conftest import login

from .changes_helpers import draft_with_lines, project_of, send

pytestmark = pytest.mark.django_db


def money(*args):
    """The pages and mails under test are in Russian, whatever language an earlier test left active."""
    with translation.override("ru"):
        return _money(*args)


@pytest.fixture
def sent(alice_world, django_capture_on_commit_callbacks):
    return send(alice_world, draft_with_lines(alice_world), django_capture_on_commit_callbacks)


def test_client_reads_the_request_without_internal_cost(alice_world, sent):
    http = login(alice_world.client_contact)
    listing = http.get(reverse("portal:changes"))
    assert listing.status_code == 200 and reverse("portal:change_detail", args=[sent.pk]) in listing.content.decode()
    page = http.get(reverse("portal:change_detail", args=[sent.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="portal-approve"' in body and sent.content_hash in body
    assert money(sent.total) in body
    # Internal cost never shows: the designer's cost rate, the line's cost, the request's cost.
    for amount in (Decimal("1200"), Decimal("12000"), sent.cost_amount):
        assert money(amount) not in body


def test_another_companys_and_another_agencys_requests_answer_404(alice_world, bob_world, sent,
                                                                  django_capture_on_commit_callbacks):
    other_company = f.ClientFactory(agency=alice_world.agency)
    theirs = draft_with_lines(alice_world, f.ProjectFactory(agency=alice_world.agency, client=other_company))
    with scopes_disabled():
        ChangeRequest.objects.filter(pk=theirs.pk).update(status=ChangeRequest.Status.SENT, content_hash="x" * 64)
    bobs = send(bob_world, draft_with_lines(bob_world), django_capture_on_commit_callbacks)
    http = login(alice_world.client_contact)
    for cr in (theirs, bobs):
        assert http.get(reverse("portal:change_detail", args=[cr.pk])).status_code == 404
        assert http.post(reverse("portal:change_decide", args=[cr.pk]),
                         {"decision": "approve", "confirm": "on", "content_hash": cr.content_hash}).status_code == 404
    assert reverse("portal:change_detail", args=[theirs.pk]) not in http.get(reverse("portal:changes")).content.decode()


def test_a_draft_is_not_shown_to_the_client(alice_world):
    draft = draft_with_lines(alice_world)
    assert login(alice_world.client_contact).get(reverse("portal:change_detail", args=[draft.pk])).status_code == 404


def test_staff_cannot_use_the_portal_decision(alice_world, sent):
    response = login(alice_world.am).post(reverse("portal:change_decide", args=[sent.pk]),
                                          {"decision": "approve", "confirm": "on", "content_hash": sent.content_hash})
    assert response.status_code == 403


def test_approval_needs_the_confirmation_box_then_applies_the_change(alice_world, sent):
    http = login(alice_world.client_contact)
    url = reverse("portal:change_decide", args=[sent.pk])
    refused = http.post(url, {"decision": "approve", "content_hash": sent.content_hash})
    assert refused.status_code == 422
    stale = http.post(url, {"decision": "approve", "confirm": "on", "content_hash": "0" * 64})
    assert stale.status_code == 422
    response = http.post(url, {"decision": "approve", "confirm": "on", "content_hash": sent.content_hash},
                         REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    with scopes_disabled():
        sent.refresh_from_db()
        assert BudgetLine.objects.filter(change_request_id=sent.pk).count() == 2
    assert sent.status == ChangeRequest.Status.APPROVED and sent.decision_ip == "203.0.113.9"
    assert sent.decided_by == alice_world.client_contact.user
    assert sent.decided_contact_id == alice_world.client_contact.contact_id
    # Deciding twice changes nothing.
    again = http.post(url, {"decision": "decline", "note": "передумали", "content_hash": sent.content_hash})
    assert again.status_code == 422
    with scopes_disabled():
        assert BudgetLine.objects.filter(change_request_id=sent.pk).count() == 2


def test_decline_needs_a_note(alice_world, sent):
    http = login(alice_world.client_contact)
    url = reverse("portal:change_decide", args=[sent.pk])
    assert http.post(url, {"decision": "decline", "content_hash": sent.content_hash}).status_code == 422
    assert http.post(url, {"decision": "decline", "note": "Не в этом квартале",
                           "content_hash": sent.content_hash}).status_code == 302
    with scopes_disabled():
        sent.refresh_from_db()
    assert sent.status == ChangeRequest.Status.DECLINED and sent.decision_note == "Не в этом квартале"


def test_decision_needs_the_csrf_token(alice_world, sent):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(alice_world.client_contact.user, backend="mrm.accounts.backends.EmailBackend")
    response = http.post(reverse("portal:change_decide", args=[sent.pk]),
                         {"decision": "approve", "confirm": "on", "content_hash": sent.content_hash})
    assert response.status_code == 403
    with scopes_disabled():
        sent.refresh_from_db()
    assert sent.status == ChangeRequest.Status.SENT


def test_portal_list_is_constant_in_queries(alice_world, django_capture_on_commit_callbacks,
                                            django_assert_max_num_queries):
    project = project_of(alice_world)
    for _ in range(4):
        send(alice_world, draft_with_lines(alice_world, project), django_capture_on_commit_callbacks)
    http = login(alice_world.client_contact)
    with django_assert_max_num_queries(12):
        assert http.get(reverse("portal:changes")).status_code == 200
