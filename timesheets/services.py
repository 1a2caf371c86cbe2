"""Every write to time and invoices, and every rule about them: one home each.

- what makes an entry valid: ``check_entry`` (its rules are the functions in ENTRY_RULES);
- what an entry costs: ``price``;
- whether approving it keeps within the caps: ``cap_refusal`` (pure) called by
  ``approve_entry`` under a row lock on the contract and the financial year's cap;
- the flow draft -> submitted -> approved -> invoiced and back: the functions below, each
  writing a StatusChange with who, when and why;
- issuing a month's invoice: ``issue_invoice``.

Writes that read then decide (the one-day-per-date rule, the caps, issuing) lock a row
first: the consultant's user row for their own entries, the contract row for anything that
changes approved cost. On SQLite every transaction is BEGIN IMMEDIATE, so writers are
serialised there too.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_delivery_partner, is_programme_manager
from core.periods import month_start  # noqa: F401 - the area imports it from here too
from programme.models import Contract, FinancialYearCap, financial_year_label, financial_year_of
from programme.selectors import current_contract, day_rate_on

from .models import SPENT, Invoice, Status, StatusChange, TimeEntry

DAYS, HOURS = "days", "hours"
PENNY = Decimal("0.01")
DAY_PLACES = Decimal("0.000001")


# -- small helpers ----------------------------------------------------------------------


def to_days(amount: Decimal, unit: str, hours_per_day: Decimal) -> Decimal:
    """A duration entered in days or hours, as the days it is stored in."""
    days = amount if unit == DAYS else amount / hours_per_day
    return days.quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def fy_range(start_year: int) -> tuple[datetime.date, datetime.date]:
    """The first day of the financial year and the first day after it."""
    return datetime.date(start_year, 4, 1), datetime.date(start_year + 1, 4, 1)


def days_text(days: Decimal) -> str:
    days = Decimal(days).quantize(PENNY, rounding=ROUND_HALF_UP).normalize()
    return "1 day" if days == 1 else f"{days:f} days"


def hours_text(days: Decimal, hours_per_day: Decimal) -> str:
    hours = (Decimal(days) * hours_per_day).quantize(PENNY, rounding=ROUND_HALF_UP).normalize()
    return "1 hour" if hours == 1 else f"{hours:f} hours"


def money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _log(entry: TimeEntry, from_status: str, by, reason: str = "") -> None:
    StatusChange.objects.create(
        entry=entry,
        from_status=from_status,
        to_status=entry.status,
        by=by,
        at=timezone.now(),
        reason=reason,
    )


def _lock_contract() -> Contract:
    """The contract row, locked: every change to approved cost queues behind this lock."""
    return Contract.objects.select_for_update().get(pk=current_contract().pk)


def _lock_consultant(consultant) -> User:
    """The consultant's own row, locked: their entries on a date are checked one at a time."""
    return (
        User.objects.select_for_update(of=("self",)).select_related("grade").get(pk=consultant.pk)
    )


# -- what an entry costs ----------------------------------------------------------------


def cost_of(days: Decimal, rate: Decimal) -> Decimal:
    """Days x day rate, to the penny."""
    return (days * rate).quantize(PENNY, rounding=ROUND_HALF_UP)


def price(entry: TimeEntry) -> None:
    """Set the entry's day rate and cost: days x the rate of its grade on its date. An
    adjustment is priced at the rate of the entry it corrects."""
    if entry.adjusts_id:
        rate = entry.adjusts.day_rate
    else:
        rate = day_rate_on(entry.grade, entry.date)
    entry.day_rate = rate
    entry.cost = cost_of(entry.days, rate)


# -- what makes an entry valid ----------------------------------------------------------
# Each rule adds messages to ``errors`` (keyed by the form field they concern). Another
# area extends the rules by appending to ENTRY_RULES (engagement: an R3 entry draws down a
# technical-support request); every path that saves an entry runs check_entry.

Errors = dict[str, list[str]]


