"""What keeps imported records whole: the list entries and batches they refer to (held by
the ORM and by the commit's checks, not by database constraints: see PipelineRecord), and
commits of the same LAs' records at the same time."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.db.models import ProtectedError
from django.test import TestCase

from pipeline import example_profiles, lists
from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.exportgen import carefirst_csv, synthetic_records
from pipeline.models import (
    BatchStatus,
    ExitReason,
    ImportBatch,
    PipelineRecord,
    SourceChannel,
    Stage,
)
from pipeline.services import commit_batch, create_batch
from pipeline.services.records import _check_lists
from tests.factories import authorities

TODAY = datetime.date(2026, 1, 15)
HEADER = "LA Code;Case Ref;Forename;Surname;DOB;Postcode;Enquiry Date;Initial Visit;Application Received;Stage 1 Start;Stage 2 Start;Panel Date;Approval Date;Source;Status;Exit Stage;Exit Reason;Exit Date"
GOOD = "394;S-1;Zoë;Brown;01/02/1980;NE1 1AA;03/03/2024;10/03/2024;01/05/2024;;;;;HUBW;OPEN;;;"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"
)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def carefirst(db):
    lists.load()  # an earlier transactional test's flush may have taken the migration's seed
    return example_profiles.load()[0]


def upload(user, profile, data: bytes) -> ImportBatch:
    """Upload and validate (Celery runs eagerly once the transaction commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = create_batch(profile=profile, upload=SimpleUploadedFile("x.csv", data), user=user)
    return ImportBatch.objects.get(pk=batch.pk)


@pytest.fixture
def committed(lead, carefirst):
    """The example export, committed: 40 Sunderland records using stages, reasons, channels."""
    batch = upload(lead, carefirst, (EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes())
    return commit_batch(batch=batch, user=lead)


@pytest.mark.parametrize(
    "model, column",
    [(Stage, "exit_stage"), (ExitReason, "exit_reason"), (SourceChannel, "source_channel")],
)
def test_a_list_entry_that_records_use_cannot_be_deleted(committed, model, column):
    used = model.objects.get(
        pk=PipelineRecord.objects.exclude(**{column: None}).values_list(column, flat=True)[0]
    )
    with pytest.raises(ProtectedError):
        used.delete()
    with pytest.raises(ProtectedError):
        model.objects.filter(pk=used.pk).delete()
    assert model.objects.filter(pk=used.pk).exists()
    unused = model.objects.create(code="spare", name="Spare", order=99)
    unused.delete()  # an entry nothing uses can go
    assert not model.objects.filter(pk=unused.pk).exists()


def test_deleting_a_batch_keeps_its_records_and_clears_their_batch(committed):
    assert PipelineRecord.objects.filter(batch=committed).count() == 40
    committed.delete()
    assert PipelineRecord.objects.count() == 40
    assert not PipelineRecord.objects.exclude(batch=None).exists()


def test_a_commit_refuses_list_entries_deleted_since_validation(lead, carefirst):
    batch = upload(lead, carefirst, ("\r\n".join([HEADER, GOOD]) + "\r\n").encode("cp1252"))
    assert batch.status == BatchStatus.VALIDATED, batch.errors
    SourceChannel.objects.get(code="hub-website").delete()  # nothing used it yet
    with pytest.raises(ValidationError, match="deleted since it was checked"):
        commit_batch(batch=batch, user=lead)
    assert not PipelineRecord.objects.exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.VALIDATED


def _waiting_for_a_lock(timeout=10.0) -> bool:
    """True once another connection of this database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once a transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_an_entry_waits_for_a_commit_that_uses_it_then_is_refused(north_east):
    lists.load()
    sunderland = authorities("Sunderland")[0]
    channel = SourceChannel.objects.get(code="event")
    outcome = []

    def delete():
        try:
            SourceChannel.objects.get(pk=channel.pk).delete()
            outcome.append("deleted")
        except ProtectedError:
            outcome.append("refused")
        finally:
            connections.close_all()

    deleter = threading.Thread(target=delete)
    with transaction.atomic():
        _check_lists({"source_channel_id": {channel.pk}})  # as a commit using it does
        PipelineRecord.objects.create(
            local_authority=sunderland,
            la_reference="E-1",
            enquiry_date=datetime.date(2024, 3, 1),
            source_channel=channel,
        )
        deleter.start()
        assert _waiting_for_a_lock()  # the delete waits for this transaction
    deleter.join(10)
    assert outcome == ["refused"]
    assert PipelineRecord.objects.get().source_channel == channel


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_commits_of_overlapping_exports_of_one_la_at_once_write_each_record_once(
    lead,
):
    """Two exports of Sunderland share 1,000 references (500 of them with newer values);
    committed at the same moment from two threads, both succeed one after the other."""
    lists.load()
    profile = example_profiles.load()[0]
    sunderland = authorities("Sunderland")[0]
    people = list(
        synthetic_records(
            [sunderland],
            3000,
            start=datetime.date(2024, 1, 1),
            end=datetime.date(2025, 12, 31),
            seed=7,
        )
    )
    newer = [dict(p, postcode="SR1 1AA") if i < 1500 else p for i, p in enumerate(people)]
    files = {"a": carefirst_csv(people[:2000]), "b": carefirst_csv(newer[1000:])}
    batches = {}
    for name, data in files.items():
        batch = create_batch(
            profile=profile, upload=SimpleUploadedFile(f"{name}.csv", data), user=lead
        )
        batches[name] = ImportBatch.objects.get(pk=batch.pk)  # validated on commit (eager)
        assert batches[name].status == BatchStatus.VALIDATED, batches[name].errors[:3]
        assert batches[name].new_count == 2000

    errors, barrier = [], threading.Barrier(2)

    def commit(batch):
        try:
            barrier.wait()
            commit_batch(batch=batch, user=lead)
        except Exception as error:  # noqa: BLE001 - the test reports any error
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit, args=(b,)) for b in batches.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []

    a, b = (ImportBatch.objects.get(pk=batches[n].pk) for n in "ab")
    assert a.status == b.status == BatchStatus.COMMITTED
    first, second = sorted([a, b], key=lambda x: x.committed_at)
    assert PipelineRecord.objects.count() == 3000 == a.new_count + b.new_count
    for batch in (a, b):
        assert batch.new_count + batch.changed_count + batch.unchanged_count == 2000
    assert (first.new_count, first.changed_count, first.unchanged_count) == (2000, 0, 0)
    # Of the 1,000 shared references the second commit finds 500 changed, 500 as they are.
    assert (second.new_count, second.changed_count, second.unchanged_count) == (1000, 500, 500)
    shared_changed = [p["la_reference"] for p in people[1000:1500]]
    assert set(
        PipelineRecord.objects.filter(la_reference__in=shared_changed).values_list(
            "batch", flat=True
        )
    ) == {second.pk}
