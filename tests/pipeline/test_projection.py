"""Where will each cluster end the year (issue 19, item 3): approvals projected from the
pipeline now, the cluster's own rates and its enquiries, with an interval that covers what
then happens, a back-test, the national rates where a cluster has too little history, and
a page that shows a cluster lead their own cluster only."""

import datetime

import numpy as np
import pytest

from pipeline.projection import (
    MIN_EPISODES,
    STAGES,
    Records,
    ReturnsPart,
    episodes,
    project,
)
from tests.clock import FIXED_DAY
from tests.conftest import client_for

DAY = datetime.timedelta(days=1)


def simulate(rng, *, start=datetime.date(2022, 1, 1), months=48, per_month=60, la=1):
    """A pipeline with known behaviour: enquiries arrive every month; 60% have a first
    conversation within three weeks, 45% of those apply within two months, then two
    assessment steps, panel and (for 70% of applicants) approval five to eight months after
    applying; everyone else leaves on a dated day. Every date, future ones too, is set."""
    rows = []
    for m in range(months):
        first = datetime.date(
            start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1
        )
        for _ in range(rng.poisson(per_month)):
            enquiry = first + DAY * int(rng.integers(0, 28))
            dates = dict.fromkeys(STAGES + ["approval_date", "exit_date"])
            dates["enquiry_date"] = enquiry
            outcome = "exited"
            if rng.random() < 0.6:
                dates["conversation_date"] = enquiry + DAY * int(rng.integers(0, 21))
                if rng.random() < 0.45:
                    application = dates["conversation_date"] + DAY * int(rng.integers(20, 60))
                    dates["application_date"] = application
                    dates["assessment_1_date"] = application + DAY * int(rng.integers(30, 60))
                    dates["assessment_2_date"] = dates["assessment_1_date"] + DAY * int(
                        rng.integers(30, 60)
                    )
                    if rng.random() < 0.7:
                        dates["panel_date"] = application + DAY * int(rng.integers(140, 220))
                        dates["approval_date"] = dates["panel_date"] + DAY * int(
                            rng.integers(5, 20)
                        )
                        outcome = "approved"
                    else:
                        dates["exit_date"] = dates["assessment_2_date"] + DAY * 10
                else:
                    dates["exit_date"] = dates["conversation_date"] + DAY * 30
            else:
                dates["exit_date"] = enquiry + DAY * 14
            rows.append((la, *[dates[k] for k in STAGES + ["approval_date", "exit_date"]], outcome))
    return rows


AS_OF = datetime.date(2025, 1, 15)
END = datetime.date(2025, 7, 15)


def test_the_interval_covers_what_then_happened_nine_times_in_ten():
    inside, errors = 0, []
    for seed in range(20):
        records = Records(simulate(np.random.default_rng(seed)))
        result = project(records, None, as_of=AS_OF, end=END, seed=seed, replicates=200)
        happened = records.approvals_between(AS_OF, END)
        inside += result.low <= happened <= result.high
        errors.append(result.expected - happened)
    assert inside >= 16, inside  # a 90% interval: 18 expected of 20
    assert abs(np.mean(errors)) < 0.15 * 6 * 60 * 0.6 * 0.45 * 0.7  # no lean either way


def test_the_projection_uses_nothing_dated_after_its_day():
    rows = simulate(np.random.default_rng(3))
    cut = AS_OF.toordinal()

    def known(row):
        la, *dates, outcome = row
        dates = [d if d and d.toordinal() <= cut else None for d in dates]
        if outcome != "open" and not dates[-1] and not dates[-2]:
            outcome = "open"  # not yet approved or left on the day
        return (la, *dates, outcome)

    full = project(Records(rows), None, as_of=AS_OF, end=END, seed=1)
    then = project(Records([known(r) for r in rows]), None, as_of=AS_OF, end=END, seed=1)
    assert full.expected == pytest.approx(then.expected)
    assert (full.low, full.high, full.people) == (then.low, then.high, then.people)


