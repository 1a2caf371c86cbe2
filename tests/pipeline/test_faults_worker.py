"""A real worker killed (SIGKILL) in the middle of checking an import: the batch waits,
then the sweep hands it to another worker, which finishes it. Runs where a broker is
configured (CI sets CELERY_BROKER_URL)."""

import datetime
import os
import signal
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pipeline import example_profiles
from pipeline.exportgen import carefirst_csv, synthetic_records
from pipeline.models import BatchStatus, ImportBatch
from pipeline.services import create_batch
from pipeline.services.records import sweep_imports
from pipeline.tasks import validate_import
from tests.core.test_celery_worker import QUEUE, start_worker, stop, worker  # noqa: F401
from tests.factories import authorities

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROWS = 60_000


def wait_for(batch_id, condition, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.get(pk=batch_id)
        if condition(batch):
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} still {batch.status} {batch.progress}%")


@pytest.fixture
def to_this_tests_worker(monkeypatch):
    """Validation goes to this test's own queue, where its workers listen (the app's routes
    are read once per process, so the queue is named on each send)."""
    monkeypatch.setattr(
        validate_import, "delay", lambda *args: validate_import.apply_async(args, queue=QUEUE)
    )


def test_a_worker_killed_mid_validation_leaves_the_import_to_the_sweep_and_another_worker(
    lead,
    worker,  # noqa: F811 - the fixture
    to_this_tests_worker,
):
    carefirst, _ = example_profiles.load()
    records = synthetic_records(
        authorities("Sunderland"),
        ROWS,
        start=datetime.date(2024, 4, 1),
        end=datetime.date(2025, 3, 31),
    )
    data = carefirst_csv(records)
    batch = create_batch(
        profile=carefirst, upload=SimpleUploadedFile("big.csv", data), user=lead
    )  # queued as its transaction commits

    wait_for(batch.pk, lambda b: b.status == BatchStatus.VALIDATING and b.progress > 1)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)
    time.sleep(2)
    stuck = ImportBatch.objects.get(pk=batch.pk)
    assert stuck.status == BatchStatus.VALIDATING and stuck.progress < 100

    assert sweep_imports()["requeued"] == 0  # its heartbeat is fresh: it may still be working
    second = start_worker("second")
    try:
        later = timezone.now() + datetime.timedelta(minutes=14)
        assert sweep_imports(now=later)["requeued"] == 1
        done = wait_for(batch.pk, lambda b: b.status not in ("uploaded", "validating"))
    finally:
        stop(second)

    assert done.status == BatchStatus.VALIDATED, done.errors[:3]
    assert (done.total_rows, done.attempts) == (ROWS, 2)
    assert not done.upload  # the raw file is gone
    assert ImportBatch.objects.count() == 1
