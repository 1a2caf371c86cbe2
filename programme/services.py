"""Writes to the contract, rate card, milestones and KPIs, with their rules."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import (
    Contract,
    ContractVariation,
    DayRate,
    FinancialYearCap,
    Grade,
    Kpi,
    KpiValue,
    Milestone,
)


@transaction.atomic
def vary_contract(
    *,
    contract: Contract,
    new_end_date: datetime.date,
    new_total_cap: Decimal,
    added_caps: dict[int, Decimal],
    reason: str,
    agreed_on: datetime.date | None = None,
    by=None,
) -> ContractVariation:
    """Extend the contract and add financial years with their caps.

    The earlier terms stay in the contract's history and in the variation record.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if new_end_date <= contract.end_date:
        raise ValidationError(
            {
                "new_end_date": f"A variation must extend the end date ({contract.end_date:%-d %B %Y})."
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the contract is varied."})
    existing_years = set(contract.caps.values_list("start_year", flat=True))
    clash = existing_years.intersection(added_caps)
    if clash:
        raise ValidationError(
            {"added_caps": f"Financial year starting {min(clash)} already has a cap."}
        )
    variation = ContractVariation(
        contract=contract,
        number=contract.variations.count() + 1,
        agreed_on=agreed_on or timezone.localdate(),
        reason=reason,
        previous_end_date=contract.end_date,
        new_end_date=new_end_date,
        previous_total_cap=contract.total_cap,
        new_total_cap=new_total_cap,
        recorded_by=by,
    )
    contract.end_date = new_end_date
    contract.total_cap = new_total_cap
    contract._change_reason = reason
    contract.full_clean()
    contract.save()
    variation.save()
    for start_year, amount in sorted(added_caps.items()):
        cap = FinancialYearCap(contract=contract, start_year=start_year, amount=amount)
        cap._change_reason = reason
        cap.full_clean()
        cap.save()
    return variation


@transaction.atomic
def update_contract_settings(
    *, contract: Contract, hours_per_day: Decimal, planning_days_per_cluster_month: Decimal
) -> Contract:
    """Change the hours in a contract day and the planning figure."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    contract.hours_per_day = hours_per_day
    contract.planning_days_per_cluster_month = planning_days_per_cluster_month
    contract.full_clean()
    contract.save()
    return contract


def add_day_rate(*, grade: Grade, valid_from: datetime.date, rate: Decimal) -> DayRate:
    """Add a rate from a date on. Rates are never overwritten: a date that has one is refused."""
    if rate <= 0:
        raise ValidationError({"rate": "A day rate must be more than £0."})
    day_rate = DayRate(grade=grade, valid_from=valid_from, rate=rate)
    try:
        with transaction.atomic():
            day_rate.save()
    except IntegrityError:
        raise ValidationError(
            {
                "valid_from": f"{grade} already has a rate from {valid_from:%-d %B %Y}; "
                "rates are never overwritten: add one from another date."
            }
        ) from None
    return day_rate


@transaction.atomic
def save_milestone(*, milestone: Milestone, by=None) -> Milestone:
    """Create or update a milestone. The baseline changes only through ``rebaseline``."""
    if milestone.pk:
        stored = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if stored.baseline_date != milestone.baseline_date:
            raise ValidationError(
                {"baseline_date": "Change the baseline by re-baselining, with a reason."}
            )
    else:
        milestone.forecast_date = milestone.forecast_date or milestone.baseline_date
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def rebaseline(*, milestone: Milestone, baseline_date: datetime.date, reason: str) -> Milestone:
    """Move a milestone's baseline; the old baseline stays in its history with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the milestone is re-baselined."})
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if baseline_date == milestone.baseline_date:
        raise ValidationError({"baseline_date": "The new baseline is the same as the current one."})
    milestone.baseline_date = baseline_date
    milestone.rebaseline_reason = reason
    milestone._change_reason = f"Re-baselined: {reason}"
    milestone.full_clean()
    milestone.save()
    return milestone


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 1 + 3 * ((day.month - 1) // 3), 1)


@transaction.atomic
def record_kpi_value(
    *, kpi: Kpi, quarter: datetime.date, cluster=None, value: Decimal, by
) -> KpiValue:
    """Record (or correct) a KPI's value for a quarter; the history keeps earlier values."""
    start = quarter_start(quarter)
    if start > timezone.localdate():
        raise ValidationError({"quarter": "You cannot record a value for a future quarter."})
    if value < 0 and not kpi.allows_negative:
        raise ValidationError(
            {"value": f"{kpi.name} cannot be negative: enter 0 or more ({kpi.unit})."}
        )
    kpi_value = (
        KpiValue.objects.select_for_update()
        .filter(kpi=kpi, quarter_start=start, cluster=cluster)
        .first()
    ) or KpiValue(kpi=kpi, quarter_start=start, cluster=cluster)
    kpi_value.value = value
    kpi_value.recorded_by = by
    kpi_value.full_clean()
    kpi_value.save()
    return kpi_value
