"""Integration: tasks queued by the app run in real Celery worker processes on the real broker (Redis in CI,
the filesystem transport locally) against the test database: every task type, on its own queue, and a
worker killed with SIGKILL in the middle of a job, whose job is then finished exactly once by a new worker."""
import csv
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Client, Invoice, Tag
from mrm.celery import app
from mrm.jobs.models import Job, OutboxEvent
from proposals.models import Decision, Proposal, Recipient
from tests.conftest import login
from tests.factories import AuditLogFactory, InvoiceFactory, JobFactory
from tests.proposals.conftest import brief, catalog  # noqa: F401 - fixtures
from tests.proposals.test_sending import _recipients, _token, ready  # noqa: F401 - fixture

from .worker_tasks import slow_import_task

pytestmark = [pytest.mark.celery_worker, pytest.mark.xdist_group("celery_worker")]
ROOT = Path(__file__).resolve().parents[2]
QUEUES = django_settings.JOB_QUEUES


class Workers:
    """Starts worker subprocesses on private queues (a prefix per test) of the configured broker."""

    def __init__(self, media_root: Path, private_root: Path):
        self.prefix = f"mrm-test-{uuid.uuid4().hex[:8]}-"
        self.media_root = media_root
        self.private_root = private_root
        self.processes: list[subprocess.Popen] = []
        self.logs = []

    def start(self, queues=QUEUES, **env_overrides) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mrm.settings.test",
            "MRM_CELERY_WORKER": "1",
            "MRM_TEST_DB_NAME": connection.settings_dict["NAME"],
            "CELERY_QUEUE_PREFIX": self.prefix,
            "MEDIA_ROOT": str(self.media_root),
            "PRIVATE_MEDIA_ROOT": str(self.private_root),  # job results are private files
            **{k: str(v) for k, v in env_overrides.items()},
        }
        n = len(self.processes)
        log = open(self.media_root.parent / f"worker-{self.prefix}{n}.log", "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mrm", "worker", "-P", "solo", "-I", "tests.jobs.worker_tasks",
             "-Q", ",".join(self.prefix + q for q in queues), "-n", f"{self.prefix}{n}@%h", "--without-mingle",
             "--without-gossip", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        self.logs.append(log)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs:
            log.close()
            # Shown by pytest only when the test failed.
            print(f"--- {log.name}\n" + "".join(Path(log.name).read_text().splitlines(True)[-60:]))


def _routing_changed() -> None:
    # Celery caches its queues and router on first use; make it read the configuration again.
    for name in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(name, None)
    app.amqp.flush_routes()


@pytest.fixture
def workers(transactional_db, settings):
    pool = Workers(Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT))
    conf = app.conf
    old = (conf.task_always_eager, conf.task_default_queue, conf.task_routes)
    # The test process publishes where the workers listen: the same routes, on the private queues.
    conf.task_always_eager = False
    conf.task_default_queue = pool.prefix + "default"
    conf.task_routes = {name: {"queue": pool.prefix + route["queue"]}
                        for name, route in django_settings.CELERY_TASK_ROUTES.items()}
    _routing_changed()
    try:
        yield pool
    finally:
        conf.task_always_eager, conf.task_default_queue, conf.task_routes = old
        _routing_changed()
        pool.stop()


