from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Client
from mrm.celery import app
from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.jobs.services import job_fail_stale, job_progress, job_running, job_start, job_succeed
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
        assert job_start(job=job) and job.status == Job.Status.RUNNING
        job_progress(job=job, progress=150, message="почти")
        job.refresh_from_db()
        assert job.progress == 100 and job.message == "почти"
        job_succeed(job=job, message="готово")
        job_progress(job=job, progress=10)
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED and job.progress == 100
        assert not job_start(job=job)  # a finished job is not run again


def test_domain_error_fails_the_job_with_its_message(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        job_start(job=job)
        with job_running(job=job):
            raise ServiceError("В файле нет колонки «Название»")
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Название" in job.error


def test_unexpected_error_fails_the_job_with_a_generic_message_and_is_reraised(alice):
    job = JobFactory(agency=alice.agency)
    with scope(agency=alice.agency):
        job_start(job=job)
        with pytest.raises(ZeroDivisionError):
            with job_running(job=job):
                1 / 0  # noqa: B018
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "ZeroDivision" not in job.error and job.error


def test_stale_jobs_are_failed_visibly(alice):
    stale = JobFactory(agency=alice.agency, status=Job.Status.RUNNING)
    fresh = JobFactory(agency=alice.agency, status=Job.Status.QUEUED)
    with scopes_disabled():
        Job.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
        assert job_fail_stale() == 1
        stale.refresh_from_db()
        fresh.refresh_from_db()
    assert stale.status == Job.Status.FAILED and stale.error
    assert fresh.status == Job.Status.QUEUED
