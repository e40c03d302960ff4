from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Client
from mrm.celery import app
from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.jobs.services import (
    Claim,
    job_claim,
    job_fail_stale,
    job_heartbeat,
    job_progress,
    job_running,
    job_succeed,
    stale_after_seconds,
)
from mrm.tenancy.tasks import AgencyTask
from tests.factories import ClientFactory, JobFactory

pytestmark = pytest.mark.django_db


@app.task(base=AgencyTask, name="tests.peek_client")
def peek_client_task(*, agency_id: int, client_id: str) -> str | None:
    client = Client.objects.filter(pk=client_id).first()
    return client.name if client else None


def test_agency_task_runs_inside_its_agency_scope(alice, bob):
    mine = ClientFactory(agency=alice.agency, name="Клиент А")
    theirs = ClientFactory(agency=bob.agency, name="Клиент Б")
    assert peek_client_task.delay(agency_id=alice.agency.pk, client_id=str(mine.pk)).get() == "Клиент А"
    assert peek_client_task.delay(agency_id=alice.agency.pk, client_id=str(theirs.pk)).get() is None


def test_agency_task_requires_an_agency(alice):
    with pytest.raises(TypeError):
        peek_client_task.apply(kwargs={"client_id": "x"}).get()


def test_job_lifecycle_and_progress_never_overwrites_a_final_state(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        assert job_claim(job=job).claimed and job.status == Job.Status.RUNNING
        job_progress(job=job, progress=150, message="почти")
        job.refresh_from_db()
        assert job.progress == 100 and job.message == "почти"
        job_succeed(job=job, message="готово")
        job_progress(job=job, progress=10)
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED and job.progress == 100
        assert not job_claim(job=job).claimed  # a finished job is not run again


def test_domain_error_fails_the_job_with_its_message(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        job_claim(job=job)
        with job_running(job=job):
            raise ServiceError("В файле нет колонки «Название»")
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Название" in job.error


def test_unexpected_error_fails_the_job_with_a_generic_message_and_is_reraised(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        job_claim(job=job)
        with pytest.raises(ZeroDivisionError):
            with job_running(job=job):
                1 / 0  # noqa: B018
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "ZeroDivision" not in job.error and job.error


def _age(job, **fields):
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()


def test_a_redelivered_message_does_not_run_a_running_job_a_second_time(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        first = job_claim(job=job)
        assert first.outcome is Claim.CLAIMED and job.lease_expires_at > timezone.now() and job.heartbeat_at
        copy = Job.objects.get(pk=job.pk)  # what the second delivery loads
        second = job_claim(job=copy)
        assert second.outcome is Claim.BUSY and 0 < second.retry_in <= settings.JOB_LEASE_SECONDS + 1
        assert not job_claim(job=Job.objects.get(pk=job.pk)).claimed
        job.refresh_from_db()
    assert job.attempts == 1 and job.status == Job.Status.RUNNING


def test_a_running_job_is_taken_over_only_after_its_lease_expired_and_the_old_worker_is_fenced_off(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        assert job_claim(job=job).claimed
        old_worker = Job.objects.get(pk=job.pk)
        _age(job, lease_expires_at=timezone.now() - timedelta(seconds=1))
        new_worker = Job.objects.get(pk=job.pk)
        assert job_claim(job=new_worker).claimed
        assert (new_worker.attempts, new_worker.takeovers) == (2, 1)
        # The vanished worker comes back: its ticks no longer move the job, nor keep its lease.
        job_progress(job=old_worker, progress=80, message="old")
        assert not job_heartbeat(job=old_worker)
        job_progress(job=new_worker, progress=30, message="new")
        job.refresh_from_db()
    assert (job.progress, job.message) == (30, "new")


def test_progress_ticks_are_heartbeats_that_extend_the_lease(alice, settings):
    settings.JOB_LEASE_SECONDS = 60
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        job_claim(job=job)
        _age(job, heartbeat_at=timezone.now() - timedelta(seconds=50),
             lease_expires_at=timezone.now() + timedelta(seconds=10))
        job_progress(job=job, progress=40)
        job.refresh_from_db()
    assert job.lease_expires_at > timezone.now() + timedelta(seconds=55)
    assert job.heartbeat_at > timezone.now() - timedelta(seconds=5)


def test_a_job_that_waited_in_a_backlog_is_not_failed_when_it_starts(alice):
    backlog = JobFactory(agency=alice.agency)
    _age(backlog, created_at=timezone.now() - timedelta(minutes=31))
    with scopes_disabled():
        assert job_fail_stale() == 0
        assert job_claim(job=backlog).claimed
        assert job_fail_stale() == 0
        backlog.refresh_from_db()
    assert backlog.status == Job.Status.RUNNING


def test_the_reaper_fails_only_jobs_no_redelivery_can_finish(alice, settings):
    now = timezone.now()
    lost = JobFactory(agency=alice.agency, status=Job.Status.RUNNING)
    _age(lost, lease_expires_at=now - timedelta(seconds=stale_after_seconds() + 1), started_at=now)
    waiting = JobFactory(agency=alice.agency, status=Job.Status.RUNNING)  # its message may still come back
    _age(waiting, lease_expires_at=now - timedelta(seconds=settings.JOB_VISIBILITY_TIMEOUT_SECONDS))
    never = JobFactory(agency=alice.agency)
    _age(never, created_at=now - timedelta(seconds=settings.JOB_QUEUED_MAX_SECONDS + 1))
    with scopes_disabled():
        assert job_fail_stale() == 2
        for job in (lost, waiting, never):
            job.refresh_from_db()
    assert lost.status == Job.Status.FAILED and lost.error
    assert never.status == Job.Status.FAILED and never.error
    assert waiting.status == Job.Status.RUNNING


def test_a_job_that_kills_its_worker_every_time_stops_being_taken_over(alice, settings):
    settings.JOB_MAX_TAKEOVERS = 2
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        assert job_claim(job=job).claimed
        for _ in range(2):
            _age(job, lease_expires_at=timezone.now() - timedelta(seconds=1))
            assert job_claim(job=job).claimed
        _age(job, lease_expires_at=timezone.now() - timedelta(seconds=1))
        assert job_claim(job=job).outcome is Claim.FINISHED
    assert job.status == Job.Status.FAILED and "несколько раз прерывалась" in job.error  # ru: "was interrupted several times"


def test_lease_visibility_timeout_and_reaper_are_aligned(settings):
    """The redelivery comes after a lease can have run out, and the reaper waits for it."""
    assert settings.JOB_LEASE_SECONDS < settings.JOB_VISIBILITY_TIMEOUT_SECONDS
    assert stale_after_seconds() > settings.JOB_VISIBILITY_TIMEOUT_SECONDS + settings.JOB_REDELIVERY_SCAN_SECONDS
    assert settings.JOB_VISIBILITY_TIMEOUT_SECONDS - settings.JOB_LEASE_SECONDS <= 5 * 60  # "slightly above"
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert options["visibility_timeout"] == settings.JOB_VISIBILITY_TIMEOUT_SECONDS
        assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] \
            == settings.JOB_REDELIVERY_SCAN_SECONDS


def test_a_busy_delivery_looks_again_when_the_other_lease_runs_out(alice, monkeypatch):
    from mrm.tenancy import tasks

    job = JobFactory(agency=alice.agency, kind="audit.export")
    with scope(agency=alice.agency):
        job_claim(job=job)
    task = tasks.audit_export_task
    deferred = []
    monkeypatch.setattr(task, "apply_async", lambda **kw: deferred.append(kw))
    task.apply(kwargs={"agency_id": alice.agency.pk, "job_id": str(job.pk)})
    (call,) = deferred
    assert call["kwargs"] == {"agency_id": alice.agency.pk, "job_id": str(job.pk)}
    assert 0 < call["countdown"] <= settings.JOB_LEASE_SECONDS + 1
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1


@pytest.mark.parametrize(("task", "queue"), [
    ("proposals.tasks.proposal_draft_task", "ai"),
    ("proposals.tasks.proposal_render_pdf_task", "pdf"),
    ("clients.tasks.import_run_task", "imports"),
    ("proposals.tasks.proposal_send_task", "mail"),
    ("mrm.tenancy.tasks.audit_export_task", "default"),
    ("proposals.tasks.handoff_deliver_task", "default"),
    ("clients.tasks.invoices_mark_overdue_task", "default"),
])
def test_each_workload_has_its_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == settings.CELERY_QUEUE_PREFIX + queue


def test_the_worker_commands_consume_every_queue():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    (procfile,) = re.findall(r"^worker:.*-Q (\S+)", (root / "Procfile").read_text(), re.M)
    assert set(procfile.split(",")) == set(settings.JOB_QUEUES)  # `make run`: one worker for all
    compose = re.findall(r"celery -A mrm worker -Q (\S+)", (root / "docker-compose.yml").read_text())
    assert len(compose) == 2 and {q for queues in compose for q in queues.split(",")} == set(settings.JOB_QUEUES)