def _rule_who(entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors):
    consultant = entry.consultant
    if not is_delivery_partner(consultant):
        errors[NON_FIELD_ERRORS].append("Only delivery-partner staff log time.")
    elif entry.grade_id is None:
        errors[NON_FIELD_ERRORS].append(
            f"{consultant} has no grade on the rate card yet: ask the programme manager to "
            "record it before logging time."
        )


def _rule_date(entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors):
    if entry.date is None:
        errors["date"].append("Enter the date the work was done.")
        return
    if not contract.start_date <= entry.date <= contract.end_date:
        errors["date"].append(
            f"Enter a date within the contract, {contract.start_date:%-d %B %Y} to "
            f"{contract.end_date:%-d %B %Y}."
        )
    elif entry.date > today:
        errors["date"].append("Time cannot be logged for a date in the future.")
    elif entry.grade_id and not entry.adjusts_id:
        try:
            day_rate_on(entry.grade, entry.date)
        except ObjectDoesNotExist as error:
            errors["date"].append(f"{error} Ask the programme manager to add it.")


def _rule_duration(entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors):
    hpd = contract.hours_per_day
    if entry.days is None:
        errors["duration"].append("Enter how long the work took, in days or hours.")
        return
    if entry.adjusts_id:
        if entry.days == 0:
            errors["duration"].append("An adjustment must add or take away some time.")
        return
    if entry.days <= 0:
        errors["duration"].append("Enter a duration of more than 0.")
    elif entry.days > 1:
        errors["duration"].append(
            f"Enter at most 1 day ({hours_text(Decimal(1), hpd)}) for one entry."
        )


def _rule_one_day_per_date(
    entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors
):
    """At most one day on a date across all the consultant's entries (an adjustment counts
    on the date of the time it corrects)."""
    if entry.days is None or entry.date is None or "duration" in errors:
        return
    day = entry.adjusts.date if entry.adjusts_id else entry.date
    others = TimeEntry.objects.filter(consultant_id=entry.consultant_id).filter(
        Q(date=day, adjusts__isnull=True) | Q(adjusts__date=day)
    ).exclude(pk=entry.pk).aggregate(days=Sum("days"))["days"] or Decimal(0)
    total = others + entry.days
    hpd = contract.hours_per_day
    # compared in hours to the hundredth, so hours that do not divide a day evenly add up
    if (total * hpd).quantize(PENNY, rounding=ROUND_HALF_UP) > hpd:
        left = max(Decimal(0), 1 - others)
        errors["duration"].append(
            f"That would make {days_text(total)} ({hours_text(total, hpd)}) on "
            f"{day:%-d %B %Y}: at most 1 day ({hours_text(Decimal(1), hpd)}) can be logged "
            f"for one date. {days_text(left)} ({hours_text(left, hpd)}) left on that date."
        )


def _rule_description(entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors):
    if not (entry.description or "").strip():
        errors["description"].append("Describe the work done.")


def _rule_adjustment(entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors):
    """An adjustment corrects the consultant's own invoiced time, says why, is booked in a
    month not yet invoiced, and never takes away more than the entry (and its earlier
    adjustments) added."""
    if not entry.adjusts_id:
        return
    original = entry.adjusts
    if original.status != Status.INVOICED or original.consultant_id != entry.consultant_id:
        errors[NON_FIELD_ERRORS].append("Only the consultant's own invoiced time is adjusted.")
    if not entry.adjustment_reason.strip():
        errors["reason"].append("Say why the invoiced time is adjusted.")
    if entry.date and Invoice.objects.filter(month=month_start(entry.date)).exists():
        errors["date"].append(
            f"{entry.date:%B %Y} has been invoiced: book the adjustment in a month that has not."
        )
    if entry.days is not None and entry.days < 0:
        net = (
            original.days
            + (original.adjustments.exclude(pk=entry.pk).aggregate(days=Sum("days"))["days"] or 0)
            + entry.days
        )
        if net < 0:
            errors["duration"].append(
                "An adjustment cannot take away more time than was invoiced for the entry."
            )


def _rule_support_request(
    entry: TimeEntry, contract: Contract, today: datetime.date, errors: Errors
):
    """R3 time drawing down a technical-support request: engagement holds the rule (R3
    only, the request's cluster, approved, never past its approved days) and locks the
    request row while it counts."""
    from engagement.services.support import check_draw_down

    check_draw_down(entry, contract, errors)


