"""Faults in real processes: a real Celery worker killed (SIGKILL) in the middle of checking
an import and of building a report, a real Redis stopped during an upload and under a
working worker. Each ends in a final state with nothing lost, nothing duplicated and no
500 (docs/operations.md lists what the user sees for each).

Every test runs its own Redis server on a free port, so stopping it disturbs nothing else,
and holds a PostgreSQL lock on a table the work reads next, so the worker is stopped at a
known point in the middle of its work, never before or after it. Runs where a broker is
configured on PostgreSQL (CI)."""

import datetime
import os
import signal
import socket
import subprocess
import time
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.urls import reverse

from config.celery import app
from pipeline import example_profiles, lists
from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord
from pipeline.services import create_batch
from pipeline.services.records import sweep_imports
from tests.conftest import client_for
from tests.core.test_celery_worker import start_worker, stop

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXPORT = EXAMPLES_DIR / "carefirst_sunderland.csv"
AN_HOUR_LATER = datetime.timedelta(hours=1)


def eventually(condition, seconds=90, every=0.1, what="the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"after {seconds} s, still not {what}")


class Redis:
    """A Redis server of the test's own, on a free port, that it may stop and start."""

    def __init__(self, folder):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.folder = folder
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        eventually(self.answers, seconds=20, what="answering PING")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self):
        """Stop it as a crash or a lost host would: no goodbye to its clients."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)


@pytest.fixture
def redis(tmp_path, monkeypatch):
    """A private Redis, which this process's app uses as its broker for the test: the
    application's own sending path (`delay`, its retry policy) against a real server."""
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set CELERY_BROKER_URL so the real-process faults run")
        pytest.skip("no CELERY_BROKER_URL: tasks run in-process on the embedded default")
    if connection.vendor != "postgresql":
        pytest.skip("the worker is held mid-task by a PostgreSQL lock")
    server = Redis(tmp_path)
    server.start()

    def fresh_connections():
        # the next send opens a pool for the broker named now; pools are shared by URL in
        # kombu's registry, so none is closed here (another test may be using it)
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)

    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    fresh_connections()
    lists.load()  # the list entries the example profile maps to, whatever ran before
    yield server
    fresh_connections()
    server.kill()


@pytest.fixture
def workers(redis, tmp_path):
    """Start real workers on the private broker; every one is stopped at the end."""
    started = []

    def start(name):
        log = (tmp_path / f"{name}.log").open("w")
        process = start_worker(name, broker_url=redis.url, log=log)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            stop(process)


class TableLock:
    """An ACCESS EXCLUSIVE lock on a table, held from a connection of its own: any work that
    reads the table waits at that point until the lock is let go."""

    def __init__(self, model):
        self.table = model._meta.db_table
        config = connection.settings_dict
        self.conn = psycopg.connect(
            dbname=config["NAME"],
            user=config.get("USER") or None,
            host=config.get("HOST") or "127.0.0.1",
            port=config.get("PORT") or 5432,
        )

    def __enter__(self):
        self.conn.execute(f'LOCK TABLE "{self.table}" IN ACCESS EXCLUSIVE MODE')
        return self

    def someone_waits(self) -> bool:
        # the activity view is a snapshot held for the transaction unless cleared
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        row = self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()
        return row[0] > 0

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def kill(process):
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


def carefirst():
    return example_profiles.load()[0]


def test_a_worker_killed_mid_validation_leaves_the_import_to_the_sweep_and_another_worker(
    lead, workers
):
    first = workers("first")
    with TableLock(PipelineRecord) as lock:
        batch = create_batch(
            profile=carefirst(),
            upload=SimpleUploadedFile("export.csv", EXPORT.read_bytes()),
            user=lead,
        )  # queued as its transaction commits
        eventually(lock.someone_waits, what="a worker waiting in the middle of validation")
        assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.VALIDATING
        kill(first)
    stuck = ImportBatch.objects.get(pk=batch.pk)
    assert (stuck.status, stuck.attempts) == (BatchStatus.VALIDATING, 1)
    assert stuck.upload  # kept for the next run to read

    assert sweep_imports()["requeued"] == 0  # its heartbeat is fresh: it may still be working
    workers("second")
    ImportBatch.objects.filter(pk=batch.pk).update(claimed_at=F("claimed_at") - AN_HOUR_LATER)
    assert sweep_imports()["requeued"] == 1  # as if the sweep ran once the heartbeat was old

    done = eventually(
        lambda: ImportBatch.objects.exclude(status__in=["uploaded", "validating"]).first(),
        what="validated by the second worker",
    )
    assert done.status == BatchStatus.VALIDATED, done.errors[:3]
    assert (done.total_rows, done.attempts, done.new_count) == (40, 2, 40)
    assert not done.upload and not os.path.exists(stuck.upload.path)  # the raw file is gone
    assert ImportBatch.objects.count() == 1


