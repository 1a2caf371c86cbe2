"""Monthly returns: one rule set for the form, the spreadsheet upload and the API."""

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Sum
from django.utils import timezone

from accounts.permissions import is_delivery_partner
from clusters.models import LocalAuthority

from ..models import (
    ExitReason,
    MonthlyReturn,
    ReturnChannelCount,
    ReturnExit,
    ReturnStageCount,
    ReturnStatus,
    SourceChannel,
    Stage,
)
from ..scope import PROGRAMME_START, editable_authorities, month_start

# A count more than this many times the LA's recent average (and at least JUMP_MIN above
# it) is flagged for a second look; it is still accepted.
JUMP_FACTOR = 3
JUMP_MIN = 20
HISTORY_MONTHS = 6
# Far above any LA's month (England has about 140,000 enquiries a year), and within the
# database's integer columns, so a mistyped number is refused rather than failing to save.
MAX_COUNT = 1_000_000
TOO_MANY = f"the count cannot be more than {MAX_COUNT:,}."


def stage_field(stage) -> str:
    return f"stage_{stage.code}"


def exit_field(stage, reason) -> str:
    return f"exit_{stage.code}_{reason.code}"


def channel_field(channel) -> str:
    return f"channel_{channel.code}"


@dataclass
class ReturnCounts:
    """A return's numbers keyed by list codes: stage -> n, (stage, reason) -> n, channel -> n."""

    stages: dict[str, int] = field(default_factory=dict)
    exits: dict[tuple[str, str], int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)


def validate_return(
    *,
    local_authority: LocalAuthority,
    month: datetime.date,
    counts: ReturnCounts,
    exclude: MonthlyReturn | None = None,
    today: datetime.date | None = None,
) -> list[str]:
    """Check a return; raise ValidationError naming each bad field, return the warnings.

    Rules: counts are whole numbers >= 0; the month is within the programme and not in the
    future; exits at a stage, to date, do not exceed those who entered it to date.
    Warnings: a count far above the LA's own recent average.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = defaultdict(list)
    if month.day != 1:
        errors["month"].append("The month must be given as its first day.")
    if month < month_start(PROGRAMME_START):
        errors["month"].append(
            f"The month cannot be before the programme began ({PROGRAMME_START:%B %Y})."
        )
    if month > month_start(today):
        errors["month"].append("The month cannot be in the future.")
    stages = {s.code: s for s in Stage.objects.all()}
    reasons = {r.code: r for r in ExitReason.objects.all()}
    channels = {c.code: c for c in SourceChannel.objects.all()}
    for code, n in counts.stages.items():
        if code not in stages:
            errors["__all__"].append(f"Unknown stage code '{code}'.")
        elif n is None or n < 0:
            errors[f"stage_{code}"].append(f"{stages[code].name}: the count cannot be negative.")
        elif n > MAX_COUNT:
            errors[f"stage_{code}"].append(f"{stages[code].name}: {TOO_MANY}")
    for (stage_code, reason_code), n in counts.exits.items():
        if stage_code not in stages or reason_code not in reasons:
            errors["__all__"].append(
                f"Unknown stage or exit reason '{stage_code}' / '{reason_code}'."
            )
        elif n is None or n < 0:
            errors[f"exit_{stage_code}_{reason_code}"].append(
                f"Exits at {stages[stage_code].name.lower()} ({reasons[reason_code].name.lower()}): "
                "the count cannot be negative."
            )
        elif n > MAX_COUNT:
            errors[f"exit_{stage_code}_{reason_code}"].append(
                f"Exits at {stages[stage_code].name.lower()} ({reasons[reason_code].name.lower()}): "
                f"{TOO_MANY}"
            )
    for code, n in counts.channels.items():
        if code not in channels:
            errors["__all__"].append(f"Unknown source channel '{code}'.")
        elif n is None or n < 0:
            errors[f"channel_{code}"].append(
                f"{channels[code].name}: the count cannot be negative."
            )
        elif n > MAX_COUNT:
            errors[f"channel_{code}"].append(f"{channels[code].name}: {TOO_MANY}")
    if errors:
        raise ValidationError(dict(errors))

    # Exits to date against entries to date, both including this return.
    earlier = MonthlyReturn.objects.filter(local_authority=local_authority, month__lte=month)
    if exclude is not None and exclude.pk:
        earlier = earlier.exclude(pk=exclude.pk)
    entered = defaultdict(int)
    for row in (
        ReturnStageCount.objects.filter(monthly_return__in=earlier)
        .values("stage__code")
        .annotate(n=Sum("count"))
    ):
        entered[row["stage__code"]] = row["n"]
    exited = defaultdict(int)
    for row in (
        ReturnExit.objects.filter(monthly_return__in=earlier)
        .values("stage__code")
        .annotate(n=Sum("count"))
    ):
        exited[row["stage__code"]] = row["n"]
    for code, n in counts.stages.items():
        entered[code] += n
    this_exits = defaultdict(int)
    for (stage_code, _), n in counts.exits.items():
        exited[stage_code] += n
        this_exits[stage_code] += n
    for code, n in this_exits.items():
        if n and exited[code] > entered[code]:
            stage = stages[code]
            first = next(r for (s, r), v in counts.exits.items() if s == code and v)
            errors[f"exit_{code}_{first}"].append(
                f"Exits at {stage.name.lower()} to date ({exited[code]}) are more than the "
                f"{entered[code]} who entered it to date."
            )
    if errors:
        raise ValidationError(dict(errors))

    # Jumps against the LA's own history.
    warnings = []
    recent = (
        ReturnStageCount.objects.filter(
            monthly_return__local_authority=local_authority,
            monthly_return__month__lt=month,
            monthly_return__month__gte=_months_before(month, HISTORY_MONTHS),
        )
        .values("stage__code")
        .annotate(avg=Avg("count"))
    )
    for row in recent:
        n = counts.stages.get(row["stage__code"])
        average = row["avg"] or 0
        if n is not None and n > JUMP_FACTOR * average and n - average >= JUMP_MIN:
            warnings.append(
                f"{stages[row['stage__code']].name}: {n} is more than {JUMP_FACTOR} times this "
                f"LA's average of {average:.0f} over the previous {HISTORY_MONTHS} months. "
                "Check it before submitting."
            )
    return warnings


def _months_before(month: datetime.date, n: int) -> datetime.date:
    from ..scope import add_months

    return add_months(month, -n)


def _check_editable(user, local_authority) -> None:
    if not editable_authorities(user).filter(pk=local_authority.pk).exists():
        raise ValidationError(
            {
                "local_authority": f"You cannot enter returns for {local_authority}: it is not one of your LAs."
            }
        )


def counts_in_words(counts: ReturnCounts) -> str:
    """Every count of a return, named, for its history: "Initial enquiry 55; Application 3;
    Left at Application (Withdrew) 1; From Hub website 80"."""
    stages = dict(Stage.objects.values_list("code", "name"))
    reasons = dict(ExitReason.objects.values_list("code", "name"))
    channels = dict(SourceChannel.objects.values_list("code", "name"))
    parts = [f"{stages.get(code, code)} {n}" for code, n in counts.stages.items()]
    parts += [
        f"Left at {stages.get(s, s)} ({reasons.get(r, r)}) {n}"
        for (s, r), n in counts.exits.items()
        if n
    ]
    parts += [f"From {channels.get(c, c)} {n}" for c, n in counts.channels.items()]
    return "; ".join(parts)


