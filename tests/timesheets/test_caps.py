"""Approval stops at the caps, saying how much room is left in money and in days."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programme.models import FinancialYearCap
from tests.clock import LONDON
from tests.conftest import client_for
from timesheets import services
from timesheets.models import Status, TimeEntry

from .conftest import approved, submitted, weekdays

pytestmark = pytest.mark.dates


@pytest.fixture
def small_fy_cap(contract):
    # room for two and a half days at £800 in 2024-25
    FinancialYearCap.objects.filter(start_year=2024).update(amount=Decimal("2000"))


def test_approval_refused_when_it_would_pass_the_fy_cap_with_the_headroom(
    consultant, pm, small_fy_cap
):
    days = weekdays(datetime.date(2024, 6, 3), 3)
    approved(consultant, pm, days[0])
    approved(consultant, pm, days[1])
    third = submitted(consultant, days[2])

    with pytest.raises(ValidationError) as refused:
        services.approve_entry(entry_id=third.pk, by=pm)

    assert refused.value.messages == [
        "Approving this entry (£800.00) would take approved cost in 2024-25 to £2,400.00, "
        "past the 2024-25 cap of £2,000.00. Headroom left in 2024-25: £400.00, which is "
        "0.5 days at £800.00 a day."
    ]
    assert TimeEntry.objects.get(pk=third.pk).status == Status.SUBMITTED


def test_time_that_fits_the_headroom_exactly_is_approved(consultant, pm, small_fy_cap):
    days = weekdays(datetime.date(2024, 6, 3), 3)
    approved(consultant, pm, days[0])
    approved(consultant, pm, days[1])

    assert approved(consultant, pm, days[2], days="0.5").status == Status.APPROVED


def test_approval_refused_when_it_would_pass_the_total_cap(consultant, pm, contract):
    contract.total_cap = Decimal("1500")
    contract.save()
    approved(consultant, pm, datetime.date(2023, 6, 5))  # 2023-24
    entry = submitted(consultant, datetime.date(2024, 6, 3))  # 2024-25 has room

    with pytest.raises(ValidationError) as refused:
        services.approve_entry(entry_id=entry.pk, by=pm)

    message = refused.value.messages[0]
    assert "past the contract's total cap of £1,500.00" in message
    assert "Headroom left across the contract: £700.00, which is 0.87 days at £800.00" in message


def test_invoiced_cost_counts_against_the_cap_too(consultant, pm, small_fy_cap):
    days = weekdays(datetime.date(2024, 6, 3), 3)
    approved(consultant, pm, days[0])
    approved(consultant, pm, days[1])
    services.issue_invoice(month=datetime.date(2024, 6, 1), by=pm)
    third = submitted(consultant, days[2])

    with pytest.raises(ValidationError, match="Headroom left in 2024-25: £400.00"):
        services.approve_entry(entry_id=third.pk, by=pm)


def test_each_financial_year_has_its_own_cap(consultant, pm, small_fy_cap):
    for day in weekdays(datetime.date(2024, 6, 3), 2):
        approved(consultant, pm, day)

    # 2023-24 is nowhere near its cap of £650,000
    assert approved(consultant, pm, datetime.date(2024, 3, 4)).status == Status.APPROVED


def test_taking_time_away_is_never_stopped_by_a_cap(consultant, pm, small_fy_cap):
    days = weekdays(datetime.date(2024, 6, 3), 2)
    first = approved(consultant, pm, days[0])
    approved(consultant, pm, days[1])
    services.issue_invoice(month=datetime.date(2024, 6, 1), by=pm)
    FinancialYearCap.objects.filter(start_year=2024).update(amount=Decimal("1600"))

    negative = services.record_adjustment(
        adjusts_id=first.pk,
        by=pm,
        days=Decimal("-0.5"),
        reason="Half was travel",
        date=datetime.date(2024, 7, 1),
    )
    assert services.approve_entry(entry_id=negative.pk, by=pm).status == Status.APPROVED


def test_the_refusal_is_shown_on_the_approvals_page(consultant, pm, small_fy_cap):
    days = weekdays(datetime.date(2024, 6, 3), 4)
    for day in days[:2]:
        approved(consultant, pm, day)
    entry = submitted(consultant, days[2])

    response = client_for(pm).post(
        reverse("timesheets:approvals"), {"only": str(entry.pk)}, follow=True
    )

    body = response.content.decode()
    assert "Not approved: Approving this entry (£800.00)" in body
    assert "£400.00, which is 0.5 days at £800.00 a day" in body


def test_cap_refusal_names_both_caps_when_both_would_be_passed():
    message = services.cap_refusal(
        cost=Decimal("1000"),
        rate=Decimal("1000"),
        fy_label="2025-26",
        fy_cap=Decimal("5000"),
        fy_spent=Decimal("4500"),
        total_cap=Decimal("9000"),
        total_spent=Decimal("8750"),
    )

    assert "Headroom left in 2025-26: £500.00, which is 0.5 days" in message
    assert "Headroom left across the contract: £250.00, which is 0.25 days" in message


def test_a_second_click_of_approve_says_the_first_one_worked(
    consultant, pm, second_pm, time_machine
):
    time_machine.move_to(datetime.datetime(2024, 6, 10, 14, 2, tzinfo=LONDON), tick=False)
    entry = submitted(consultant, datetime.date(2024, 6, 3))
    client = client_for(pm)
    url = reverse("timesheets:approvals")
    client.post(url, {"only": str(entry.pk)})

    body = client.post(url, {"only": str(entry.pk)}, follow=True).content.decode()

    assert "Already approved by you at 14:02 on 10 June 2024." in body
    assert "Not approved" not in body
    body = client_for(second_pm).post(url, {"only": str(entry.pk)}, follow=True).content.decode()
    assert f"Already approved by {pm} at 14:02 on 10 June 2024." in body
