"""Reads of the contract and rate card that other areas (timesheets, reports) build on."""

import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist

from .models import Contract, DayRate, FinancialYearCap, Grade, financial_year_of


class NoContractYet(ObjectDoesNotExist):
    """A page that needs the contract was asked for before one was set up: shown to the
    person as a page saying so (core.middleware), never as a 500."""


def current_contract() -> Contract:
    """The delivery-partner contract (the tracker holds one)."""
    contract = Contract.objects.order_by("start_date").first()
    if contract is None:
        raise NoContractYet("No contract has been set up yet.")
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


def milestones_for_user(user, *, today: datetime.date | None = None):
    """Programme-wide milestones and those of the clusters the user may see, with slippage
    in days against baseline and overdue items first."""
    from django.db.models import (
        BooleanField,
        Case,
        DateField,
        DurationField,
        ExpressionWrapper,
        F,
        Q,
        Value,
        When,
    )
    from django.db.models.functions import Coalesce, Greatest
    from django.utils import timezone

    from clusters.selectors import clusters_for_user

    from .models import Milestone

    today = today or timezone.localdate()
    visible = Q(cluster__isnull=True) | Q(cluster__in=clusters_for_user(user).values("pk"))
    return (
        Milestone.objects.filter(visible)
        .select_related("cluster")
        .annotate(
            # an unmet milestone past its forecast has slipped at least until today: it
            # read "Overdue" with "Slippage 0 days" when its forecast was its baseline
            slip=ExpressionWrapper(
                Coalesce(
                    F("actual_date"),
                    Greatest(F("forecast_date"), Value(today, output_field=DateField())),
                )
                - F("baseline_date"),
                output_field=DurationField(),
            ),
            overdue=Case(
                When(Q(actual_date__isnull=True) & Q(forecast_date__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-overdue", "forecast_date", "title")
    )


def kpis_with_latest_values():
    """Every KPI with its values, programme-wide and per cluster (two queries)."""
    from django.db.models import Prefetch

    from .models import Kpi, KpiValue

    return Kpi.objects.prefetch_related(
        Prefetch(
            "values",
            queryset=KpiValue.objects.select_related("cluster", "recorded_by").order_by(
                "quarter_start", "cluster__name"
            ),
        )
    )
