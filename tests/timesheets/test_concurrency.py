"""The caps hold when many approvals arrive at the same moment (PostgreSQL, real row locks,
one connection per thread)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from accounts.models import Role
from programme.models import FinancialYearCap
from tests.factories import UserFactory
from timesheets import services
from timesheets.models import SPENT, Status, TimeEntry

from .conftest import submitted, weekdays

pytestmark = pytest.mark.dates

APPROVALS = 24
CAP = Decimal("8400")  # room for 10.5 days at £800: ten of the 24 one-day entries


def _fire(entries, pm, *, adjustments=()) -> list[tuple[int, str]]:
    """Approve every entry at once, each from its own thread and connection."""
    outcomes, barrier = [], threading.Barrier(len(entries))

    def approve(entry):
        barrier.wait()
        try:
            services.approve_entry(entry_id=entry.pk, by=pm)
            outcomes.append((entry.pk, "approved"))
        except ValidationError as error:
            outcomes.append((entry.pk, " ".join(error.messages)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(e,)) for e in entries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_never_take_approved_cost_past_the_cap(contract, senior, pm):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")
    FinancialYearCap.objects.filter(start_year=2024).update(amount=CAP)
    people = [UserFactory(role=Role.CONSULTANT, grade=senior) for _ in range(APPROVALS // 4)]
    days = weekdays(datetime.date(2024, 6, 3), 4)
    entries = [submitted(person, day) for person in people for day in days]
    assert len(entries) == APPROVALS

    outcomes = _fire(entries, pm)

    approved = [pk for pk, outcome in outcomes if outcome == "approved"]
    refused = [outcome for _, outcome in outcomes if outcome != "approved"]
    spent = TimeEntry.objects.filter(status__in=SPENT).aggregate(cost=Sum("cost"))["cost"]
    assert len(outcomes) == APPROVALS
    assert spent <= CAP
    assert len(approved) == 10 and spent == Decimal("8000")
    assert len(refused) == APPROVALS - 10
    for message in refused:
        assert "Headroom left in 2024-25: £400.00, which is 0.5 days at £800.00 a day." in message
    assert TimeEntry.objects.filter(status=Status.SUBMITTED).count() == APPROVALS - 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_with_adjustments_hold_the_total_cap(contract, senior, pm):
    """Adjustments submitted and approved alongside ordinary time, against the total cap."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")
    people = [UserFactory(role=Role.CONSULTANT, grade=senior) for _ in range(5)]
    june = weekdays(datetime.date(2024, 6, 3), 1)[0]
    invoiced = []
    for person in people:
        entry = submitted(person, june, days="0.5")
        invoiced.append(services.approve_entry(entry_id=entry.pk, by=pm))
    services.issue_invoice(month=june, by=pm)
    # £2,000 invoiced; room for £3,000 more in all
    contract.total_cap = Decimal("5000")
    contract.save()
    july = weekdays(datetime.date(2024, 7, 1), 3)
    ordinary = [submitted(person, day) for person in people for day in july]  # 15 x £900
    adjustments = [
        services.record_adjustment(
            adjusts_id=entry.pk, by=entry.consultant, days=Decimal("0.5"), reason="Forgot half"
        )
        for entry in invoiced
    ]  # 5 x £400
    batch = ordinary + adjustments
    assert len(batch) >= 20

    outcomes = _fire(batch, pm)

    spent = TimeEntry.objects.filter(status__in=SPENT).aggregate(cost=Sum("cost"))["cost"]
    assert spent <= Decimal("5000")
    refused = [o for _, o in outcomes if o != "approved"]
    assert refused and all("Headroom left across the contract:" in o for o in refused)
