"""The hub-effect estimator (issue 19, item 2) on synthetic panels with a known planted
effect: its interval covers the effect, with no effect it covers zero in about 95% of
seeds, with staggered starts and growing effects the naive two-way fixed-effects regression
is biased and it is not, and it refuses to give a number when the data cannot support one."""

import numpy as np

from pipeline.evaluation import NEVER, Panel, estimate, two_way_fixed_effects


def panel(
    *,
    seed=0,
    effect=lambda exposure: 0.0,
    cohorts=((4, 8), (6, 8), (8, 8)),
    controls=40,
    periods=12,
    noise=3.0,
    pre_trend=0.0,
):
    """Units with their own level, shared period shocks and noise; each cohort (first
    treated period, units) gets ``effect(periods since go-live)`` from go-live on;
    ``pre_trend`` adds a trend of that slope to hub units only."""
    rng = np.random.default_rng(seed)
    first = [g for g, n in cohorts for _ in range(n)] + [NEVER] * controls
    units = len(first)
    level = rng.normal(100, 20, size=units)
    shocks = rng.normal(0, 5, size=periods).cumsum()
    y = level[:, None] + shocks[None, :] + rng.normal(0, noise, size=(units, periods))
    for i, g in enumerate(first):
        for t in range(periods):
            if np.isfinite(g):
                y[i, t] += pre_trend * t
                if t >= g:
                    y[i, t] += effect(t - g)
    return Panel(outcome=y, first_treated=np.array(first, dtype=float))


def test_a_planted_effect_is_inside_the_interval_and_zero_is_not():
    result = estimate(panel(effect=lambda e: 20.0), replicates=199)
    assert result.supported, result.refused
    assert result.overall.low < 20 < result.overall.high
    assert result.overall.low > 0
    assert (result.treated_units, result.control_units) == (24, 40)
    # before go-live the event study is flat (the check that trends were parallel passed)
    assert all(abs(est.value) < 5 for e, est in result.events.items() if e < 0)
    assert result.events[-1].value == 0  # the reference period


def test_with_no_effect_the_interval_covers_zero_in_about_95_percent_of_seeds():
    covered = 0
    seeds = 40
    for seed in range(seeds):
        result = estimate(panel(seed=seed), replicates=99, seed=seed)
        covered += result.overall.low <= 0 <= result.overall.high
    assert covered >= 34, f"covered zero in {covered} of {seeds}"  # 95% of 40 = 38


def test_staggered_starts_with_growing_effects_bias_the_naive_regression_not_this_one():
    grows = panel(
        effect=lambda e: 5.0 * (e + 1), cohorts=((2, 10), (9, 10)), controls=10, noise=0.5
    )
    result = estimate(grows, replicates=99)
    # the true average effect after go-live, weighted as the estimator weights it
    first, periods = grows.first_treated, grows.outcome.shape[1]
    truth = np.mean(
        [5.0 * (t - g + 1) for g in first if np.isfinite(g) for t in range(int(g), periods)]
    )
    assert abs(result.overall.value - truth) < 2
    for e in (0, 1, 2):
        assert abs(result.events[e].value - 5.0 * (e + 1)) < 1.5
    naive = two_way_fixed_effects(grows)
    assert naive < truth - 10  # already-treated LAs used as controls drag it down


def test_too_few_las_is_said_instead_of_a_number():
    result = estimate(panel(cohorts=((6, 2),), controls=30))
    assert result.overall is None
    assert result.refused.startswith("Too few LAs: 2 in hubs and 30 in none")


def test_no_period_before_go_live_is_said_instead_of_a_number():
    result = estimate(panel(cohorts=((0, 8),)))
    assert result.overall is None and "Not enough periods before go-live" in result.refused


def test_trends_that_were_not_parallel_are_said():
    result = estimate(panel(cohorts=((8, 12),), pre_trend=4.0, effect=lambda e: 0.0))
    assert not result.supported
    assert result.refused.startswith("Trends were not parallel before go-live")


def test_missing_values_are_left_out_not_read_as_zero():
    data = panel(effect=lambda e: 15.0)
    data.outcome[0, :] = np.nan  # a hub LA with every figure suppressed
    data.outcome[30, 3] = np.nan  # one suppressed year of an LA in no hub
    result = estimate(data, replicates=99)
    assert result.overall.low < 15 < result.overall.high


# The page, on published figures in the database ------------------------------------------

import datetime  # noqa: E402

import pytest  # noqa: E402

from tests.clock import FIXED_DAY  # noqa: E402
from tests.conftest import client_for  # noqa: E402