ENTRY_RULES: list[Callable] = [
    _rule_who,
    _rule_date,
    _rule_duration,
    _rule_one_day_per_date,
    _rule_description,
    _rule_adjustment,
    _rule_support_request,
]


def check_entry(entry: TimeEntry, *, contract: Contract, today: datetime.date | None = None):
    """Raise a ValidationError naming every field that breaks a rule (nothing else to do).

    The one place an entry is validated: single entries, the week view, adjustments and
    submission all call it.
    """
    errors: Errors = defaultdict(list)
    today = today or timezone.localdate()
    for rule in ENTRY_RULES:
        rule(entry, contract, today, errors)
    if errors:
        raise ValidationError({field: messages for field, messages in errors.items()})


# -- logging time -----------------------------------------------------------------------


def _own_draft(entry: TimeEntry, consultant) -> None:
    if entry.consultant_id != consultant.pk:
        raise PermissionDenied("Only the consultant who logged the time changes it.")
    if entry.status != Status.DRAFT:
        raise ValidationError(
            f"This entry is {entry.get_status_display().lower()}: only a draft can be changed."
        )


def _fill(entry: TimeEntry, consultant, fields: dict) -> None:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.consultant = consultant
    entry.grade_id = consultant.grade_id


@transaction.atomic
def save_entry(
    *,
    consultant,
    date: datetime.date,
    cluster,
    requirement: str,
    activity: str,
    days: Decimal,
    description: str,
    support_request=None,
    entry: TimeEntry | None = None,
    today: datetime.date | None = None,
) -> TimeEntry:
    """Log (or change a draft of) the consultant's own time, as a draft. R3 time may draw
    down a technical-support request (``support_request``)."""
    contract = current_contract()
    consultant = _lock_consultant(consultant)
    if entry is not None:
        entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
        _own_draft(entry, consultant)
        if entry.adjusts_id:
            raise ValidationError("An adjustment is not changed: delete it and raise another.")
    else:
        entry = TimeEntry()
    _fill(
        entry,
        consultant,
        {
            "date": date,
            "cluster": cluster,
            "requirement": requirement,
            "activity": activity,
            "days": days,
            "description": description,
            "support_request": support_request,
        },
    )
    check_entry(entry, contract=contract, today=today)
    price(entry)
    created = entry.pk is None
    entry.save()
    if created:
        _log(entry, "", consultant)
    return entry


class RowErrors(ValidationError):
    """The week's rows that broke a rule: ``rows`` maps the row's index to its error."""

    def __init__(self, rows: dict[int, ValidationError]):
        self.rows = rows
        numbers = ", ".join(str(i + 1) for i in sorted(rows))
        which = f"rows {numbers} need" if len(rows) > 1 else f"row {numbers} needs"
        super().__init__(f"Nothing was saved: {which} correcting.")


@transaction.atomic
def save_week(
    *,
    consultant,
    rows: list[dict],
    submit: bool = False,
    today: datetime.date | None = None,
) -> list[TimeEntry]:
    """Save a week of the consultant's time at once: every row or none.

    Each row is a dict with the fields of ``save_entry`` plus ``entry`` (a draft being
    changed, or None) and ``delete``. Deletions go first, then the rows in order, each
    checked against what the rows before it saved. Any row breaking a rule raises RowErrors
    and the transaction rolls back. With ``submit`` the week's drafts are then submitted.
    """
    contract = current_contract()
    consultant = _lock_consultant(consultant)
    errors: dict[int, ValidationError] = {}
    saved = []
    for index, row in enumerate(rows):
        if row.get("delete") and row.get("entry") is not None:
            entry = TimeEntry.objects.select_for_update().get(pk=row["entry"].pk)
            try:
                _own_draft(entry, consultant)
            except ValidationError as error:
                errors[index] = error
            else:
                entry.delete()
    for index, row in enumerate(rows):
        if row.get("delete") or index in errors:
            continue
        entry = row.get("entry")
        if entry is not None:
            entry = TimeEntry.objects.select_for_update().get(pk=entry.pk)
            try:
                _own_draft(entry, consultant)
            except ValidationError as error:
                errors[index] = error
                continue
        else:
            entry = TimeEntry()
        fields = {k: row[k] for k in ("date", "cluster", "requirement", "activity", "days")}
        _fill(entry, consultant, {**fields, "description": row.get("description", "")})
        try:
            check_entry(entry, contract=contract, today=today)
        except ValidationError as error:
            errors[index] = error
            continue
        price(entry)
        created = entry.pk is None
        entry.save()
        if created:
            _log(entry, "", consultant)
        saved.append(entry)
    if errors:
        raise RowErrors(errors)
    if submit:
        for entry in saved:
            _submit(entry, consultant, contract, today)
    return saved


