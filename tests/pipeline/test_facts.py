"""The funnel reads summaries (pipeline.facts), kept in the import's own transaction. They
must give exactly what the per-record computation gives (tests/pipeline/per_record.py, the
code the funnel ran before), for every figure, every scope and every period, on random data
sets and after records change; and a summary that cannot be written fails the import."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.db.models import F

from clusters.models import LocalAuthority, Region
from pipeline import facts
from pipeline.models import (
    ExitReason,
    MonthlyReturn,
    PipelineRecord,
    RecordMonth,
    ReturnStageCount,
    ReturnStatus,
    SourceChannel,
    Stage,
)
from pipeline.scope import ENGLAND, add_months, make_period, scope_for
from pipeline.selectors import cohorts, funnel
from pipeline.services.records import upsert_records
from tests.factories import authorities

from . import per_record

pytestmark = pytest.mark.django_db

START = datetime.date(2023, 6, 1)
DATES = [
    "enquiry_date",
    "conversation_date",
    "application_date",
    "assessment_1_date",
    "assessment_2_date",
    "panel_date",
    "approval_date",
]


def random_rows(rng, las, n, *, prefix="R", people=None):
    """Records with every shape the funnel meets: journeys stopping at any stage, exits
    with and without a reason, no channel, no identity, one person with several LAs."""
    channels = [None, *SourceChannel.objects.values_list("pk", flat=True)]
    stages = list(Stage.objects.values_list("pk", flat=True))
    reasons = [None, *ExitReason.objects.values_list("pk", flat=True)]
    people = people or max(3, n // 3)
    rows = []
    for i in range(n):
        day = START + datetime.timedelta(days=rng.randrange(0, 900))
        dates = {"enquiry_date": day}
        for field in DATES[1:]:
            if rng.random() < 0.55:
                break
            day = day + datetime.timedelta(days=rng.randrange(0, 75))
            dates[field] = day
        exited = rng.random() < 0.3
        rows.append(
            {
                "local_authority_id": rng.choice(las).pk,
                "la_reference": f"{prefix}-{i}",
                **{f: (dates[f].isoformat() if f in dates else None) for f in DATES},
                "source_channel_id": rng.choice(channels),
                "outcome": "exited" if exited else "open",
                "exit_stage_id": rng.choice(stages) if exited else None,
                "exit_reason_id": rng.choice(reasons) if exited else None,
                "exit_date": (day + datetime.timedelta(days=rng.randrange(0, 40))).isoformat()
                if exited
                else None,
                "person_hash": "" if rng.random() < 0.1 else f"{rng.randrange(people):064x}",
            }
        )
    return rows


def every_scope():
    la = LocalAuthority.objects.filter(pk__in=PipelineRecord.objects.values("local_authority"))
    region = Region.objects.filter(authorities__in=la).first()
    from clusters.models import Cluster

    cluster = Cluster.objects.filter(memberships__local_authority__in=la).first()
    scopes = [ENGLAND, scope_for(la.first()), scope_for(region)]
    return scopes + ([scope_for(cluster)] if cluster else [])


def every_period():
    """Months across the data (every fourth: each month is summed the same way), quarters
    and every financial year, with a month before and after the data."""
    months = [add_months(START, i) for i in range(-1, 36, 4)]
    periods = [make_period("month", m) for m in months]
    periods += [make_period("quarter", add_months(START, 3 * i)) for i in range(0, 12, 3)]
    periods += [make_period("fy", datetime.date(y, 4, 1)) for y in (2023, 2024, 2025)]
    return periods


def comparable(figures: dict) -> dict:
    """The funnel with exits of equal counts in one order (the per-record code left the
    order of ties to the database)."""
    exits = sorted(figures.get("exits", []), key=lambda e: (e["stage"], e["reason"]))
    return {**figures, "exits": exits}


def assert_same_as_per_record():
    for scope in every_scope():
        for period in every_period():
            assert comparable(funnel(scope, period)) == comparable(
                per_record.funnel(scope, period)
            ), (
                scope.label,
                period.label,
            )
        end = datetime.date(2026, 12, 1)
        assert cohorts(scope, start=START, end=end) == per_record.cohorts(
            scope, start=START, end=end
        )
    assert sum(facts.differences().values()) == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_every_funnel_figure_equals_the_per_record_computation_on_random_data(
    seed, north_east, other_cluster
):
    rng = random.Random(seed)
    las = list(authorities("Sunderland", "Gateshead", "Newcastle upon Tyne"))
    las += list(LocalAuthority.objects.exclude(pk__in=[la.pk for la in las])[:2])
    upsert_records(random_rows(rng, las, 400), batch_id=None)
    # returns for an LA without records count; for an LA with records they do not
    no_records = LocalAuthority.objects.exclude(
        pk__in=PipelineRecord.objects.values("local_authority")
    ).filter(region__in=Region.objects.filter(authorities__in=las))[:2]
    enquiry = Stage.objects.get(code="enquiry")
    for la in [*no_records, las[0]]:
        monthly = MonthlyReturn.objects.create(
            local_authority=la, month=datetime.date(2024, 5, 1), status=ReturnStatus.ACCEPTED
        )
        ReturnStageCount.objects.create(monthly_return=monthly, stage=enquiry, count=17)

    assert_same_as_per_record()

    # a second import changes dates, identities, exits and LAs' records, and adds more
    changed = random_rows(random.Random(seed + 100), las, 400)
    upsert_records(changed[:250] + random_rows(rng, las, 150, prefix="S"), batch_id=None)
    assert_same_as_per_record()


def test_a_summary_that_cannot_be_written_fails_the_import(north_east, monkeypatch):
    rng = random.Random(7)
    rows = random_rows(rng, list(authorities("Sunderland")), 30)

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(facts, "refresh", broken)  # SQLite: the LAs' summaries recounted
    monkeypatch.setattr(facts, "change_ctes", broken)  # PostgreSQL: moved by the change
    with pytest.raises(RuntimeError):
        upsert_records(rows, batch_id=None)
    assert not PipelineRecord.objects.exists()  # never records without their summaries


def test_rebuild_facts_reports_a_difference_and_mends_it(north_east, capsys):
    upsert_records(
        random_rows(random.Random(5), list(authorities("Sunderland")), 60), batch_id=None
    )
    call_command("rebuild_facts", "--check")
    assert "The summaries agree with the records." in capsys.readouterr().out

    RecordMonth.objects.filter(pk=RecordMonth.objects.first().pk).update(
        entered_enquiry=F("entered_enquiry") + 1
    )
    with pytest.raises(SystemExit):
        call_command("rebuild_facts", "--check")
    out = capsys.readouterr()
    assert "RecordMonth: 2 rows differed" in out.out  # the wrong row missing, one extra
    assert "summary rows differ" in out.err

    call_command("rebuild_facts")
    assert "Rebuilt: 2 rows had differed." in capsys.readouterr().out
    assert sum(facts.differences().values()) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_imports_racing_each_other_and_a_return_leave_the_summaries_equal_to_a_rebuild(
    north_east, pm
):
    from django.db import connection

    from pipeline.lists import load
    from pipeline.services import accept_return, submit_return
    from tests.concurrency import at_once

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    load()
    las = list(authorities("Sunderland", "Gateshead"))
    batches = iter(
        [
            random_rows(random.Random(11), las, 300, prefix="A", people=60),
            random_rows(random.Random(12), las, 300, prefix="A", people=60),  # same references
            random_rows(random.Random(13), las, 300, prefix="B", people=60),
        ]
    )
    monthly = MonthlyReturn.objects.create(
        local_authority=authorities("Newcastle upon Tyne")[0],
        month=datetime.date(2024, 5, 1),
        status=ReturnStatus.DRAFT,
    )
    ReturnStageCount.objects.create(
        monthly_return=monthly, stage=Stage.objects.get(code="enquiry"), count=9
    )
    submit_return(monthly_return=monthly, user=pm)
    rows = [next(batches), next(batches), next(batches)]
    work = iter([*rows, None])

    def one():
        mine = next(work)
        if mine is None:
            return accept_return(monthly_return=monthly, user=pm)
        return upsert_records(mine, batch_id=None)

    outcomes = at_once(one, times=4)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(facts.differences().values()) == 0
    assert_same_as_per_record()
