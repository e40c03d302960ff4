"""A proposal past its "valid until" date cannot be accepted; the client can ask for a new version instead."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.models import Task
from mrm.core.errors import ServiceError
from mrm.tenancy.models import AuditLog
from proposals import public
from proposals.models import Decision, Proposal, ProposalVersion, Recipient
from proposals.services import editor, tracking
from tests import factories as f
from tests.conftest import login


@pytest.fixture
def ready(alice_world, catalog):
    """A draft with one line for a client with a contact and an open deal (AM: alice's am)."""
    agency = alice_world.agency
    client = f.ClientFactory(agency=agency, name="ООО «Ромашка»", owner=alice_world.am.user)
    irina = f.ContactFactory(agency=agency, client=client, full_name="Ирина Павлова", email="irina@romashka.example",
                             is_primary=True)
    deal = f.DealFactory(agency=agency, client=client, stage="brief_received", owner=alice_world.am.user)
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=alice_world.am.user, client=client, deal=deal,
                                          title="КП для Ромашки")
        editor.line_add(agency=agency, actor=alice_world.am.user, proposal=proposal,
                        service=catalog["services"]["smm"], hours=10)
        editor.section_add(agency=agency, actor=alice_world.am.user, proposal=proposal,
                           title="Как мы поняли задачу", body="Нужно больше заявок из поиска.")
    return {"proposal": proposal, "irina": irina, "deal": deal, "client": client}


def _send(alice_world, ready, capture):
    with capture(execute=True):
        response = login(alice_world.am).post(reverse("proposals:send", args=[ready["proposal"].pk]), {
            "contacts": [str(ready["irina"].pk)], "message": "Добрый день!"})
    assert response.status_code == 302
    with scopes_disabled():
        return ProposalVersion.objects.filter(proposal=ready["proposal"]).latest("number")


def _recipients(version):
    with scopes_disabled():
        return list(Recipient.objects.filter(version=version))


def _token(recipient):
    with scopes_disabled():
        return public.link_token(recipient=Recipient.objects.select_related("agency").get(pk=recipient.pk))

MSK = ZoneInfo("Europe/Moscow")


def _day_after(version):
    valid_until = datetime.fromisoformat(version.snapshot["valid_until"]).date()
    return datetime.combine(valid_until + timedelta(days=1), time(10, 0), tzinfo=MSK)


def _accept(token, version):
    return HttpClient().post(reverse("proposals_public:webview_decide", args=[token]), {
        "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "version_hash": version.content_hash})


def test_expired_proposal_cannot_be_accepted_and_says_why(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    token = _token(irina)
    with time_machine.travel(_day_after(version), tick=False):
        page = HttpClient().get(reverse("proposals_public:webview", args=[token])).content.decode()
        assert "This proposal has expired" in page and "Ask for a new version" in page
        assert 'name="decision"' not in page  # no accept button on an expired proposal
        refused = _accept(token, version)
    assert refused.status_code == 422 and "can no longer be accepted" in refused.content.decode()
    with scopes_disabled():
        assert Proposal.objects.get(pk=ready["proposal"].pk).status == Proposal.Status.SENT
        assert not Decision.objects.filter(proposal=ready["proposal"]).exists()


def test_the_last_valid_day_still_accepts(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    last_day = _day_after(version) - timedelta(days=1)
    with time_machine.travel(last_day.replace(hour=23, minute=30), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        response = _accept(_token(irina), version)
    assert response.status_code == 302
    with scopes_disabled():
        assert Proposal.objects.get(pk=ready["proposal"].pk).status == Proposal.Status.ACCEPTED


def test_accept_service_refuses_expired_but_a_decline_is_still_recorded(alice_world, ready,
                                                                        django_capture_on_commit_callbacks):
    """The check is in the service, so every way in (web view, API, admin actions) gets it."""
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    agency = alice_world.agency
    with time_machine.travel(_day_after(version), tick=False), scope(agency=agency):
        recipient = Recipient.objects.select_related("proposal").get(pk=irina.pk)
        with pytest.raises(ServiceError) as refused:
            tracking.proposal_decide(agency=agency, recipient=recipient, accept=True, signed_name="Ирина Павлова",
                                     comment="", version_hash=version.content_hash, ip=None, user_agent="")
        assert refused.value.code == "expired"
        decision = tracking.proposal_decide(agency=agency, recipient=recipient, accept=False,
                                            signed_name="Ирина Павлова", comment="Поздно", ip=None, user_agent="",
                                            version_hash=version.content_hash)
    assert decision.kind == Decision.Kind.DECLINED


def test_asking_for_a_new_version_notifies_the_am_once(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    token = _token(irina)
    mail.outbox.clear()
    url = reverse("proposals_public:webview_renewal", args=[token])
    with time_machine.travel(_day_after(version), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = HttpClient().post(url)
        with django_capture_on_commit_callbacks(execute=True):
            again = HttpClient().post(url)
        page = HttpClient().get(reverse("proposals_public:webview", args=[token]) + "?answered=1").content.decode()
    assert first.status_code == again.status_code == 302
    assert "You asked for a new version" in page and "Ask for a new version</button>" not in page
    with scopes_disabled():
        tasks = list(Task.objects.filter(client=ready["client"], kind=Task.Kind.FOLLOW_UP,
                                         title__startswith="Send a new version"))
        assert len(tasks) == 1 and tasks[0].assignee == alice_world.am.user and tasks[0].deal_id == ready["deal"].pk
        assert Recipient.objects.get(pk=irina.pk).renewal_requested_at is not None
        assert AuditLog.objects.filter(action="proposal.renewal_requested").count() == 1
    assert [m.to for m in mail.outbox] == [[alice_world.am.user.email]]
    assert "asks for a new version" in mail.outbox[0].subject


def test_a_valid_proposal_needs_no_new_version(alice_world, ready, django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    response = HttpClient().post(reverse("proposals_public:webview_renewal", args=[_token(irina)]))
    assert response.status_code == 400 and "still valid" in response.content.decode()
    with scopes_disabled():
        assert not Task.objects.filter(title__startswith="Send a new version").exists()


def test_renewal_link_with_a_forged_token_is_404(alice_world):
    assert HttpClient().post(reverse("proposals_public:webview_renewal", args=["forged.token"])).status_code == 404
