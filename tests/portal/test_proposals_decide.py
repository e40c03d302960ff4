"""Accepting or declining in the portal leaves the same deliberate record as the personal link: the typed full
name and the box, the exact version and its hash, time, IP, the portal user's contact; the deal moves and the
hand-off to delivery is written. A stale or changed version is refused in place (422)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.models import Deal
from mrm.jobs.models import OutboxEvent
from mrm.tenancy.models import AuditLog
from proposals import handoff
from proposals.models import Decision, Proposal, Via
from proposals.services import editor
from tests import factories as f
from tests.conftest import login

from .proposals_helpers import catalog_service, draft, portal_company, portal_person, recipient_of, send

pytestmark = pytest.mark.django_db

TYPED = "Клиент Контактов"


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _decide(http, proposal, data, **extra):
    return http.post(reverse("portal:proposal_decide", args=[proposal.pk]), data, **extra)


def _state(proposal):
    with scopes_disabled():
        proposal = Proposal.objects.select_related("deal").get(pk=proposal.pk)
        return proposal, Decision.objects.filter(proposal=proposal).select_related("contact", "recipient").first()


def test_accepting_records_the_version_the_contact_and_hands_off(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(login(alice_world.client_contact), proposal, {
            "decision": "accept", "signed_name": f"  {TYPED} ", "accept_terms": "on", "comment": "Стартуем",
            "version_hash": version.content_hash}, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:proposal", args=[proposal.pk]) + "?answered=1"
    proposal, decision = _state(proposal)
    assert proposal.status == Proposal.Status.ACCEPTED and proposal.deal.stage == Deal.Stage.WON
    assert decision.kind == Decision.Kind.ACCEPTED and decision.via == Via.PORTAL
    assert decision.version_id == version.pk and decision.version_hash == version.content_hash
    assert decision.signed_name == TYPED and decision.ip_address == "192.0.2.44"
    assert decision.contact == portal_person(alice_world)
    assert decision.recipient == recipient_of(version, portal_person(alice_world))  # their own link, kept
    with scopes_disabled():
        (event,) = OutboxEvent.objects.filter(kind=handoff.KIND)
        assert event.key == f"{proposal.pk}:{version.content_hash}"
        audit = AuditLog.objects.get(action="proposal.accepted")
        assert audit.changes["via"] == [None, "portal"] and audit.changes["ip"] == [None, "192.0.2.44"]
    # The client gets the certified PDF, the AM hears.
    assert any(m.to == ["client@alice.test"] and m.attachments for m in mail.outbox)
    assert any(m.to == [alice_world.am.user.email] for m in mail.outbox)
    page = login(alice_world.client_contact).get(reverse("portal:proposal", args=[proposal.pk]) + "?answered=1")
    body = page.content.decode()
    assert 'id="portal-proposal-decision"' in body and TYPED in body and 'name="accept_terms"' not in body
    staff = login(alice_world.am).get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert 'id="decision-via-portal"' in staff  # the AM sees where the client answered


def test_a_colleague_not_e_mailed_can_accept_and_gets_the_confirmation(alice_world,
                                                                        django_capture_on_commit_callbacks):
    other = f.ContactFactory(agency=alice_world.agency, client=portal_company(alice_world), email="boss@client.example")
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks, contacts=[other])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(login(alice_world.client_contact), proposal, {
            "decision": "accept", "signed_name": TYPED, "accept_terms": "on", "version_hash": version.content_hash})
    assert response.status_code == 302
    _proposal, decision = _state(proposal)
    assert decision.recipient is None and decision.contact == portal_person(alice_world)
    assert decision.email == "client@alice.test" and decision.confirmation_sent_at is not None
    assert any(m.to == ["client@alice.test"] for m in mail.outbox)


def test_accepting_needs_the_full_name_and_the_box_and_declining_a_reason(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    http = login(alice_world.client_contact)
    unticked = _decide(http, proposal, {"decision": "accept", "signed_name": TYPED, "comment": "Ок",
                                        "version_hash": version.content_hash})
    assert unticked.status_code == 422 and set(unticked.context["form"].errors) == {"accept_terms"}
    assert f'value="{TYPED}"' in unticked.content.decode()  # nothing typed is lost
    one_word = _decide(http, proposal, {"decision": "accept", "signed_name": "Клиент", "accept_terms": "on",
                                        "version_hash": version.content_hash}, HTTP_HX_REQUEST="true")
    assert one_word.status_code == 422 and set(one_word.context["form"].errors) == {"signed_name"}
    no_reason = _decide(http, proposal, {"decision": "decline", "signed_name": TYPED, "comment": "  ",
                                         "version_hash": version.content_hash})
    assert no_reason.status_code == 422 and set(no_reason.context["form"].errors) == {"comment"}
    assert "Say why you decline" in no_reason.content.decode()
    garbage = _decide(http, proposal, {"decision": "maybe", "signed_name": TYPED, "version_hash": "x"})
    assert garbage.status_code == 422
    proposal, decision = _state(proposal)
    assert decision is None and proposal.status == Proposal.Status.SENT


def test_declining_with_a_reason_moves_the_deal_to_lost(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    response = _decide(login(alice_world.client_contact), proposal, {
        "decision": "decline", "signed_name": "Клиент", "comment": "Дорого для нас",
        "version_hash": version.content_hash})
    assert response.status_code == 302
    proposal, decision = _state(proposal)
    assert proposal.status == Proposal.Status.DECLINED and decision.kind == Decision.Kind.DECLINED
    assert proposal.deal.stage == Deal.Stage.LOST and proposal.deal.lost_reason == "Дорого для нас"
    assert decision.comment == "Дорого для нас" and decision.via == Via.PORTAL
    with scopes_disabled():
        assert not OutboxEvent.objects.filter(kind=handoff.KIND).exists()
    again = _decide(login(alice_world.client_contact), proposal, {
        "decision": "accept", "signed_name": TYPED, "accept_terms": "on", "version_hash": version.content_hash})
    assert again.status_code == 422 and "already been answered" in again.content.decode()


def test_a_stale_or_changed_version_is_refused_with_a_message(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    v1 = send(alice_world, proposal, django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency):
        editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                        service=catalog_service(alice_world), hours=5, stage="Ещё")
    v2 = send(alice_world, proposal, django_capture_on_commit_callbacks)
    http = login(alice_world.client_contact)
    stale = _decide(http, proposal, {"decision": "accept", "signed_name": TYPED, "accept_terms": "on",
                                     "version_hash": v1.content_hash})
    page = stale.content.decode()
    assert stale.status_code == 422 and "A newer version of this proposal was sent to you" in page
    assert v2.content_hash in page  # the page now shows the latest version…
    assert "checked" not in page.split('name="accept_terms"')[1].split(">")[0]  # …and the box must be ticked again
    forged = _decide(http, proposal, {"decision": "accept", "signed_name": TYPED, "accept_terms": "on",
                                      "version_hash": "f" * 64})
    assert forged.status_code == 422 and "changed while you were reading" in forged.content.decode()
    proposal, decision = _state(proposal)
    assert decision is None and proposal.status == Proposal.Status.SENT
    ok = _decide(http, proposal, {"decision": "accept", "signed_name": TYPED, "accept_terms": "on",
                                  "version_hash": v2.content_hash})
    assert ok.status_code == 302 and _state(proposal)[1].version_id == v2.pk


def test_an_expired_version_cannot_be_accepted_but_can_be_declined(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    valid_until = datetime.fromisoformat(version.snapshot["valid_until"]).date()
    after = datetime.combine(valid_until + timedelta(days=1), time(10, 0), tzinfo=ZoneInfo("Europe/Moscow"))
    with time_machine.travel(after, tick=False):
        http = login(alice_world.client_contact)
        page = http.get(reverse("portal:proposal", args=[proposal.pk]))
        assert 'id="expired"' in page.content.decode() and 'name="accept_terms"' not in page.content.decode()
        assert page.context["row"].status == "expired"
        refused = _decide(http, proposal, {"decision": "accept", "signed_name": TYPED, "accept_terms": "on",
                                           "version_hash": version.content_hash})
        assert refused.status_code == 422 and "can no longer be accepted" in refused.content.decode()
        declined = _decide(http, proposal, {"decision": "decline", "signed_name": TYPED, "comment": "Поздно",
                                            "version_hash": version.content_hash})
        assert declined.status_code == 302
    assert _state(proposal)[0].status == Proposal.Status.DECLINED


def test_the_decision_needs_csrf_and_a_client_login(alice_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    data = {"decision": "accept", "signed_name": TYPED, "accept_terms": "on", "version_hash": version.content_hash}
    csrf = HttpClient(enforce_csrf_checks=True)
    csrf.force_login(alice_world.client_contact.user, backend="mrm.accounts.backends.EmailBackend")
    assert _decide(csrf, proposal, data).status_code == 403
    assert _decide(login(alice_world.am), proposal, data).status_code == 403
    anonymous = _decide(HttpClient(), proposal, data)
    assert anonymous.status_code in (302, 403)
    assert _decide(login(alice_world.client_contact), proposal, data, HTTP_HX_REQUEST="true").status_code == 302
    assert _state(proposal)[1].contact == portal_person(alice_world)


def test_an_expired_version_can_be_renewed_once_from_the_portal(alice_world, bob_world,
                                                                 django_capture_on_commit_callbacks):
    from clients.models import Task

    proposal = draft(alice_world)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    theirs = draft(bob_world)
    send(bob_world, theirs, django_capture_on_commit_callbacks)
    valid_until = datetime.fromisoformat(version.snapshot["valid_until"]).date()
    after = datetime.combine(valid_until + timedelta(days=1), time(10, 0), tzinfo=ZoneInfo("Europe/Moscow"))
    with scopes_disabled():
        tasks_before = Task.objects.filter(agency=alice_world.agency).count()
    with time_machine.travel(after, tick=False):
        http = login(alice_world.client_contact)
        assert 'id="portal-proposal-renewal"' in http.get(reverse("portal:proposal", args=[proposal.pk])).content.decode()
        url = reverse("portal:proposal_renewal", args=[proposal.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert http.post(url).status_code == 302
            assert http.post(url).status_code == 302  # asking twice makes no second task
        page = http.get(reverse("portal:proposal", args=[proposal.pk])).content.decode()
        assert 'id="portal-proposal-renewal"' not in page and "You asked for a new version" in page
        assert http.post(reverse("portal:proposal_renewal", args=[theirs.pk])).status_code == 404
    with scopes_disabled():
        assert recipient_of(version, portal_person(alice_world)).renewal_requested_at is not None
        assert Task.objects.filter(agency=alice_world.agency).count() == tasks_before + 1
    # Before it expires there is nothing to renew: the service refuses, the page says why.
    fresh = draft(alice_world, with_deal=False)
    send(alice_world, fresh, django_capture_on_commit_callbacks)
    refused = login(alice_world.client_contact).post(reverse("portal:proposal_renewal", args=[fresh.pk]), follow=True)
    assert "still valid" in refused.content.decode()
