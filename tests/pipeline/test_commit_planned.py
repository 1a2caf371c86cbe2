"""A commit does what its check found, unless the records beneath changed (PostgreSQL).

When a file is checked, its rows are split into new, changed and unchanged against the
stored records, and what the new ones add to the summaries is counted. If none of the
file's LAs' records has been written by the time it is committed, the commit copies the new
rows straight in and adds those counts; if any has, it matches every row again. Either way
the records and every funnel figure must come out as if each file had been matched at
commit, which these tests check against the per-record computation."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase

from pipeline import example_profiles, facts
from pipeline.exportgen import carefirst_csv, synthetic_records
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord
from pipeline.services import commit_batch, create_batch
from pipeline.services import records as record_service
from pipeline.services.records import delete_records
from tests.factories import authorities

from .test_facts import assert_same_as_per_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the commit's plan is made on PostgreSQL"
    ),
]

TODAY = datetime.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def plans(monkeypatch):
    """Whether each commit went as planned (True) or matched every row again (False)."""
    seen = []
    real = record_service._commit_planned

    def watched(planned):
        done = real(planned)
        seen.append(done is not None)
        return done

    monkeypatch.setattr(record_service, "_commit_planned", watched)
    return seen


def records(las, n, *, seed, prefix="P", postcode=None):
    rows = list(
        synthetic_records(
            las,
            n,
            start=datetime.date(2024, 4, 1),
            end=TODAY - datetime.timedelta(days=1),
            seed=seed,
            prefix=prefix,
        )
    )
    if postcode:
        rows = [dict(r, postcode=postcode) for r in rows]
    return rows


def checked(user, rows) -> ImportBatch:
    """Upload a CareFirst export of these records and check it (as a lead would)."""
    carefirst = example_profiles.load()[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = create_batch(
            profile=carefirst,
            upload=SimpleUploadedFile("export.csv", carefirst_csv(rows)),
            user=user,
        )
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == BatchStatus.VALIDATED, batch.errors[:3]
    return batch


def test_a_file_committed_as_checked_adds_its_rows_and_counts_exactly(north_east, pm, plans):
    las = list(authorities("Sunderland", "Gateshead"))
    first = commit_batch(batch=checked(pm, records(las, 120, seed=1)), user=pm)
    assert (first.new_count, first.changed_count) == (120, 0)

    # the same references again, the first 30 with other dates and outcomes, and 80 more
    rows = records(las, 30, seed=2) + records(las, 120, seed=1)[30:]
    rows += records(las, 80, seed=3, prefix="Q")
    batch = checked(pm, rows)
    changed_expected = batch.changed_count
    assert batch.new_count == 80 and changed_expected > 0

    batch = commit_batch(batch=batch, user=pm, clear_confirmed=True)  # some stages are undone

    assert plans == [True, True]  # nothing was written between check and commit
    assert (batch.new_count, batch.changed_count) == (80, changed_expected)
    assert PipelineRecord.objects.count() == 200
    assert_same_as_per_record()


def test_a_file_whose_las_changed_after_its_check_is_matched_again(north_east, pm, plans):
    las = list(authorities("Sunderland"))
    waiting = checked(pm, records(las, 100, seed=4))  # all new when checked
    # meanwhile another file brings in 40 of the same references, with other dates
    commit_batch(batch=checked(pm, records(las, 40, seed=5)), user=pm)

    waiting = commit_batch(batch=waiting, user=pm)

    assert plans == [True, False]
    assert waiting.new_count == 60  # 40 of its 100 were there by then, not added twice
    assert waiting.new_count + waiting.changed_count + waiting.unchanged_count == 100
    assert PipelineRecord.objects.count() == 100
    assert_same_as_per_record()


def test_a_change_to_another_las_records_leaves_the_plan_standing(north_east, pm, plans):
    waiting = checked(pm, records(list(authorities("Sunderland")), 60, seed=6))
    commit_batch(batch=checked(pm, records(list(authorities("Gateshead")), 50, seed=7)), user=pm)

    waiting = commit_batch(batch=waiting, user=pm)

    assert plans == [True, True]
    assert waiting.new_count == 60
    assert_same_as_per_record()


def test_records_deleted_after_the_check_make_the_commit_match_again(north_east, pm, plans):
    las = list(authorities("Sunderland"))
    stored = records(las, 50, seed=8)
    commit_batch(batch=checked(pm, stored), user=pm)
    # the same people with another postcode (another identity), and 10 more
    waiting = checked(
        pm, records(las, 50, seed=8, postcode="ZZ1 1ZZ") + records(las, 10, seed=9, prefix="N")
    )
    assert (waiting.new_count, waiting.changed_count) == (10, 50)
    gone = [row["la_reference"] for row in stored[:3]]
    delete_records(PipelineRecord.objects.filter(la_reference__in=gone))

    waiting = commit_batch(batch=waiting, user=pm)

    assert plans == [True, False]
    assert waiting.new_count == 13  # the three deleted come back as new
    assert PipelineRecord.objects.count() == 60
    assert sum(facts.differences().values()) == 0
    assert_same_as_per_record()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_files_of_the_same_people_committed_at_once_add_each_record_once(north_east, pm):
    from pipeline.lists import load
    from tests.concurrency import at_once

    load()
    las = list(authorities("Sunderland", "Gateshead"))
    # both checked while neither was stored: each plans to add all 150
    batches = iter(
        [checked(pm, records(las, 150, seed=20)), checked(pm, records(las, 150, seed=21))]
    )

    outcomes = at_once(lambda: commit_batch(batch=next(batches), user=pm), times=2)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    # the second to lock the LAs found them changed and matched its rows again
    assert sorted(o.new_count for o in outcomes) == [0, 150]
    assert PipelineRecord.objects.count() == 150
    assert sum(facts.differences().values()) == 0


def test_a_summary_that_cannot_be_added_to_fails_the_planned_commit(north_east, pm, monkeypatch):
    waiting = checked(pm, records(list(authorities("Sunderland")), 40, seed=40))

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(facts, "add_counts", broken)
    with pytest.raises(RuntimeError):
        commit_batch(batch=waiting, user=pm)

    assert not PipelineRecord.objects.exists()  # never records without their summaries
    waiting.refresh_from_db()
    assert waiting.status == BatchStatus.VALIDATED  # and it can be committed again


def test_summaries_that_drifted_from_the_records_refuse_a_change_and_keep_nothing(north_east, pm):
    from django.core.exceptions import ValidationError

    from pipeline.models import RecordMonth

    las = list(authorities("Sunderland"))
    commit_batch(batch=checked(pm, records(las, 60, seed=30)), user=pm)
    RecordMonth.objects.all().delete()  # the summaries no longer match (say, edited by hand)
    waiting = checked(pm, records(las, 60, seed=31))  # the same references, other dates
    assert waiting.changed_count > 0

    with pytest.raises(ValidationError) as refused:
        commit_batch(batch=waiting, user=pm, clear_confirmed=True)

    assert "summary figures no longer match the case records" in str(refused.value)
    assert not PipelineRecord.objects.filter(batch=waiting).exists()
    waiting.refresh_from_db()
    assert waiting.status == BatchStatus.VALIDATED