def test_a_worker_killed_mid_build_leaves_the_report_to_the_sweep_and_another_worker(pm, workers):
    from clusters.models import Cluster
    from programme.models import Contract
    from reports import services
    from reports.models import Report, Status

    Contract.objects.create(
        name="Delivery partner contract",
        reference="DP-FAULTS",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2028, 3, 31),
        total_cap=Decimal("1000000"),
    )
    first = workers("first")
    with TableLock(Cluster) as lock:
        report = services.request_report(
            kind="monthly", day=datetime.date(2024, 5, 1), requested_by=pm
        )
        eventually(lock.someone_waits, what="a worker waiting in the middle of the build")
        assert Report.objects.get(pk=report.pk).status == Status.BUILDING
        kill(first)
    stuck = Report.objects.get(pk=report.pk)
    assert (stuck.status, stuck.attempts) == (Status.BUILDING, 1)

    workers("second")
    assert services.sweep_builds() == 0  # claimed moments ago: it may still be building
    Report.objects.filter(pk=report.pk).update(claimed_at=F("claimed_at") - AN_HOUR_LATER)
    assert services.sweep_builds() == 1

    done = eventually(
        lambda: Report.objects.exclude(status__in=["queued", "building"]).first(),
        what="built by the second worker",
    )
    assert (done.status, done.attempts, done.progress) == (Status.DRAFT, 2, 100), done.error
    assert done.snapshot["period"]["label"] == "May 2024"
    assert Report.objects.count() == 1


def test_an_upload_while_redis_is_stopped_is_saved_quickly_and_checked_once_it_is_back(
    lead, redis, workers
):
    redis.kill()
    profile = carefirst()
    client = client_for(lead)
    started = time.monotonic()
    response = client.post(
        reverse("pipeline:import_upload"), {"profile": profile.pk, "file": EXPORT.open("rb")}
    )
    took = time.monotonic() - started

    assert response.status_code == 302, response.content[:500]  # not a 500
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.UPLOADED and batch.upload
    page = client.get(response.url).content.decode()
    assert "Queued: the file is saved and waits for a worker" in page
    assert took < 10, f"the upload took {took:.1f} s with the broker down"

    redis.start()
    workers("after")
    ImportBatch.objects.update(uploaded_at=F("uploaded_at") - AN_HOUR_LATER)
    assert sweep_imports()["queued"] == 1
    done = eventually(
        lambda: ImportBatch.objects.exclude(status__in=["uploaded", "validating"]).first(),
        what="validated once Redis was back",
    )
    assert (done.status, done.total_rows) == (BatchStatus.VALIDATED, 40)
    assert ImportBatch.objects.count() == 1  # the person was not told to upload it twice


def test_redis_stopping_under_a_working_worker_loses_nothing_and_the_worker_carries_on(
    lead, redis, workers
):
    worker = workers("survivor")
    profile = carefirst()
    with TableLock(PipelineRecord) as lock:
        first = create_batch(
            profile=profile, upload=SimpleUploadedFile("first.csv", EXPORT.read_bytes()), user=lead
        )
        eventually(lock.someone_waits, what="the worker in the middle of validation")
        redis.kill()
    done = eventually(
        lambda: ImportBatch.objects.filter(pk=first.pk, status=BatchStatus.VALIDATED).first(),
        what="validated with Redis stopped",
    )
    assert done.total_rows == 40
    time.sleep(3)
    assert worker.poll() is None, "the worker exited when Redis stopped"

    redis.start()
    second = create_batch(
        profile=profile,
        upload=SimpleUploadedFile("second.csv", EXPORT.read_bytes()),
        user=lead,
    )
    eventually(
        lambda: ImportBatch.objects.filter(pk=second.pk, status=BatchStatus.VALIDATED).exists(),
        what="the next upload validated by the same worker, reconnected",
    )
    assert worker.poll() is None


def test_the_database_connection_killed_during_a_commit_keeps_everything_and_the_retry_works(
    lead, tmp_path, django_capture_on_commit_callbacks
):
    """As in a PostgreSQL restart or failover: the server ends the web request's connection
    (pg_terminate_backend) while the commit is writing the records."""
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL")
    lists.load()
    with django_capture_on_commit_callbacks(execute=True):
        batch = create_batch(
            profile=carefirst(),
            upload=SimpleUploadedFile("export.csv", EXPORT.read_bytes()),
            user=lead,
        )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    staged = batch.staged.path
    client = client_for(lead)
    url = reverse("pipeline:import_commit", args=[batch.pk])
    answer = {}

    def commit():
        try:
            answer["response"] = client.post(url)
        finally:
            connections.close_all()

    with TableLock(PipelineRecord) as lock:
        thread = threading.Thread(target=commit)
        thread.start()
        eventually(lock.someone_waits, what="the commit writing the records")
        lock.conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
    thread.join(timeout=60)

    response = answer["response"]
    assert response.status_code == 503  # a page that says what happened, not a 500
    assert "lost its connection to the database" in response.content.decode()
    assert "nothing of it was saved" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and os.path.exists(staged)
    assert not PipelineRecord.objects.exists()  # rolled back, not half written

    page = client.post(url, follow=True).content.decode()  # trying again
    assert "Committed: 40 new, 0 changed, 0 unchanged." in page
    assert PipelineRecord.objects.count() == 40
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
