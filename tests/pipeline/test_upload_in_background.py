"""On the embedded default (no broker) a web process checks an upload in a thread of its
own, so the request that uploaded it returns at once and the page shows the progress
(issue 16: no upload holds a web worker); a check left behind by a stopped process is taken
up again when its page is looked at."""

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import tasks
from pipeline import example_profiles
from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.models import BatchStatus, ImportBatch
from pipeline.services import create_batch
from tests.clock import FIXED_DAY
from tests.conftest import client_for

pytestmark = pytest.mark.time_machine(FIXED_DAY)


@pytest.fixture
def web_process(monkeypatch, settings):
    from pipeline import lists

    lists.load()  # an earlier transactional test's flush may have taken the migration's seed
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(tasks._serving_web, "on", True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_upload_returns_before_the_check_and_the_check_ends_by_itself(
    web_process, users, monkeypatch
):
    from pipeline.services import records

    release, started = threading.Event(), threading.Event()
    real = records.validate_batch

    def held(**kwargs):
        started.set()
        release.wait(30)
        return real(**kwargs)

    monkeypatch.setattr(records, "validate_batch", held)
    profile = example_profiles.load()[0]
    data = (EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes()
    batch = create_batch(
        profile=profile, upload=SimpleUploadedFile("s.csv", data), user=users["lead"]
    )
    assert started.wait(10)  # the check began in its own thread...
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UPLOADED  # ...and the upload has already returned
    page = client_for(users["lead"]).get(f"/pipeline/imports/{batch.pk}/").content.decode()
    assert "Checking the file" in page
    release.set()
    for thread in threading.enumerate():
        if thread.name == "task-pipeline.validate_import":
            thread.join(30)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED, batch.errors[:3]
    assert batch.new_count == 40


def test_a_check_left_behind_is_taken_up_when_its_page_is_looked_at(users, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    profile = example_profiles.load()[0]
    data = (EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes()
    batch = create_batch(  # its process stopped before the check was queued
        profile=profile, upload=SimpleUploadedFile("s.csv", data), user=users["lead"]
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    page = client_for(users["lead"]).get(f"/pipeline/imports/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert "40 new" in page
