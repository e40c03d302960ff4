"""A redelivered message (the worker died, the broker hands the task out again) never does the work twice."""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Client
from mrm.jobs.models import Job
from mrm.jobs.services import job_claim
from mrm.tenancy.models import AuditLog
from proposals.models import Proposal
from proposals.services import drafting
from proposals.tasks import proposal_draft_task
from tests.proposals.conftest import brief, catalog  # noqa: F401 - fixtures
from tests.proposals.test_sending import ready  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for `kill -9`: nothing after it runs, nothing in the task catches it."""


def _expire_lease(job):
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_a_draft_redelivered_after_its_worker_died_creates_one_proposal(alice_world, brief):  # noqa: F811
    agency = alice_world.agency
    with scope(agency=agency):
        job = drafting.draft_start(agency=agency, actor=alice_world.am.user, brief=brief, use_ai=False)
    kwargs = {"agency_id": agency.pk, "job_id": str(job.pk)}
    # The worker dies right after the proposal is written, before the job is marked done.
    with mock.patch.object(drafting, "job_succeed", side_effect=WorkerKilled), pytest.raises(WorkerKilled):
        proposal_draft_task.apply(kwargs=kwargs)
    _expire_lease(job)
    proposal_draft_task.apply(kwargs=kwargs)  # the broker's redelivery, after the lease ran out
    proposal_draft_task.apply(kwargs=kwargs)  # and one more copy of the message, for good measure
    with scopes_disabled():
        job.refresh_from_db()
        proposals = list(Proposal.objects.filter(brief=brief))
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2 and job.takeovers == 1
    assert len(proposals) == 1 and job.result == {"proposal_id": str(proposals[0].pk)}


def test_two_workers_that_both_drafted_save_one_proposal(alice_world, brief):  # noqa: F811
    agency = alice_world.agency
    with scope(agency=agency):
        job = drafting.draft_start(agency=agency, actor=alice_world.am.user, brief=brief, use_ai=False)
        assert job_claim(job=job).claimed
        slow = Job.objects.get(pk=job.pk)  # a worker that stopped heartbeating but is still alive
        _expire_lease(job)
        fast = Job.objects.get(pk=job.pk)
        assert job_claim(job=fast).claimed
        first = drafting.draft_run(agency=agency, job=fast)
        second = drafting.draft_run(agency=agency, job=slow)
        assert Proposal.objects.filter(brief=brief).count() == 1
    assert first is not None and second == first


def test_an_import_redelivered_after_its_rows_were_committed_does_not_import_again(alice_world,
                                                                                  django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clients.services import importing
    from clients.tasks import import_run_task

    w = alice_world
    upload = SimpleUploadedFile("c.csv", "Название;ИНН\nКофейня Зерно;1\nБулочная;2\n".encode(), "text/csv")
    with scope(agency=w.agency):
        with django_capture_on_commit_callbacks(execute=True):  # the reading job, as the worker would run it
            import_file = importing.import_file_upload(agency=w.agency, actor=w.director.user, entity="companies",
                                                       upload=upload)
        import_file.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=False):
            job = importing.import_start(agency=w.agency, actor=w.director.user, import_file=import_file)
    kwargs = {"agency_id": w.agency.pk, "import_id": str(import_file.pk)}
    with mock.patch.object(importing, "job_succeed", side_effect=WorkerKilled), pytest.raises(WorkerKilled):
        import_run_task.apply(kwargs=kwargs)
    _expire_lease(job)
    import_run_task.apply(kwargs=kwargs)
    with scopes_disabled():
        job.refresh_from_db()
        assert Client.objects.filter(agency=w.agency, name__in=["Кофейня Зерно", "Булочная"]).count() == 2
        assert AuditLog.objects.filter(agency=w.agency, action="client_import.completed").count() == 1
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2 and "2" in job.message


def test_a_send_redelivered_after_its_worker_died_mid_mail_sends_the_mail_once(alice_world, ready,  # noqa: F811
                                                                              settings):
    from django.core import mail

    from proposals.models import Recipient
    from proposals.services import sending
    from proposals.tasks import proposal_send_task

    agency = alice_world.agency
    with scope(agency=agency):
        from django.db import transaction

        with transaction.atomic():  # the task is queued on commit; it is run by hand below
            version = sending.proposal_send(agency=agency, actor=alice_world.am.user, proposal=ready["proposal"],
                                            contacts=[ready["irina"], ready["oleg"]])
    mail.outbox.clear()
    kwargs = {"agency_id": agency.pk, "version_id": str(version.pk)}
    real_send = sending.send_templated
    calls = []

    def dies_on_the_second_mail(**kw):
        calls.append(kw["to"])
        if len(calls) == 2:
            raise WorkerKilled
        return real_send(**kw)

    with mock.patch.object(sending, "send_templated", side_effect=dies_on_the_second_mail), \
            pytest.raises(WorkerKilled):
        proposal_send_task.apply(kwargs=kwargs)
    proposal_send_task.apply(kwargs=kwargs)  # redelivered at once: the dying worker's claim is still fresh
    assert len(mail.outbox) == 1
    with scopes_disabled():
        Recipient.objects.filter(version=version).update(
            email_claimed_at=timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 1))
    proposal_send_task.apply(kwargs=kwargs)  # the broker's redelivery, after a lease
    proposal_send_task.apply(kwargs=kwargs)
    assert sorted(m.to[0] for m in mail.outbox) == ["irina@romashka.example", "oleg@romashka.example"]
    with scopes_disabled():
        assert all(r.emailed_at for r in Recipient.objects.filter(version=version))


def test_an_import_whose_claim_was_taken_over_writes_nothing(alice_world, django_capture_on_commit_callbacks):
    """A worker that went silent past its lease while checking rows finds, at the write, that another run holds
    the job now: it writes no rows, so of the two runs only the claimed one imports."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clients.services import importing

    w = alice_world
    upload = SimpleUploadedFile("c.csv", "Название\nКофейня Зерно\n".encode(), "text/csv")
    with scope(agency=w.agency):
        with django_capture_on_commit_callbacks(execute=True):
            import_file = importing.import_file_upload(agency=w.agency, actor=w.director.user, entity="companies",
                                                       upload=upload)
        import_file.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=False):
            job = importing.import_start(agency=w.agency, actor=w.director.user, import_file=import_file)
        assert job_claim(job=job).claimed
        job.refresh_from_db()
        stale = Job.objects.get(pk=job.pk)  # what the silent worker holds
        _expire_lease(job)
        assert job_claim(job=job).claimed  # the redelivery takes the job over
        importing.import_run(agency=w.agency, import_file=import_file, job=stale)
        assert not Client.objects.filter(agency=w.agency, name="Кофейня Зерно").exists()
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and job.attempts == stale.attempts + 1
        importing.import_run(agency=w.agency, import_file=import_file, job=job)
        assert Client.objects.filter(agency=w.agency, name="Кофейня Зерно").count() == 1
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED
