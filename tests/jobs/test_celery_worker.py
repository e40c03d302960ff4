"""Integration: a task queued in a request runs in a real Celery worker process on the real broker
(Redis in CI, the filesystem transport locally) against the test database, and updates its Job."""
import csv
import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from mrm.celery import app
from mrm.jobs.models import Job
from tests.conftest import login
from tests.factories import AuditLogFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.xdist_group("celery_worker")]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(transactional_db, settings):
    queue = f"mrm-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mrm.settings.test",
        "MRM_CELERY_WORKER": "1",
        "MRM_TEST_DB_NAME": connection.settings_dict["NAME"],
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),  # job results are private files
    }
    log = open(settings.MEDIA_ROOT.parent / f"worker-{queue}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mrm", "worker", "-P", "solo", "-Q", queue, "--without-mingle",
         "--without-gossip", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_for(job_id, timeout=90) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")


def test_task_queued_in_a_request_runs_in_a_worker_and_only_sees_its_agency(worker, alice, bob):
    AuditLogFactory(agency=alice.agency, actor=alice.user, action="client.created", target_repr="Клиент Алисы")
    AuditLogFactory(agency=bob.agency, actor=bob.user, action="client.created", target_repr="Клиент Боба")
    http = login(alice)
    response = http.post("/settings/audit/export/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with scopes_disabled():
        job = Job.objects.get(agency=alice.agency)
    assert 'hx-trigger="load delay:1s"' in response.content.decode()  # the page polls it
    job = _wait_for(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.started_at is not None and job.attempts == 1
    text = b"".join(http.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("Клиент Алисы" in r for r in rows)
    assert not any("Клиент Боба" in cell for r in rows for cell in r)