@pytest.fixture
def figures(users, north_east):
    """Published figures 2016-2025 for every LA; the North East's hub went live on 28
    September 2023 (first full year: the year ending 31 March 2024) and its LAs' enquiries
    rise by 60 a year from then on."""
    from clusters.models import Hub, LocalAuthority
    from pipeline.models import PublishedFigure, PublishedLoad

    Hub.objects.create(
        cluster=north_east, name="Foster with North East", go_live_date=datetime.date(2023, 9, 28)
    )
    members = set(north_east.memberships.values_list("local_authority_id", flat=True))
    load = PublishedLoad.objects.create(
        source="Synthetic", filename="s.csv", sha256="0" * 64, loaded_by=users["pm"]
    )
    rng = np.random.default_rng(7)
    rows = []
    for la in LocalAuthority.objects.all():
        base = rng.normal(300, 60)
        for year in range(2016, 2026):
            enquiries = base + 8 * (year - 2016) + rng.normal(0, 6)
            if la.pk in members and year >= 2024:
                enquiries += 60
            rows.append(
                PublishedFigure(
                    local_authority=la,
                    year_ending=datetime.date(year, 3, 31),
                    initial_enquiries=round(enquiries),
                    applications=round(enquiries * 0.07),
                    approvals=round(enquiries * 0.03),
                    load=load,
                )
            )
    PublishedFigure.objects.bulk_create(rows)


@pytest.mark.time_machine(FIXED_DAY)
def test_the_page_states_the_hub_effect_with_its_sample_and_each_hub_for_dfe(users, figures):
    import re

    body = client_for(users["dfe"]).get("/pipeline/hub-effect/").content.decode()
    found = re.search(
        r"initial enquiries were ([\d.]+) higher each year than the change seen in LAs in no "
        r"hub would predict \(95% interval \+([\d.]+) to \+([\d.]+)\)",
        body,
    )
    assert found, body[body.find("<main") :][:2000]
    assert float(found.group(2)) < 60 < float(found.group(3))  # the planted 60 a year
    assert (
        "It rests on 12 LAs in hubs and 141 in none, over 10 years ending 31 March (2016 to 2025)."
        in body
    )
    assert "each hub against the LAs in no hub" in body and "Foster with North East" in body
    assert "Years since go-live" in body


@pytest.mark.time_machine(FIXED_DAY)
def test_a_lead_sees_the_pooled_effect_only(users, figures):
    body = client_for(users["lead"]).get("/pipeline/hub-effect/").content.decode()
    assert "higher each year than the change seen in LAs in no hub" in body
    assert "each hub against the LAs in no hub" not in body


@pytest.mark.time_machine(FIXED_DAY)
def test_with_no_figures_the_page_says_so(users, db):
    body = client_for(users["dfe"]).get("/pipeline/hub-effect/").content.decode()
    assert "No published figures are loaded yet" in body


@pytest.fixture
def monthly_records(users, north_east):
    """Monthly record summaries from January 2023 for the North East's 12 LAs (hub live on 1
    October 2024) and 30 LAs in no cluster; hub LAs' enquiries rise by 10 a month from
    go-live. Stored as pipeline.facts keeps them."""
    from clusters.models import Hub, LocalAuthority
    from core.periods import add_months
    from pipeline.models import RecordMonth

    Hub.objects.create(
        cluster=north_east, name="Foster with North East", go_live_date=datetime.date(2024, 10, 1)
    )
    members = set(north_east.memberships.values_list("local_authority_id", flat=True))
    others = list(
        LocalAuthority.objects.exclude(pk__in=members).order_by("pk").values_list("pk", flat=True)
    )[:30]
    rng = np.random.default_rng(11)
    rows = []
    for la in [*members, *others]:
        base = rng.normal(40, 8)
        for i in range(46):  # January 2023 to October 2026
            month = add_months(datetime.date(2023, 1, 1), i)
            n = base + 0.2 * i + rng.normal(0, 3)
            if la in members and month >= datetime.date(2024, 10, 1):
                n += 10
            n = max(0, round(n))
            rows.append(
                RecordMonth(
                    local_authority_id=la,
                    month=month,
                    entered_enquiry=n,
                    reached_application=round(n * 0.1),
                    reached_approval=round(n * 0.04),
                )
            )
    RecordMonth.objects.bulk_create(rows)


@pytest.mark.time_machine(FIXED_DAY)
def test_by_month_from_the_records_where_both_groups_have_them(users, monthly_records):
    import re

    body = client_for(users["dfe"]).get("/pipeline/hub-effect/").content.decode()
    monthly = body[body.find("By month, from the tracker") :]
    found = re.search(
        r"initial enquiries were ([\d.]+) higher each month than the change seen in LAs in no "
        r"hub would predict \(95% interval \+([\d.]+) to \+([\d.]+)\)",
        monthly,
    )
    assert found, monthly[:1500]
    assert float(found.group(2)) < 10 < float(found.group(3))  # the planted 10 a month
    assert "It rests on 12 LAs in hubs and 30 in none, over 46 months" in monthly
    assert "Months since go-live" in monthly
    assert "No published figures are loaded yet" in body  # the annual part says so


@pytest.mark.time_machine(FIXED_DAY)
def test_while_the_estimates_are_worked_out_the_page_says_so(users, monthly_records, settings):
    from unittest import mock

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("core.tasks.enqueue", return_value=True) as enqueue:
        body = client_for(users["dfe"]).get("/pipeline/hub-effect/").content.decode()
        client_for(users["lead"]).get("/pipeline/hub-effect/")
    assert "The estimates are being worked out" in body and enqueue.call_count == 1
