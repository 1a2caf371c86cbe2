"""A real Celery round trip: a worker process against the Redis broker runs a task
that reads the test database and stores its result. Runs where a broker is configured
(CI sets CELERY_BROKER_URL); elsewhere tasks run in-process and this is skipped."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
# A queue of this test process's own: test processes running side by side (pytest-xdist)
# each start a worker on their own database, and must not take each other's tasks.
QUEUE = f"roundtrip-test-{os.getpid()}"

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def start_worker(name: str = "roundtrip", *, broker_url: str = "", log=None) -> subprocess.Popen:
    """A real worker process on this test's database and media folder, taking this test
    process's queue only; or, given a broker of the test's own, every task sent to it."""
    env = dict(os.environ)
    # the worker must read the test database this test writes to, and its files
    env["DATABASE_URL"] = _url(dict(connection.settings_dict))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    queues = ["-Q", QUEUE]
    if broker_url:
        env["CELERY_BROKER_URL"] = env["CELERY_RESULT_BACKEND"] = broker_url
        queues = []
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            *queues,
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def worker():
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set CELERY_BROKER_URL so the worker round trip runs")
        pytest.skip("no CELERY_BROKER_URL: tasks run in-process on the embedded default")
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("the worker cannot see an in-memory SQLite test database")
    process = start_worker()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # this test talks to the real broker
    yield process
    app.conf.task_always_eager = eager
    stop(process)


def _url(config) -> str:
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{config['NAME']}"
    user = config.get("USER") or ""
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{config['NAME']}"


def test_a_real_worker_runs_a_task_and_its_result_is_stored(worker):
    UserFactory.create_batch(3)
    result = app.send_task("core.ping", queue=QUEUE)
    value = result.get(timeout=90)
    assert value == {"pong": True, "users": 3}
    # the result is kept in the result backend, readable again by its id
    assert app.AsyncResult(result.id).result == {"pong": True, "users": 3}
    assert app.AsyncResult(result.id).state == "SUCCESS"
