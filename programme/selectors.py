"""Reads of the contract and rate card that other areas (timesheets, reports) build on."""

import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist

from .models import Contract, DayRate, FinancialYearCap, Grade, financial_year_of


def current_contract() -> Contract:
    """The delivery-partner contract (the tracker holds one)."""
    contract = Contract.objects.order_by("start_date").first()
    if contract is None:
        raise ObjectDoesNotExist("No contract has been set up yet.")
    return contract


def day_rate_on(grade: Grade, day: datetime.date) -> Decimal:
    """The grade's day rate valid on ``day`` (the latest rate whose valid_from is on or before it)."""
    rate = (
        DayRate.objects.filter(grade=grade, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ObjectDoesNotExist(f"{grade} has no day rate on {day:%-d %B %Y}.")
    return rate


def cap_for_day(contract: Contract, day: datetime.date) -> FinancialYearCap | None:
    """The cap of the financial year that holds ``day``, or None if that year has none."""
    return contract.caps.filter(start_year=financial_year_of(day)).first()


def rate_card() -> list[dict]:
    """Every grade with its rates, newest first (two queries)."""
    grades = Grade.objects.prefetch_related("rates").order_by("order")
    return [{"grade": g, "rates": list(g.rates.all())} for g in grades]