def test_a_cluster_with_little_history_uses_the_national_rates_and_says_so():
    national_rows = simulate(np.random.default_rng(5), per_month=80)
    small = simulate(np.random.default_rng(6), per_month=1, la=2)  # a dozen people a year
    everyone = Records(national_rows + small)
    mine = everyone.of([2])
    length = 104 + 27 + 1
    assert len(episodes(mine, AS_OF, length)["panel_date"]) < MIN_EPISODES
    national = episodes(everyone, AS_OF, length)
    with_national = project(mine, national, as_of=AS_OF, end=END)
    alone = project(mine, None, as_of=AS_OF, end=END)
    assert "panel_date" in with_national.baseline_stages and not alone.baseline_stages


def test_las_sending_returns_add_their_monthly_rate():
    part = ReturnsPart(rates=[2.0, 0.5], months=[4, 4], history=[12, 12])
    result = project(Records([]), None, as_of=AS_OF, end=END, returns=part, replicates=400)
    assert result.expected == pytest.approx(10.0)
    assert result.low < 10 < result.high and result.people == 0


def test_people_who_left_or_were_approved_are_not_in_the_pipeline():
    rows = simulate(np.random.default_rng(8), months=12)
    records = Records(rows)
    at, _ = records.standing(datetime.date(2030, 1, 1))  # long after everyone finished
    assert (at == -1).all()


# The page ---------------------------------------------------------------------------------


@pytest.fixture
def pipelines(users, north_east, other_cluster):
    """Records for two North East LAs and Foster4's three, dated up to FIXED_DAY, as if
    imported; a target on the North East's hub."""
    from clusters.models import Hub
    from pipeline import facts
    from pipeline.models import PipelineRecord

    Hub.objects.create(cluster=north_east, name="Foster with North East", approvals_target=90)
    today = FIXED_DAY.date()
    objects = []
    las = [
        *north_east.memberships.values_list("local_authority_id", flat=True)[:2],
        *other_cluster.memberships.values_list("local_authority_id", flat=True),
    ]
    for i, la in enumerate(las):
        for n, row in enumerate(
            simulate(
                np.random.default_rng(i), start=datetime.date(2023, 7, 1), months=41, per_month=25
            )
        ):
            _, *dates, outcome = row
            values = dict(zip(STAGES + ["approval_date", "exit_date"], dates, strict=True))
            if values["enquiry_date"] > today:
                continue
            values = {k: (v if v and v <= today else None) for k, v in values.items()}
            if outcome == "approved" and not values["approval_date"]:
                outcome = "open"
            if outcome == "exited" and not values["exit_date"]:
                outcome = "open"
            record = PipelineRecord(
                local_authority_id=la, la_reference=f"R{n}", outcome=outcome, **values
            )
            if outcome == "exited":
                from pipeline.models import Stage

                record.exit_stage = Stage.objects.order_by("order").first()
            objects.append(record)
    PipelineRecord.objects.bulk_create(objects)
    facts.refresh(las)
    return las


@pytest.mark.time_machine(FIXED_DAY)
def test_dfe_reads_every_clusters_projection_with_its_target_and_back_test(users, pipelines):
    body = client_for(users["dfe"]).get("/pipeline/projections/").content.decode()
    assert "Where will the year end?" in body
    assert "North East" in body and "Foster4" in body
    assert "Approvals projected, with the 90% range" in body
    assert "By 31 March" in body and "By the contract" in body
    assert "3 months ago" in body and "6 months ago" in body
    assert ">90<" in body.replace("<br>", "<")  # the North East's target


@pytest.mark.time_machine(FIXED_DAY)
def test_a_lead_sees_their_own_cluster_only_in_the_page_and_the_csv(users, pipelines):
    client = client_for(users["lead"])
    body = client.get("/pipeline/projections/").content.decode()
    assert "North East" in body and "Foster4" not in body
    csv = client.get("/pipeline/projections/?format=csv").content.decode()
    assert csv.count("\n") == 2 and "North East" in csv and "Foster4" not in csv


