import datetime
from decimal import Decimal

import pytest

from programme.models import Contract, DayRate, FinancialYearCap, Grade, Milestone


@pytest.fixture
def contract(db):
    contract = Contract.objects.create(
        name="Delivery partner",
        reference="DP-1",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2025, 3, 31),
        total_cap=Decimal("1000000"),
    )
    FinancialYearCap.objects.create(contract=contract, start_year=2023, amount=Decimal("650000"))
    FinancialYearCap.objects.create(contract=contract, start_year=2024, amount=Decimal("350000"))
    grade = Grade.objects.create(name="Senior consultant", order=1)
    DayRate.objects.create(grade=grade, valid_from=contract.start_date, rate=Decimal("800"))
    return contract


@pytest.fixture
def programme_milestone(db):
    return Milestone.objects.create(
        title="Funding awarded",
        baseline_date=datetime.date(2023, 9, 30),
        forecast_date=datetime.date(2023, 9, 30),
    )


@pytest.fixture
def ne_milestone(north_east):
    return Milestone.objects.create(
        cluster=north_east,
        title="Standard offer agreed",
        baseline_date=datetime.date(2024, 6, 30),
        forecast_date=datetime.date(2024, 8, 30),
    )


@pytest.fixture
def other_milestone(other_cluster):
    return Milestone.objects.create(
        cluster=other_cluster,
        title="Foster4 campaign",
        baseline_date=datetime.date(2024, 6, 30),
        forecast_date=datetime.date(2024, 6, 30),
    )