@transaction.atomic
def delete_entry(*, entry_id: int, by) -> None:
    """Delete one of the consultant's own drafts (nothing else is ever deleted)."""
    entry = TimeEntry.objects.select_for_update().get(pk=entry_id)
    _own_draft(entry, by)
    entry.delete()


# -- the flow ---------------------------------------------------------------------------


def _submit(entry: TimeEntry, by, contract: Contract, today) -> None:
    if entry.status != Status.DRAFT:
        raise ValidationError(
            f"This entry is {entry.get_status_display().lower()}: only a draft is submitted."
        )
    check_entry(entry, contract=contract, today=today)  # rules may have changed since
    price(entry)
    entry.status = Status.SUBMITTED
    entry.rejection_reason = ""
    entry.save()
    _log(entry, Status.DRAFT, by)


@transaction.atomic
def submit_entry(*, entry_id: int, by, today: datetime.date | None = None) -> TimeEntry:
    """Send one of your own drafts for approval."""
    contract = current_contract()
    _lock_consultant(by)
    entry = (
        TimeEntry.objects.select_for_update(of=("self",)).select_related("adjusts").get(pk=entry_id)
    )
    if entry.consultant_id != by.pk:
        raise PermissionDenied("Only the consultant who logged the time submits it.")
    _submit(entry, by, contract, today)
    return entry


@transaction.atomic
def withdraw_entry(*, entry_id: int, by) -> TimeEntry:
    """Take your own submitted entry back to draft, to change it."""
    entry = TimeEntry.objects.select_for_update().get(pk=entry_id)
    if entry.consultant_id != by.pk:
        raise PermissionDenied("Only the consultant who logged the time withdraws it.")
    if entry.status != Status.SUBMITTED:
        raise ValidationError("Only submitted time can be withdrawn.")
    entry.status = Status.DRAFT
    entry.save()
    _log(entry, Status.SUBMITTED, by, "Withdrawn to change it")
    return entry


def _approver(by) -> None:
    if not is_programme_manager(by):
        raise PermissionDenied("Only a programme manager approves time.")


def cap_refusal(
    *,
    cost: Decimal,
    rate: Decimal,
    fy_label: str,
    fy_cap: Decimal | None,
    fy_spent: Decimal,
    total_cap: Decimal,
    total_spent: Decimal,
) -> str | None:
    """Why approving ``cost`` would pass a cap, with the headroom left in money and in days
    at ``rate``; None when it fits. Approved and invoiced cost count against the caps."""
    if cost <= 0:
        return None  # taking time away never passes a cap
    problems = []
    for spent, cap, where, whose in (
        (fy_spent, fy_cap, f"in {fy_label}", f"the {fy_label} cap"),
        (total_spent, total_cap, "across the contract", "the contract's total cap"),
    ):
        if cap is None or spent + cost <= cap:
            continue
        headroom = max(Decimal(0), cap - spent)
        headroom_days = (headroom / rate).quantize(PENNY, rounding=ROUND_DOWN)
        problems.append(
            f"Approving this entry ({money(cost)}) would take approved cost {where} to "
            f"{money(spent + cost)}, past {whose} of {money(cap)}. Headroom left {where}: "
            f"{money(headroom)}, which is {days_text(headroom_days)} at {money(rate)} a day."
        )
    return " ".join(problems) or None