@transaction.atomic
def save_return(
    *,
    local_authority: LocalAuthority,
    month: datetime.date,
    counts: ReturnCounts,
    user,
    today: datetime.date | None = None,
) -> tuple[MonthlyReturn, list[str]]:
    """Create or replace the draft or submitted return for the LA and month.

    An accepted return is final. Returns the return and the warnings about it.
    """
    _check_editable(user, local_authority)
    existing = (
        MonthlyReturn.objects.select_for_update()
        .filter(local_authority=local_authority, month=month)
        .first()
    )
    if existing and existing.status == ReturnStatus.ACCEPTED:
        raise ValidationError(
            {
                "month": ValidationError(
                    "The return for this month has been accepted and cannot change.",
                    code="conflict",
                )
            }
        )
    warnings = validate_return(
        local_authority=local_authority, month=month, counts=counts, exclude=existing, today=today
    )
    monthly_return = existing or MonthlyReturn(
        local_authority=local_authority, month=month, created_by=user
    )
    monthly_return.warnings = warnings
    monthly_return.counts_recorded = counts_in_words(counts)
    monthly_return.full_clean(exclude=["created_by"] if existing else None)
    monthly_return._history_user = user
    monthly_return.save()
    if existing:
        existing.stage_counts.all().delete()
        existing.exits.all().delete()
        existing.channel_counts.all().delete()
    stages = {s.code: s for s in Stage.objects.all()}
    reasons = {r.code: r for r in ExitReason.objects.all()}
    channels = {c.code: c for c in SourceChannel.objects.all()}
    ReturnStageCount.objects.bulk_create(
        ReturnStageCount(monthly_return=monthly_return, stage=stages[code], count=n)
        for code, n in counts.stages.items()
    )
    ReturnExit.objects.bulk_create(
        ReturnExit(monthly_return=monthly_return, stage=stages[s], reason=reasons[r], count=n)
        for (s, r), n in counts.exits.items()
        if n
    )
    ReturnChannelCount.objects.bulk_create(
        ReturnChannelCount(monthly_return=monthly_return, channel=channels[code], count=n)
        for code, n in counts.channels.items()
    )
    return monthly_return, warnings


