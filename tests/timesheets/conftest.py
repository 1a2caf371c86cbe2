import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from programme.models import Contract, DayRate, FinancialYearCap, Grade
from tests.factories import UserFactory
from timesheets import services
from timesheets.models import Activity, Requirement, Status, TimeEntry

# Days well inside the contract and in the past, whatever today is.
JUNE = datetime.date(2024, 6, 3)  # a Monday in financial year 2024-25
RATE_RISE = datetime.date(2024, 7, 1)


@pytest.fixture
def contract(db):
    contract = Contract.objects.create(
        name="Delivery partner",
        reference="DP-TS",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2028, 3, 31),
        total_cap=Decimal("1000000"),
    )
    for year, amount in [(2023, "650000"), (2024, "350000"), (2025, "400000"), (2026, "450000")]:
        FinancialYearCap.objects.create(contract=contract, start_year=year, amount=Decimal(amount))
    return contract


@pytest.fixture
def senior(contract):
    grade = Grade.objects.create(name="Senior consultant", order=4)
    DayRate.objects.create(grade=grade, valid_from=contract.start_date, rate=Decimal("800"))
    DayRate.objects.create(grade=grade, valid_from=RATE_RISE, rate=Decimal("900"))
    return grade


@pytest.fixture
def director(contract):
    grade = Grade.objects.create(name="Director", order=2)
    DayRate.objects.create(grade=grade, valid_from=contract.start_date, rate=Decimal("1200"))
    return grade


# The shared pm and consultant, with grades so that they can log time.
@pytest.fixture
def pm(director):
    return UserFactory(
        role=Role.PROGRAMME_MANAGER,
        email="pm@test.example.org",
        grade=director,
        first_name="Priya",
        last_name="Manager",
    )


@pytest.fixture
def consultant(senior):
    return UserFactory(
        role=Role.CONSULTANT,
        email="consultant@test.example.org",
        grade=senior,
        first_name="Callum",
        last_name="Consultant",
    )


@pytest.fixture
def colleague(senior):
    return UserFactory(
        role=Role.CONSULTANT,
        email="colleague@test.example.org",
        grade=senior,
        first_name="Alex",
        last_name="Colleague",
    )


@pytest.fixture
def second_pm(director):
    return UserFactory(role=Role.PROGRAMME_MANAGER, email="pm2@test.example.org", grade=director)


def log(consultant, day=JUNE, days="1", cluster=None, requirement=Requirement.R2, **extra):
    """Log a draft as the consultant would."""
    return services.save_entry(
        consultant=consultant,
        date=day,
        cluster=cluster,
        requirement=requirement,
        activity=extra.pop("activity", Activity.COACHING),
        days=Decimal(days),
        description=extra.pop("description", "Coaching the hub manager"),
        **extra,
    )


def submitted(consultant, day=JUNE, days="1", **extra) -> TimeEntry:
    entry = log(consultant, day, days, **extra)
    return services.submit_entry(entry_id=entry.pk, by=consultant)


def approved(consultant, pm, day=JUNE, days="1", **extra) -> TimeEntry:
    entry = submitted(consultant, day, days, **extra)
    return services.approve_entry(entry_id=entry.pk, by=pm)


def weekdays(start: datetime.date, n: int) -> list[datetime.date]:
    days, day = [], start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


__all__ = ["JUNE", "RATE_RISE", "Status", "approved", "log", "submitted", "weekdays"]