def _wait(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not done after {timeout}s")


def _finished(job_id):
    def check():
        job = Job.objects.get(pk=job_id)
        return job if job.is_finished else None
    return check


def test_task_queued_in_a_request_runs_in_a_worker_and_only_sees_its_agency(workers, alice, bob):
    workers.start()
    AuditLogFactory(agency=alice.agency, actor=alice.user, action="client.created", target_repr="Клиент Алисы")
    AuditLogFactory(agency=bob.agency, actor=bob.user, action="client.created", target_repr="Клиент Боба")
    http = login(alice)
    response = http.post("/settings/audit/export/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with scopes_disabled():
        job = Job.objects.get(agency=alice.agency)
    assert 'hx-trigger="load delay:1s"' in response.content.decode()  # the page polls it
    job = _wait(_finished(job.pk), "audit export")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.started_at is not None and job.attempts == 1 and job.lease_expires_at is None
    text = b"".join(http.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("Клиент Алисы" in r for r in rows)
    assert not any("Клиент Боба" in cell for r in rows for cell in r)


def test_every_task_type_runs_on_a_worker_over_its_own_queue(workers, alice_world, bob_world, ready,  # noqa: F811
                                                             brief):  # noqa: F811
    """Import (imports), AI draft (ai), PDF (pdf), sending (mail), the overdue-invoice sweep, the hand-off
    outbox and the stale-job reaper (default). Follow-ups have no task: sending schedules them in its
    transaction, and the send task runs here."""
    general = workers.start(queues=("default", "imports", "mail"))
    workers.start(queues=("ai", "pdf"))
    w, agency = alice_world, alice_world.agency
    from clients.services import importing
    from clients.tasks import invoices_mark_overdue_all_task
    from mrm.jobs.tasks import job_fail_stale_task
    from proposals.services import documents, drafting, sending

    with scope(agency=agency):
        upload = SimpleUploadedFile("c.csv", "Название\nКофейня Зерно\nБулочная\n".encode(), "text/csv")
        import_file = importing.import_file_upload(agency=agency, actor=w.director.user, entity="companies",
                                                   upload=upload)
    # The upload's reading job runs on the worker (imports queue) before the import can start.
    assert _wait(_finished(import_file.inspection_id), "reading the import file").status == Job.Status.SUCCEEDED
    with scope(agency=agency):
        import_file.refresh_from_db()
        import_job = importing.import_start(agency=agency, actor=w.director.user, import_file=import_file)
        with transaction.atomic():
            draft_job = drafting.draft_start(agency=agency, actor=w.am.user, brief=brief, use_ai=False)
        with transaction.atomic():
            pdf_job = documents.pdf_start(agency=agency, actor=w.am.user, proposal=ready["proposal"])
        version = sending.proposal_send(agency=agency, actor=w.am.user, proposal=ready["proposal"],
                                        contacts=[ready["irina"]])
    late = InvoiceFactory(client=ready["client"], status="sent", due_on=date.today() - timedelta(days=1))
    stale = JobFactory(agency=bob_world.agency, status=Job.Status.RUNNING)
    with scopes_disabled():
        Job.objects.filter(pk=stale.pk).update(lease_expires_at=timezone.now() - timedelta(days=1))
    invoices_mark_overdue_all_task.delay()
    job_fail_stale_task.delay()

    for job in (import_job, draft_job, pdf_job):
        job = _wait(_finished(job.pk), job.kind)
        assert job.status == Job.Status.SUCCEEDED, (job.kind, job.error)
        assert job.attempts == 1
    with scopes_disabled():
        assert Client.objects.filter(agency=agency, name__in=["Кофейня Зерно", "Булочная"]).count() == 2
        assert Proposal.objects.filter(brief=brief).count() == 1
        assert Proposal.objects.get(pk=ready["proposal"].pk).pdf_file
    _wait(lambda: Recipient.objects.filter(version=version, emailed_at__isnull=False).exists(), "send e-mail")
    _wait(lambda: Invoice.objects.get(pk=late.pk).status == "overdue", "overdue invoices")
    assert _wait(_finished(stale.pk), "reaper").status == Job.Status.FAILED

    (irina,) = _recipients(version)
    response = HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(irina)]), {
        "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "comment": "",
        "version_hash": version.content_hash})
    assert response.status_code == 302
    event = _wait(lambda: OutboxEvent.objects.filter(agency=agency, processed_at__isnull=False).first(), "hand-off")
    assert event.attempts == 1
    # The client's confirmation (the PDF with the acceptance certificate) goes over the mail queue.
    _wait(lambda: Decision.objects.filter(agency=agency, confirmation_sent_at__isnull=False).exists(),
          "acceptance confirmation")
    assert general.poll() is None


def test_a_worker_killed_in_the_middle_of_a_job_is_replaced_and_the_job_finishes_exactly_once(workers, alice):
    """`kill -9` of the whole worker that runs a job: its message stays unacknowledged in Redis; after the
    visibility timeout the other worker's scan puts it back on the queue, takes the job over (its lease has
    run out) and finishes it; the rows are written once. Short lease / visibility timeout / scan interval by
    env. Both workers start together, so the test waits for one worker start-up, not two."""
    if django_settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("the filesystem transport has no acknowledgements to recover; CI runs this on Redis")
    short = {"JOB_LEASE_SECONDS": 3, "JOB_VISIBILITY_MARGIN_SECONDS": 1, "JOB_REDELIVERY_SCAN_SECONDS": 1}
    pool = {f"{workers.prefix}{n}@": workers.start(queues=("imports",), **short) for n in range(2)}
    job = JobFactory(agency=alice.agency, kind="test.slow_import")
    slow_import_task.apply_async(kwargs={"agency_id": alice.agency.pk, "job_id": str(job.pk), "rows": 50,
                                         "steps": 8, "step_seconds": 0.5}, queue=workers.prefix + "imports")
    job = _wait(lambda: Job.objects.filter(pk=job.pk, progress__gte=30).first(), "a worker mid-job", timeout=50)
    (name, busy), = [(n, p) for n, p in pool.items() if n in job.message]
    os.kill(busy.pid, signal.SIGKILL)
    busy.wait(timeout=10)
    with scopes_disabled():
        job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and 30 <= job.progress < 90  # "running 27 %" — and stuck, until:
    job = _wait(_finished(job.pk), "job after the kill", timeout=30)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.attempts, job.takeovers) == (2, 1) and name not in job.message
    with scopes_disabled():
        assert Tag.objects.filter(agency=alice.agency, name__startswith=str(job.pk)[:8]).count() == 50
