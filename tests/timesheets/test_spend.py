"""Allocation against the planning figure, the burn-up with its forecast, and the warnings
a programme manager sees as a cap comes near."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import FinancialYearCap
from tests.conftest import client_for
from timesheets import selectors

from .conftest import approved, weekdays

pytestmark = pytest.mark.dates

TODAY = datetime.date(2024, 7, 15)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def three_months(consultant, pm, north_east, clock):
    """Five days a month in April, May and June 2024 (£4,000 a month at £800)."""
    for month in (4, 5, 6):
        for day in weekdays(datetime.date(2024, month, 1), 5):
            approved(consultant, pm, day, cluster=north_east)


def test_allocation_shows_days_by_requirement_against_the_plan_flagged(
    consultant, colleague, pm, north_east, other_cluster, clock
):
    june = weekdays(datetime.date(2024, 6, 3), 3)
    for day in june:
        approved(consultant, pm, day, cluster=north_east)
    for day in june:
        approved(colleague, pm, day, cluster=north_east, requirement="R3")
    approved(colleague, pm, datetime.date(2024, 6, 20), cluster=other_cluster, days="0.5")
    approved(colleague, pm, datetime.date(2024, 7, 1), cluster=other_cluster)

    data = selectors.allocation(
        clusters=[north_east, other_cluster], fy=2024, today=TODAY, programme_wide=False
    )

    rows = {(r["cluster"], r["month"]): r for r in data["rows"]}
    ne_june = rows[("North East", datetime.date(2024, 6, 1))]
    assert (ne_june["R2"], ne_june["R3"], ne_june["days"], ne_june["hours"]) == (
        Decimal("3.00"),
        Decimal("3.00"),
        Decimal("6.00"),
        Decimal("45.00"),
    )
    assert ne_june["flag"] == "Over" and ne_june["difference"] == Decimal("2.00")
    assert rows[("Foster4", datetime.date(2024, 6, 1))]["flag"] == "Under"
    assert rows[("North East", datetime.date(2024, 4, 1))]["flag"] == "Under"
    assert rows[("Foster4", datetime.date(2024, 7, 1))]["flag"] == "In progress"
    assert data["months"][-1] == datetime.date(2024, 7, 1)  # nothing after this month


def test_the_burn_up_forecasts_the_month_the_cap_is_reached(three_months, pm):
    FinancialYearCap.objects.filter(start_year=2024).update(amount=Decimal("20000"))

    year = next(c for c in selectors.burn_up(today=TODAY)["caps"] if c["key"] == "2024")

    assert year["spent"] == Decimal("12000.00") and year["run_rate"] == Decimal("4000.00")
    june, july, august = year["rows"][2:5]
    assert (june["cumulative"], june["forecast"]) == (Decimal("12000.00"), Decimal("12000.00"))
    assert (july["cumulative"], july["forecast"]) == (Decimal("12000.00"), Decimal("16000.00"))
    assert (august["cumulative"], august["forecast"]) == (None, Decimal("20000.00"))
    assert year["reached"] == datetime.date(2024, 8, 1)


def test_the_burn_up_gives_the_headroom_at_the_years_end_when_the_cap_holds(three_months):
    caps = {c["key"]: c for c in selectors.burn_up(today=TODAY)["caps"]}

    assert caps["2024"]["reached"] is None
    # £12,000 so far and nine more months at £4,000
    assert caps["2024"]["forecast_end"] == Decimal("48000.00")
    assert caps["2024"]["headroom_end"] == Decimal("302000.00")
    assert caps["total"]["spent"] == Decimal("12000.00")


def test_the_burn_up_page_has_the_chart_and_the_same_numbers_in_a_table(three_months, pm):
    FinancialYearCap.objects.filter(start_year=2024).update(amount=Decimal("20000"))

    body = client_for(pm).get(reverse("timesheets:burn_up") + "?cap=2024").content.decode()

    assert 'src="data:image/svg+xml;base64,' in body
    assert "At the recent run rate the cap would be reached in August 2024." in body
    assert "£12,000.00" in body and "£16,000.00" in body and "£20,000.00" in body
    csv = client_for(pm).get(reverse("timesheets:burn_up") + "?cap=2024&format=csv")
    assert "2024-08,,,20000.00,20000.00," in csv.content.decode()


def test_the_chart_is_drawn_without_pyplot(three_months):
    import sys

    from timesheets.charts import burn_up_chart

    uri = burn_up_chart(selectors.burn_up(today=TODAY)["caps"][-1])

    assert uri.startswith("data:image/svg+xml;base64,")
    assert "matplotlib.pyplot" not in sys.modules


@pytest.mark.parametrize(("cap", "level"), [("15000", "75%"), ("13000", "90%")])
def test_the_programme_manager_is_warned_as_a_cap_nears(three_months, pm, cap, level):
    FinancialYearCap.objects.filter(start_year=2024).update(amount=Decimal(cap))

    home = client_for(pm).get(reverse("core:home")).content.decode()

    assert f"Approved cost has passed {level} of the 2024-25 cap" in home


def test_no_warning_below_three_quarters_of_a_cap(three_months, pm, consultant):
    home = client_for(pm).get(reverse("core:home")).content.decode()

    assert "Approved cost has passed" not in home
    assert "Approved cost has passed" not in client_for(consultant).get("/").content.decode()