@pytest.mark.time_machine(FIXED_DAY)
def test_the_projection_is_worked_out_once_until_the_data_change(users, pipelines, monkeypatch):
    from pipeline import facts, projection

    calls = []
    real = projection.cluster_projections
    monkeypatch.setattr(
        projection, "cluster_projections", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    client = client_for(users["dfe"])
    client.get("/pipeline/projections/")
    client.get("/pipeline/projections/")
    assert len(calls) == 1
    facts.refresh(pipelines[:1])  # the records changed (an import was committed)
    client.get("/pipeline/projections/")
    assert len(calls) == 2


@pytest.mark.time_machine(FIXED_DAY)
def test_a_failure_is_said_and_tried_again_later(users, pipelines, monkeypatch):
    from django.core.cache import cache

    from pipeline import projection

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(projection, "cluster_projections", broken)
    response = client_for(users["dfe"]).get("/pipeline/projections/")
    assert response.status_code == 200
    assert "The projections could not be worked out" in response.content.decode()
    key = projection.projections_key(FIXED_DAY.date())
    assert cache.get(key) == {"failed": True}  # kept for a few minutes, then tried again
    assert cache.get(f"{key}:running") is None


@pytest.mark.time_machine(FIXED_DAY)
def test_with_a_worker_the_page_says_it_is_being_worked_out(
    users, pipelines, settings, monkeypatch
):
    from core import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args, **kw: sent.append(args) or True)
    body = client_for(users["dfe"]).get("/pipeline/projections/").content.decode()
    assert "The projections are being worked out" in body and len(sent) == 1
    client_for(users["pm"]).get("/pipeline/projections/")
    assert len(sent) == 1  # one piece of work at a time, however many look


@pytest.mark.time_machine(FIXED_DAY)
def test_the_quarterly_report_freezes_the_same_projections_and_a_lead_reads_their_own(
    users, pipelines
):
    import json

    from programme.demo import seed as seed_contract
    from reports.gather import gather_quarterly
    from reports.render import lead_cut

    seed_contract()
    data = gather_quarterly(FIXED_DAY.date())
    programme = next(s for s in data["sections"] if s["key"] == "programme-evaluation")
    projections = next(b for b in programme["blocks"] if b["key"] == "projections")
    rows = {r[0]: r for r in projections["tables"][0]["rows"]}
    assert set(rows) == {"North East", "Foster4"}
    page = client_for(users["dfe"]).get("/pipeline/projections/?format=csv").content.decode()
    line = next(x for x in page.splitlines() if x.startswith("North East")).split(",")
    assert [str(v) for v in rows["North East"][1:5]] == line[1:5]  # so far, total, range
    assert "likely to meet it this year" in " ".join(data["key_figures"])
    mine = json.dumps(lead_cut(data, "north-east"))
    assert "Foster4" not in mine and "Are the hubs working?" in mine


@pytest.mark.time_machine(FIXED_DAY)
def test_the_kept_page_costs_the_same_queries_with_more_records(users, pipelines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pipeline import facts
    from pipeline.models import PipelineRecord

    client = client_for(users["dfe"])

    def kept_queries():
        client.get("/pipeline/projections/")  # worked out (inline in tests) and kept
        with CaptureQueriesContext(connection) as queries:
            assert (
                "Where will the year end?" in client.get("/pipeline/projections/").content.decode()
            )
        return len(queries)

    few = kept_queries()
    la = pipelines[0]
    PipelineRecord.objects.bulk_create(
        PipelineRecord(
            local_authority_id=la, la_reference=f"MORE{i}", enquiry_date=datetime.date(2026, 10, 1)
        )
        for i in range(300)
    )
    facts.refresh([la])
    assert kept_queries() == few
