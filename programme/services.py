"""Writes to the contract and rate card, with their rules."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Contract, FinancialYearCap


@transaction.atomic
def vary_contract(
    *,
    contract: Contract,
    new_end_date: datetime.date,
    new_total_cap: Decimal,
    added_caps: dict[int, Decimal],
    reason: str,
) -> Contract:
    """Extend the contract and add financial years with their caps.

    The earlier terms stay in the contract's history, with the reason as the change note.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if new_end_date <= contract.end_date:
        raise ValidationError({"new_end_date": "A variation must extend the end date."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the contract is varied."})
    contract.end_date = new_end_date
    contract.total_cap = new_total_cap
    contract._change_reason = reason
    contract.full_clean()
    contract.save()
    for start_year, amount in added_caps.items():
        cap = FinancialYearCap(contract=contract, start_year=start_year, amount=amount)
        cap._change_reason = reason
        cap.full_clean()
        cap.save()
    return contract
