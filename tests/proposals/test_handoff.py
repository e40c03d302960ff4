"""The proposal → delivery hand-off is a durable outbox row written with the acceptance and delivered by a task."""
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mrm.jobs.models import OutboxEvent
from proposals import handoff
from proposals.models import Proposal
from proposals.services import documents
from proposals.tasks import handoff_deliver_task, handoff_outbox_sweep_task
from tests.proposals.test_sending import _recipients, _send, _token, ready  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def receivers():
    registered = []

    def register(fn):
        handoff.register_receiver(fn)
        registered.append(fn)
        return fn

    yield register
    for fn in registered:
        handoff.unregister_receiver(fn)


def _accept(alice_world, ready, capture):  # noqa: F811
    version = _send(alice_world, ready, capture)
    (irina,) = _recipients(version)
    with capture(execute=True):
        response = HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(irina)]), {
            "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "comment": "", "version_hash": version.content_hash})
    assert response.status_code == 302
    return version


def _events():
    with scopes_disabled():
        return list(OutboxEvent.objects.filter(kind=handoff.KIND))


def test_acceptance_writes_one_row_and_each_receiver_gets_it_once(alice_world, ready, receivers,  # noqa: F811
                                                                 django_capture_on_commit_callbacks):
    received = []
    receivers(lambda h: received.append(h))
    version = _accept(alice_world, ready, django_capture_on_commit_callbacks)
    (event,) = _events()
    assert event.key == f"{ready['proposal'].pk}:{version.content_hash}" and event.processed_at and event.attempts == 1
    (got,) = received
    assert (got.proposal_id, got.version_hash, got.total) == (ready["proposal"].pk, version.content_hash, version.total)
    assert got.snapshot == documents.accepted_snapshot(snapshot=version.snapshot)  # no options chosen
    agency = alice_world.agency
    with scope(agency=agency), transaction.atomic():  # recorded again (a retried acceptance): still one row
        handoff.handoff_record(agency=agency, handoff=got)
    handoff_deliver_task.delay(agency_id=agency.pk, event_id=str(event.pk))  # the task runs twice
    assert len(_events()) == 1 and len(received) == 1


def test_the_row_commits_or_rolls_back_with_the_acceptance(alice_world, ready):  # noqa: F811
    from proposals.services import sending

    agency = alice_world.agency
    with scope(agency=agency):
        sending.proposal_send(agency=agency, actor=alice_world.am.user, proposal=ready["proposal"],
                              contacts=[ready["irina"]])
        version = ready["proposal"].versions.get()
        (irina,) = _recipients(version)
        from proposals.services import tracking

        with pytest.raises(RuntimeError), transaction.atomic():
            tracking.proposal_decide(agency=agency, recipient=irina, accept=True, signed_name="Ирина Павлова",
                                     comment="", version_hash=version.content_hash, ip=None, user_agent="")
            raise RuntimeError("the acceptance's transaction fails")
        assert Proposal.objects.get(pk=ready["proposal"].pk).status == Proposal.Status.SENT
    assert _events() == []


def test_a_failing_receiver_leaves_the_row_unprocessed_and_a_later_retry_delivers_it(
        alice_world, ready, receivers, django_capture_on_commit_callbacks):  # noqa: F811
    calls = {"ok": 0, "flaky": 0}
    broken = {"yes": True}

    def projects_ok(h):
        calls["ok"] += 1

    def projects_flaky(h):
        calls["flaky"] += 1
        if broken["yes"]:
            raise ConnectionError("projects database is away")

    receivers(projects_ok)
    receivers(projects_flaky)
    _accept(alice_world, ready, django_capture_on_commit_callbacks)
    (event,) = _events()
    assert event.processed_at is None and event.attempts == 1 and "projects database is away" in event.last_error
    assert event.next_attempt_at > timezone.now() and calls == {"ok": 1, "flaky": 1}
    assert handoff_outbox_sweep_task.delay().get() == 0  # not due yet
    broken["yes"] = False
    with scopes_disabled():
        OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert handoff_outbox_sweep_task.delay().get() == 1  # the beat sweep re-sends it
    (event,) = _events()
    assert event.processed_at and event.last_error == "" and event.attempts == 2
    assert calls == {"ok": 1, "flaky": 2}  # the receiver that had taken it is not called again
    assert handoff_outbox_sweep_task.delay().get() == 0
