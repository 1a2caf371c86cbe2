"""Faults leave no import stuck: an upload made while the broker is down is queued when it
is back, a validation whose worker was lost is run again or ends with a message, a raw
upload never outlives its validation, and a commit that fails keeps its staged file."""

import datetime
import os

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from pipeline import example_profiles
from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord
from pipeline.services import commit_batch
from pipeline.services.records import sweep_imports
from pipeline.tasks import validate_import
from tests.conftest import client_for
from tests.pipeline.test_imports import upload

EXPORT = EXAMPLES_DIR / "carefirst_sunderland.csv"


@pytest.fixture
def carefirst(db):
    return example_profiles.load()[0]


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(validate_import, "delay", refuse)
    return monkeypatch


def later(time_machine, minutes):
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=minutes))


def test_an_upload_while_the_broker_is_down_is_queued_by_the_sweep_when_it_is_back(
    lead, carefirst, broker_down, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client_for(lead).post(
            reverse("pipeline:import_upload"),
            {"profile": carefirst.pk, "file": EXPORT.open("rb")},
        )
    assert queued  # it tried to queue the validation, and could not
    batch = ImportBatch.objects.get()
    assert response.status_code == 302  # not a 500: the file is kept and waits
    assert batch.status == BatchStatus.UPLOADED and batch.upload

    page = client_for(lead).get(reverse("pipeline:import_detail", args=[batch.pk]))
    assert "Queued: the file is saved and waits for a worker" in page.content.decode()
    assert sweep_imports()["queued"] == 0  # too soon, and the broker is still down
    broker_down.undo()
    later(time_machine, 3)
    assert sweep_imports()["queued"] == 1

    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and batch.total_rows == 40
    assert not batch.upload  # the raw file is gone once it has been read
    assert ImportBatch.objects.count() == 1  # nothing uploaded twice


def lost_mid_validation(lead, carefirst, broker_down, attempts):
    """A batch whose validating worker was killed: claimed, then never heard from again."""
    batch = upload(lead, carefirst, EXPORT.read_bytes())
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.VALIDATING, progress=23, claimed_at=timezone.now(), attempts=attempts
    )
    broker_down.undo()
    return batch


def test_a_validation_whose_worker_was_lost_is_run_again(
    lead, carefirst, broker_down, time_machine
):
    batch = lost_mid_validation(lead, carefirst, broker_down, attempts=1)
    later(time_machine, 5)
    assert sweep_imports()["requeued"] == 0  # it may still be working

    later(time_machine, 10)
    assert sweep_imports()["requeued"] == 1

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.total_rows) == (BatchStatus.VALIDATED, 2, 40)
    assert not batch.upload


def test_a_validation_lost_twice_fails_with_a_message_and_its_raw_file_is_deleted(
    lead, carefirst, broker_down, time_machine, django_capture_on_commit_callbacks
):
    batch = lost_mid_validation(lead, carefirst, broker_down, attempts=2)
    path = batch.upload.path
    later(time_machine, 15)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_imports()["failed"] == 1

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.errors[0]["message"].startswith("Checking the file stopped 2 times")
    assert not batch.upload
    assert not os.path.exists(path)  # names, dates of birth, postcodes: gone
    page = client_for(lead).get(reverse("pipeline:import_detail", args=[batch.pk]))
    assert "Upload it again" in page.content.decode()


def test_a_commit_that_fails_keeps_its_staged_file_and_can_be_tried_again(
    lead, carefirst, monkeypatch
):
    batch = upload(lead, carefirst, EXPORT.read_bytes())
    assert batch.status == BatchStatus.VALIDATED
    save = ImportBatch.save

    def connection_lost(self, *args, **kwargs):
        if self.status == BatchStatus.COMMITTED:
            raise OperationalError("server closed the connection unexpectedly")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(ImportBatch, "save", connection_lost)
    with pytest.raises(OperationalError):
        commit_batch(batch=batch, user=lead)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and batch.staged.storage.exists(batch.staged.name)
    assert not PipelineRecord.objects.exists()  # rolled back with it

    monkeypatch.setattr(ImportBatch, "save", save)
    committed = commit_batch(batch=batch, user=lead)
    assert committed.status == BatchStatus.COMMITTED
    assert PipelineRecord.objects.count() == 40
    assert not committed.staged


def failed_upload(lead, carefirst):
    bad = EXAMPLES_DIR / "carefirst_sunderland_with_error.csv"
    batch = upload(lead, carefirst, bad.read_bytes())
    assert batch.status == BatchStatus.FAILED
    return batch


def test_a_failed_import_can_be_discarded_after_confirming_and_its_files_go(
    lead, carefirst, django_capture_on_commit_callbacks
):
    batch = failed_upload(lead, carefirst)
    detail = client_for(lead).get(reverse("pipeline:import_detail", args=[batch.pk]))
    page = detail.content.decode()
    assert "Discard this import" in page
    assert f"?profile={carefirst.pk}" in page  # "upload it again" keeps the profile chosen

    confirm = client_for(lead).get(reverse("pipeline:import_discard", args=[batch.pk]))
    assert "Discard this import?" in confirm.content.decode()
    assert ImportBatch.objects.filter(pk=batch.pk).exists()  # asking is not doing

    client = client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pipeline:import_discard", args=[batch.pk]))
    assert response.url == reverse("pipeline:import_list")
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    listing = client.get(response.url).content.decode()
    assert "Discarded the import of export.csv." in listing


def test_a_previewed_import_discarded_leaves_no_staged_file(
    lead, carefirst, django_capture_on_commit_callbacks
):
    batch = upload(lead, carefirst, EXPORT.read_bytes())
    staged = batch.staged.path
    assert os.path.exists(staged)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(reverse("pipeline:import_discard", args=[batch.pk]))
    assert not ImportBatch.objects.exists() and not os.path.exists(staged)
    assert not PipelineRecord.objects.exists()


def test_a_committed_import_cannot_be_discarded(lead, carefirst):
    batch = upload(lead, carefirst, EXPORT.read_bytes())
    commit_batch(batch=batch, user=lead)
    response = client_for(lead).post(reverse("pipeline:import_discard", args=[batch.pk]))
    assert response.status_code == 200
    assert "its records are in the tracker" in response.content.decode()
    assert ImportBatch.objects.filter(pk=batch.pk).exists()
    assert PipelineRecord.objects.count() == 40


def test_another_lead_cannot_discard_someone_elses_import(lead, carefirst, other_cluster):
    from accounts.models import Role
    from tests.factories import UserFactory

    batch = failed_upload(lead, carefirst)
    stranger = UserFactory(role=Role.CLUSTER_LEAD, cluster=other_cluster)
    response = client_for(stranger).post(reverse("pipeline:import_discard", args=[batch.pk]))
    assert response.status_code in (403, 404)
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_dfe_may_not_discard_an_import(users, carefirst):
    batch = failed_upload(users["lead"], carefirst)
    client = client_for(users["dfe"])
    url = reverse("pipeline:import_discard", args=[batch.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url).status_code in (403, 404)
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


@pytest.mark.parametrize("role", ["pm", "consultant"])
def test_the_delivery_partner_may_discard_a_leads_failed_import(
    role, users, carefirst, django_capture_on_commit_callbacks
):
    """As they may commit it: the delivery partner's staff see every import."""
    batch = failed_upload(users["lead"], carefirst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(users[role]).post(reverse("pipeline:import_discard", args=[batch.pk]))
    assert response.status_code == 302
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