def _check_caps(entry: TimeEntry, contract: Contract) -> None:
    fy = financial_year_of(entry.date)
    cap = (
        FinancialYearCap.objects.select_for_update()
        .filter(contract=contract, start_year=fy)
        .values_list("amount", flat=True)
        .first()
    )
    start, end = fy_range(fy)
    spent = TimeEntry.objects.filter(status__in=SPENT).aggregate(
        fy=Sum("cost", filter=Q(date__gte=start, date__lt=end)), total=Sum("cost")
    )
    refusal = cap_refusal(
        cost=entry.cost,
        rate=entry.day_rate,
        fy_label=financial_year_label(fy),
        fy_cap=cap,
        fy_spent=spent["fy"] or Decimal(0),
        total_cap=contract.total_cap,
        total_spent=spent["total"] or Decimal(0),
    )
    if refusal:
        raise ValidationError(refusal, code="cap")


@transaction.atomic
def approve_entry(*, entry_id: int, by) -> TimeEntry:
    """Approve submitted time: a programme manager, never for their own time, and never past
    the financial year's cap or the contract's total cap.

    The contract row is locked first, so approvals queue one behind another and each sees
    the cost the one before it approved; the year's cap row is locked with it.
    """
    _approver(by)
    contract = _lock_contract()
    entry = (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("adjusts", "grade")
        .get(pk=entry_id)
    )
    if entry.status in (Status.APPROVED, Status.INVOICED) and entry.approved_at:
        # most often a second click of the same button: say what the first one did
        who = "you" if entry.approved_by_id == by.pk else str(entry.approved_by)
        at = timezone.localtime(entry.approved_at)
        raise ValidationError(
            f"Already approved by {who} at {at:%H:%M} on {at:%-d %B %Y}"
            + (", and since invoiced." if entry.status == Status.INVOICED else "."),
            code="already_approved",
        )
    if entry.status != Status.SUBMITTED:
        raise ValidationError(
            f"This entry is {entry.get_status_display().lower()}: only submitted time is approved."
        )
    if entry.consultant_id == by.pk:
        raise ValidationError("You cannot approve your own time: another programme manager must.")
    price(entry)  # a rate added since it was logged applies until it is approved
    _check_caps(entry, contract)
    entry.status = Status.APPROVED
    entry.approved_by = by
    entry.approved_at = timezone.now()
    entry.rejection_reason = ""
    entry.save()
    _log(entry, Status.SUBMITTED, by)
    return entry