def _move(monthly_return, *, user, source: str, target: str, **fields) -> MonthlyReturn:
    locked = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    if locked.status != source:
        raise ValidationError(
            {
                "status": ValidationError(
                    f"This return is {locked.get_status_display().lower()}, not {ReturnStatus(source).label.lower()}.",
                    code="conflict",  # a state change that no longer applies (the API's 409)
                )
            }
        )
    locked.status = target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def submit_return(*, monthly_return: MonthlyReturn, user) -> MonthlyReturn:
    """Draft -> submitted, by someone who may key the LA's returns."""
    _check_editable(user, monthly_return.local_authority)
    return _move(
        monthly_return,
        user=user,
        source=ReturnStatus.DRAFT,
        target=ReturnStatus.SUBMITTED,
        submitted_by=user,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def accept_return(*, monthly_return: MonthlyReturn, user) -> MonthlyReturn:
    """Submitted -> accepted, by the delivery partner."""
    if not is_delivery_partner(user):
        raise ValidationError({"status": "Only the delivery partner can accept a return."})
    return _move(
        monthly_return,
        user=user,
        source=ReturnStatus.SUBMITTED,
        target=ReturnStatus.ACCEPTED,
        accepted_by=user,
        accepted_at=timezone.now(),
    )


@transaction.atomic
def accept_returns(*, returns, user) -> list[MonthlyReturn]:
    """Accept several submitted returns at once, each through ``accept_return`` (the same
    rules as one by one), all or none: if any cannot be accepted, none is, and the message
    names each one that could not and why."""
    accepted, problems = [], []
    for monthly_return in returns:
        try:
            with transaction.atomic():
                accepted.append(accept_return(monthly_return=monthly_return, user=user))
        except ValidationError as error:
            problems.append(
                f"{monthly_return.local_authority}, {monthly_return.month:%B %Y}: "
                + " ".join(error.messages)
            )
    if problems:
        transaction.set_rollback(True)
        raise ValidationError(
            {"status": "Nothing was accepted. " + " ".join(problems)}, code="conflict"
        )
    return accepted


@transaction.atomic
def reopen_return(*, monthly_return: MonthlyReturn, user) -> MonthlyReturn:
    """Submitted -> draft, when the delivery partner sends it back for correction."""
    if not is_delivery_partner(user):
        raise ValidationError({"status": "Only the delivery partner can send a return back."})
    return _move(
        monthly_return, user=user, source=ReturnStatus.SUBMITTED, target=ReturnStatus.DRAFT
    )


# Spreadsheet of returns: one row per number, so one file carries any LAs and months.
RETURN_COLUMNS = ["la_code", "month", "measure", "stage", "reason_or_channel", "count"]
MEASURES = ("entered", "exited", "enquiries_by_channel")


def template_rows(local_authorities, month: datetime.date) -> list[list]:
    """The blank template: every number a return holds, for each LA, counts empty."""
    stages = list(Stage.objects.filter(is_active=True))
    reasons = list(ExitReason.objects.filter(is_active=True))
    channels = list(SourceChannel.objects.filter(is_active=True))
    rows = []
    for la in local_authorities:
        base = [la.dfe_code, f"{month:%Y-%m}"]
        rows += [base + ["entered", s.code, "", ""] for s in stages]
        rows += [base + ["exited", s.code, r.code, ""] for s in stages for r in reasons]
        rows += [base + ["enquiries_by_channel", "enquiry", c.code, ""] for c in channels]
    return rows


def _read_table(data: bytes, filename: str) -> list[list[str]]:
    from .records import ImportFileError, read_csv, read_xlsx

    if not data:
        raise ImportFileError("The file is empty.")
    if filename.lower().endswith(".xlsx"):
        return list(read_xlsx(data))
    return list(read_csv(data, encoding="utf-8", delimiter=","))


def import_returns_file(*, data: bytes, filename: str, user, today=None) -> dict:
    """Save every return in a spreadsheet, or none: returns {"saved": n, "errors": [...],
    "warnings": [...]} where each error names its line and column."""
    from .records import ImportFileError

    try:
        table = _read_table(data, filename)
    except ImportFileError as error:
        return {
            "saved": 0,
            "errors": [{"line": None, "column": "", "message": str(error)}],
            "warnings": [],
        }
    if not table:
        return {
            "saved": 0,
            "errors": [{"line": None, "column": "", "message": "The file is empty."}],
            "warnings": [],
        }
    header = [h.strip().lower() for h in table[0][1]]
    missing = [c for c in RETURN_COLUMNS if c not in header]
    if missing:
        return {
            "saved": 0,
            "errors": [
                {"line": 1, "column": ", ".join(missing), "message": "Required column missing."}
            ],
            "warnings": [],
        }
    index = {name: header.index(name) for name in RETURN_COLUMNS}
    allowed = {la.dfe_code: la for la in editable_authorities(user)}
    every = {}
    for la in LocalAuthority.objects.all():
        every[la.dfe_code] = every[la.gss_code.upper()] = every[la.name.lower()] = la
    errors = []
    grouped: dict[tuple, ReturnCounts] = defaultdict(ReturnCounts)
    first_line = {}
    for line, cells in table[1:]:
        cells = list(cells) + [""] * (len(header) - len(cells))

        def cell(name, cells=cells):
            value = cells[index[name]]
            return "" if value is None else str(value).strip()

        if not any(str(c or "").strip() for c in cells):
            continue
        if any(str(c or "").startswith(("=", "@", "+")) for c in cells):
            errors.append(
                {"line": line, "column": "", "message": "Formulas are not allowed in cells."}
            )
            continue
        raw_la = cell("la_code")
        la = every.get(raw_la) or every.get(raw_la.upper()) or every.get(raw_la.lower())
        if la is None:
            errors.append({"line": line, "column": "la_code", "message": f"Unknown LA '{raw_la}'."})
            continue
        if la.dfe_code not in allowed:
            errors.append(
                {"line": line, "column": "la_code", "message": f"{la} is not one of your LAs."}
            )
            continue
        try:
            month = datetime.datetime.strptime(cell("month")[:7], "%Y-%m").date()
        except ValueError:
            errors.append(
                {"line": line, "column": "month", "message": "Give the month as YYYY-MM."}
            )
            continue
        raw_count = cell("count")
        if raw_count == "":
            continue  # blank template cells mean "not reported"
        try:
            n = int(float(raw_count))
            if n != float(raw_count):
                raise ValueError
        except ValueError:
            errors.append(
                {
                    "line": line,
                    "column": "count",
                    "message": f"'{raw_count}' is not a whole number.",
                }
            )
            continue
        if n < 0:
            errors.append(
                {"line": line, "column": "count", "message": "The count cannot be negative."}
            )
            continue
        measure = cell("measure")
        key = (la.pk, month)
        first_line.setdefault(key, line)
        counts = grouped[key]
        if measure == "entered":
            counts.stages[cell("stage")] = counts.stages.get(cell("stage"), 0) + n
        elif measure == "exited":
            k = (cell("stage"), cell("reason_or_channel"))
            counts.exits[k] = counts.exits.get(k, 0) + n
        elif measure == "enquiries_by_channel":
            k = cell("reason_or_channel")
            counts.channels[k] = counts.channels.get(k, 0) + n
        else:
            errors.append(
                {
                    "line": line,
                    "column": "measure",
                    "message": f"Measure must be one of {', '.join(MEASURES)}.",
                }
            )
    warnings = []
    saved = 0
    if errors:
        return {"saved": 0, "errors": errors, "warnings": []}
    authorities = {
        la.pk: la for la in LocalAuthority.objects.filter(pk__in={k[0] for k in grouped})
    }
    try:
        with transaction.atomic():
            for (la_id, month), counts in grouped.items():
                try:
                    _, found = save_return(
                        local_authority=authorities[la_id],
                        month=month,
                        counts=counts,
                        user=user,
                        today=today,
                    )
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        for message in messages:
                            errors.append(
                                {
                                    "line": first_line[(la_id, month)],
                                    "column": name if name != "__all__" else "",
                                    "message": f"{authorities[la_id]}, {month:%B %Y}: {message}",
                                }
                            )
                    continue
                warnings += [f"{authorities[la_id]}, {month:%B %Y}: {w}" for w in found]
                saved += 1
            if errors:
                raise _Rollback
    except _Rollback:
        return {"saved": 0, "errors": errors, "warnings": []}
    return {"saved": saved, "errors": [], "warnings": warnings}


class _Rollback(Exception):
    pass


@transaction.atomic
def save_list_item(*, item, user):
    """Save a stage, exit reason or source channel after full validation."""
    item.full_clean()
    item._history_user = user
    item.save()
    return item


def export_template_csv(local_authorities, month) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RETURN_COLUMNS)
    writer.writerows(template_rows(local_authorities, month))
    return out.getvalue()