def _reason(reason: str, what: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": f"Say why the time is {what}."})
    return reason.strip()


@transaction.atomic
def reject_entry(*, entry_id: int, by, reason: str) -> TimeEntry:
    """Send submitted time back to its consultant as a draft, with the reason they see."""
    _approver(by)
    reason = _reason(reason, "rejected")
    entry = TimeEntry.objects.select_for_update().get(pk=entry_id)
    if entry.status != Status.SUBMITTED:
        raise ValidationError("Only submitted time can be rejected.")
    if entry.consultant_id == by.pk:
        raise ValidationError("You cannot reject your own time: withdraw it instead.")
    entry.status = Status.DRAFT
    entry.rejection_reason = reason
    entry.save()
    _log(entry, Status.SUBMITTED, by, reason)
    return entry


@transaction.atomic
def return_to_draft(*, entry_id: int, by, reason: str) -> TimeEntry:
    """Take approved time back to draft (until it is invoiced), with a reason."""
    _approver(by)
    reason = _reason(reason, "returned to draft")
    _lock_contract()  # an invoice being issued at the same moment sees it one way or the other
    entry = TimeEntry.objects.select_for_update().get(pk=entry_id)
    if entry.status != Status.APPROVED:
        raise ValidationError(
            "Invoiced time never changes: correct it with an adjustment."
            if entry.status == Status.INVOICED
            else "Only approved time can be returned to draft."
        )
    entry.status = Status.DRAFT
    entry.approved_by = None
    entry.approved_at = None
    entry.rejection_reason = reason
    entry.save()
    _log(entry, Status.APPROVED, by, reason)
    return entry


@transaction.atomic
def record_adjustment(
    *,
    adjusts_id: int,
    by,
    days: Decimal,
    reason: str,
    date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> TimeEntry:
    """Correct invoiced time with an adjustment (negative or positive, with a reason),
    booked on ``date`` in a month not yet invoiced and submitted for approval. The consultant
    raises it for their own time, or a programme manager for anyone's."""
    today = today or timezone.localdate()
    original = TimeEntry.objects.select_related("consultant", "grade").filter(pk=adjusts_id).first()
    if original is None:
        raise ObjectDoesNotExist("No such entry.")
    if not (by.pk == original.consultant_id or is_programme_manager(by)):
        raise PermissionDenied("Only the consultant or a programme manager adjusts time.")
    contract = current_contract()
    consultant = _lock_consultant(original.consultant)
    entry = TimeEntry(
        consultant=consultant,
        grade_id=original.grade_id,
        date=date or today,
        cluster_id=original.cluster_id,
        requirement=original.requirement,
        activity=original.activity,
        days=days,
        description=f"Adjustment to {original.date:%-d %B %Y}: {reason.strip()}",
        adjusts=original,
        adjustment_reason=reason.strip(),
        status=Status.SUBMITTED,
    )
    check_entry(entry, contract=contract, today=today)
    price(entry)
    entry.save()
    _log(entry, "", by, f"Adjustment raised: {reason.strip()}")
    return entry


# -- invoices ---------------------------------------------------------------------------


@transaction.atomic
def issue_invoice(
    *,
    month: datetime.date,
    by,
    today: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Invoice:
    """Issue the invoice for a month that has ended: every approved entry dated in it, and
    approved time from earlier months not yet invoiced (late time, shown as adjustments).

    Its entries become invoiced and never change again; the invoice gets the next number
    and its lines, totals and the cap position after it are frozen. A month is invoiced
    once, in order. ``at`` back-dates the issue (the demo's history); it defaults to now.
    """
    from .selectors import invoice_data

    _approver(by)
    today = today or timezone.localdate()
    month = month_start(month)
    contract = _lock_contract()
    if next_month(month) > today:
        raise ValidationError(
            {"month": f"{month:%B %Y} has not ended yet: invoices are issued in arrears."}
        )
    if next_month(month) <= contract.start_date or month > contract.end_date:
        raise ValidationError({"month": f"{month:%B %Y} is outside the contract."})
    if Invoice.objects.filter(month=month).exists():
        raise ValidationError({"month": f"{month:%B %Y} has already been invoiced."})
    later = Invoice.objects.filter(month__gt=month).order_by("-month").first()
    if later is not None:
        raise ValidationError(
            {
                "month": f"{later.month:%B %Y} has already been invoiced: months are invoiced "
                f"in order, so time from {month:%B %Y} goes into the next invoice."
            }
        )
    entries = list(
        TimeEntry.objects.select_for_update(of=("self",))
        .filter(status=Status.APPROVED, date__lt=next_month(month))
        .select_related("consultant", "grade", "cluster", "adjusts")
    )
    if not entries:
        raise ValidationError({"month": f"There is no approved time to invoice for {month:%B %Y}."})
    data = invoice_data(entries, month=month, contract=contract)
    number = f"FRRP-{Invoice.objects.count() + 1:04d}"
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                number=number,
                month=month,
                issued_at=at or timezone.now(),
                issued_by=by,
                days=data["days"],
                total=data["total"],
                snapshot=data["snapshot"],
            )
    except IntegrityError:
        raise ValidationError({"month": f"{month:%B %Y} has already been invoiced."}) from None
    ids = [e.pk for e in entries]
    TimeEntry.objects.filter(pk__in=ids, status=Status.APPROVED).update(
        status=Status.INVOICED, invoice=invoice, updated_at=timezone.now()
    )
    at = at or timezone.now()
    StatusChange.objects.bulk_create(
        StatusChange(
            entry_id=pk,
            from_status=Status.APPROVED,
            to_status=Status.INVOICED,
            by=by,
            at=at,
            reason=f"Invoice {number}",
        )
        for pk in ids
    )
    return invoice
