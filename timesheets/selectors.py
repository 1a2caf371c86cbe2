"""Every read the timesheet pages, home panels and the monthly report need, scoped to who
is asking. Each runs a fixed number of queries whatever the number of entries: sums are
made in the database, grouped by month, cluster or requirement, never by walking rows."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.permissions import (
    is_cluster_lead,
    is_consultant,
    is_dfe_reader,
    is_programme_manager,
)
from core.periods import add_months
from programme.models import Contract, financial_year_label, financial_year_of
from programme.selectors import current_contract

from .models import SPENT, Invoice, Requirement, Status, StatusChange, TimeEntry
from .services import PENNY, fy_range, month_start, next_month

ZERO = Decimal(0)
# A cluster-month more than this share away from the planning figure is flagged.
ALLOCATION_BAND = Decimal("0.25")
WARNING_LEVELS = (90, 75)


def _q(value: Decimal, places: Decimal = PENNY) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def month_range(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first`` to ``last`` inclusive."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


# -- entries, scoped ------------------------------------------------------------------


def entries_for_user(user) -> QuerySet:
    """The entries a user may see: a programme manager every entry; a consultant their own;
    a DfE reader approved and invoiced time; a cluster lead the approved and invoiced time
    their cluster received (pages show them no money)."""
    entries = TimeEntry.objects.select_related("consultant", "cluster", "grade", "adjusts")
    if is_programme_manager(user):
        return entries
    if is_consultant(user):
        return entries.filter(consultant=user)
    if is_dfe_reader(user):
        return entries.filter(status__in=SPENT)
    if is_cluster_lead(user) and user.cluster_id:
        return entries.filter(status__in=SPENT, cluster_id=user.cluster_id)
    return entries.none()


def week_entries(consultant, week_start: datetime.date) -> list[TimeEntry]:
    """The consultant's own time in the week (adjustments belong to the dates they correct,
    so they are not shown here)."""
    return list(
        TimeEntry.objects.filter(
            consultant=consultant,
            adjusts__isnull=True,
            date__gte=week_start,
            date__lt=week_start + datetime.timedelta(days=7),
        )
        .select_related("cluster")
        .order_by("date", "pk")
    )


def awaiting_approval() -> QuerySet:
    return (
        TimeEntry.objects.filter(status=Status.SUBMITTED)
        .select_related("consultant", "cluster", "grade", "adjusts")
        .order_by("date", "consultant__last_name", "pk")
    )


def status_changes(entry: TimeEntry) -> list[StatusChange]:
    return list(entry.status_changes.select_related("by"))


def totals(entries: QuerySet) -> dict:
    """Days and cost of a set of entries, in one query."""
    return entries.order_by().aggregate(days=Sum("days"), cost=Sum("cost"), count=Count("pk"))


def consultant_summary(user, today: datetime.date) -> dict:
    """A consultant's own totals this month and this financial year by status, the
    drafts sent back to them with the reason, and the corrections of invoiced time that
    the totals include (a negative total is otherwise unexplained; three queries)."""
    fy_start, _ = fy_range(financial_year_of(today))
    this_month = month_start(today)
    sums = (
        TimeEntry.objects.filter(consultant=user, date__gte=min(fy_start, this_month))
        .values("status")
        .annotate(
            month=Sum("days", filter=Q(date__gte=this_month)),
            fy=Sum("days", filter=Q(date__gte=fy_start)),
        )
        .order_by()
    )
    by_status = {row["status"]: row for row in sums}
    rejected = list(
        TimeEntry.objects.filter(consultant=user, status=Status.DRAFT)
        .exclude(rejection_reason="")
        .order_by("date")[:10]
    )
    adjustments = list(
        TimeEntry.objects.filter(
            consultant=user, adjusts__isnull=False, date__gte=min(fy_start, this_month)
        ).order_by("-date")[:5]
    )
    return {
        "adjustments": adjustments,
        "rows": [
            {
                "status": label,
                "month": by_status.get(value, {}).get("month") or ZERO,
                "fy": by_status.get(value, {}).get("fy") or ZERO,
            }
            for value, label in Status.choices
        ],
        "rejected": rejected,
        "fy_label": financial_year_label(financial_year_of(today)),
        "month": this_month,
    }


# -- money: spend month by month, caps and forecast ------------------------------------


def monthly_cost(*, before: datetime.date | None = None) -> dict[datetime.date, Decimal]:
    """Approved and invoiced cost per month (one query)."""
    entries = TimeEntry.objects.filter(status__in=SPENT)
    if before is not None:
        entries = entries.filter(date__lt=before)
    rows = (
        entries.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(cost=Sum("cost"))
        .order_by()
    )
    return {_as_date(r["month"]): r["cost"] or ZERO for r in rows}


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def forecast_cap(
    *,
    monthly: dict[datetime.date, Decimal],
    months: list[datetime.date],
    cap: Decimal,
    last_complete: datetime.date,
    label: str,
    in_progress: datetime.date | None = None,
) -> dict:
    """Cost month by month over ``months`` against ``cap``: actual to the end of
    ``last_complete`` (and so far in the month ``in_progress``), then a forecast at the run
    rate of the three months up to ``last_complete``; the month the cap is reached (actual
    or forecast), or the headroom left at the end."""
    window = [add_months(last_complete, -i) for i in (2, 1, 0)]
    run_rate = _q(sum((monthly.get(m, ZERO) for m in window), ZERO) / 3)
    rows, cumulative, forecast, reached = [], ZERO, None, None
    for month in months:
        cost = monthly.get(month, ZERO) if month <= last_complete or month == in_progress else None
        if cost is not None:
            cumulative += cost
        if month == last_complete:
            forecast = cumulative  # the forecast line starts where the actual one ends
        elif month > last_complete:
            # a window starting after the last complete month starts from nothing
            forecast = (forecast or ZERO) + run_rate
        actual = cumulative if cost is not None else None
        level = max(v for v in (actual, forecast, ZERO) if v is not None)
        if reached is None and level >= cap:
            reached = month
        rows.append(
            {
                "month": month,
                "cost": cost,
                "cumulative": actual,
                "forecast": forecast if month >= last_complete else None,
                "cap": cap,
                "percent": _q(100 * actual / cap, Decimal("0.1")) if actual is not None else None,
            }
        )
    at_end = cumulative
    if rows and rows[-1]["forecast"] is not None:
        at_end = rows[-1]["forecast"]
    return {
        "label": label,
        "cap": cap,
        "spent": cumulative,
        "percent": _q(100 * cumulative / cap, Decimal("0.1")),
        "headroom": cap - cumulative,
        "run_rate": run_rate,
        "forecast_end": at_end,
        "headroom_end": cap - at_end,
        "reached": reached,
        "rows": rows,
        "first": months[0] if months else None,
        "last": months[-1] if months else None,
    }


def _contract_months(contract: Contract) -> list[datetime.date]:
    return month_range(contract.start_date, contract.end_date)


def _fy_months(contract: Contract, start_year: int) -> list[datetime.date]:
    start, end = fy_range(start_year)
    return [m for m in _contract_months(contract) if start <= m < end]


def cap_forecasts(
    *,
    last_complete: datetime.date,
    upto: datetime.date | None = None,
    in_progress: datetime.date | None = None,
    contract: Contract | None = None,
) -> list[dict]:
    """Every financial-year cap and the total cap with spend and forecast as at the end of
    ``last_complete`` (three queries). ``upto`` limits the years to those started by then;
    costs count only for dates before ``upto`` when given."""
    contract = contract or current_contract()
    before = next_month(upto) if upto else None
    monthly = monthly_cost(before=before)
    caps = list(contract.caps.all())
    result = []
    for cap in caps:
        if upto is not None and datetime.date(cap.start_year, 4, 1) > upto:
            continue
        result.append(
            {
                "key": str(cap.start_year),
                "kind": "fy",
                **forecast_cap(
                    monthly=monthly,
                    months=_fy_months(contract, cap.start_year),
                    cap=cap.amount,
                    last_complete=last_complete,
                    label=cap.label,
                    in_progress=in_progress,
                ),
            }
        )
    result.append(
        {
            "key": "total",
            "kind": "total",
            **forecast_cap(
                monthly=monthly,
                months=_contract_months(contract),
                cap=contract.total_cap,
                last_complete=last_complete,
                label="Whole contract",
                in_progress=in_progress,
            ),
        }
    )
    return result


def burn_up(*, today: datetime.date) -> dict:
    """Every cap's spend and forecast as at the last complete month (three queries)."""
    contract = current_contract()
    last_complete = add_months(month_start(today), -1)
    caps = cap_forecasts(
        last_complete=last_complete, in_progress=month_start(today), contract=contract
    )
    return {"contract": contract, "caps": caps, "last_complete": last_complete}


def cap_warnings(today: datetime.date, *, contract: Contract | None = None) -> list[dict]:
    """The current year's cap and the total cap when approved cost has passed 75% or 90% of
    them (two queries beyond the contract)."""
    contract = contract or current_contract()
    fy = financial_year_of(today)
    cap = contract.caps.filter(start_year=fy).first()
    start, end = fy_range(fy)
    spent = TimeEntry.objects.filter(status__in=SPENT).aggregate(
        fy=Sum("cost", filter=Q(date__gte=start, date__lt=end)), total=Sum("cost")
    )
    warnings = []
    for label, amount, used in (
        (f"the {cap.label} cap" if cap else None, cap.amount if cap else None, spent["fy"]),
        ("the contract's total cap", contract.total_cap, spent["total"]),
    ):
        if amount is None:
            continue
        used = used or ZERO
        percent = _q(100 * used / amount, Decimal("0.1"))
        level = next((lv for lv in WARNING_LEVELS if percent >= lv), None)
        if level:
            warnings.append(
                {
                    "label": label,
                    "level": level,
                    "percent": percent,
                    "spent": used,
                    "cap": amount,
                    "headroom": amount - used,
                }
            )
    return warnings


# -- days: allocation and support -------------------------------------------------------


def allocation_flag(days: Decimal, planning: Decimal, *, in_progress: bool) -> str:
    if in_progress:
        return "In progress"
    if days < planning * (1 - ALLOCATION_BAND):
        return "Under"
    if days > planning * (1 + ALLOCATION_BAND):
        return "Over"
    return "On plan"


def allocation(
    *,
    clusters: list,
    fy: int,
    today: datetime.date,
    programme_wide: bool,
    contract: Contract | None = None,
) -> dict:
    """Approved and invoiced days per cluster and month of a financial year, by requirement,
    against the planning figure, each cluster-month flagged under, on plan or over (one
    query beyond the contract)."""
    contract = contract or current_contract()
    this_month = month_start(today)
    months = [m for m in _fy_months(contract, fy) if m <= this_month]
    planning = contract.planning_days_per_cluster_month
    hpd = contract.hours_per_day
    cells = defaultdict(lambda: defaultdict(lambda: ZERO))
    if months:
        entries = TimeEntry.objects.filter(
            status__in=SPENT, date__gte=months[0], date__lt=next_month(months[-1])
        )
        where = Q(cluster_id__in=[c.pk for c in clusters])
        if programme_wide:
            where |= Q(cluster__isnull=True)
        entries = entries.filter(where)
        for row in (
            entries.annotate(month=TruncMonth("date"))
            .values("cluster_id", "month", "requirement")
            .annotate(days=Sum("days"))
            .order_by()
        ):
            cells[(row["cluster_id"], _as_date(row["month"]))][row["requirement"]] += row["days"]
    places = [(c.pk, c.name) for c in clusters]
    if programme_wide:
        places.append((None, "Programme-wide"))
    rows, matrix = [], []
    for pk, name in places:
        line = {"cluster": name, "months": []}
        for month in months:
            by_requirement = cells[(pk, month)]
            days = sum(by_requirement.values(), ZERO)
            flag = (
                allocation_flag(days, planning, in_progress=month == this_month)
                if pk is not None
                else ""
            )
            row = {
                "cluster": name,
                "month": month,
                **{r: _q(by_requirement[r]) for r in Requirement.values},
                "days": _q(days),
                "hours": _q(days * hpd),
                "planning": planning if pk is not None else None,
                "difference": _q(days - planning) if pk is not None else None,
                "flag": flag,
            }
            rows.append(row)
            line["months"].append(row)
        matrix.append(line)
    return {
        "months": months,
        "rows": rows,
        "matrix": matrix,
        "planning": planning,
        "hours_per_day": hpd,
        "fy_label": financial_year_label(fy),
    }


def support_by_cluster(
    *, start: datetime.date, end: datetime.date, fy_start: datetime.date
) -> dict:
    """Approved and invoiced days per cluster (None: programme-wide) and requirement in the
    month [start, end), the financial year to date and the contract to date (one query)."""
    result = defaultdict(
        lambda: {r: {"month": ZERO, "fy": ZERO, "total": ZERO} for r in Requirement.values}
    )
    rows = (
        TimeEntry.objects.filter(status__in=SPENT, date__lt=end)
        .values("cluster_id", "requirement")
        .annotate(
            month=Sum("days", filter=Q(date__gte=start)),
            fy=Sum("days", filter=Q(date__gte=fy_start)),
            total=Sum("days"),
        )
        .order_by()
    )
    for row in rows:
        result[row["cluster_id"]][row["requirement"]] = {
            "month": row["month"] or ZERO,
            "fy": row["fy"] or ZERO,
            "total": row["total"] or ZERO,
        }
    return result


def spend_against_caps(*, month: datetime.date) -> list[dict]:
    """Each cap whose year has started by ``month`` and the total cap: approved cost to the
    month's end, headroom, and the forecast from the run rate of the three months up to it
    (three queries)."""
    month = month_start(month)
    return cap_forecasts(last_complete=month, upto=month)


def lead_summary(cluster_id: int, today: datetime.date) -> dict:
    """Days of approved support a cluster received this month and this financial year."""
    fy_start, _ = fy_range(financial_year_of(today))
    this_month = month_start(today)
    sums = TimeEntry.objects.filter(
        status__in=SPENT, cluster_id=cluster_id, date__gte=min(fy_start, this_month)
    ).aggregate(
        month=Sum("days", filter=Q(date__gte=this_month)),
        fy=Sum("days", filter=Q(date__gte=fy_start)),
    )
    return {
        "month": sums["month"] or ZERO,
        "fy": sums["fy"] or ZERO,
        "fy_label": financial_year_label(financial_year_of(today)),
        "this_month": this_month,
    }


# -- invoices ---------------------------------------------------------------------------


def invoices_for_user(user) -> QuerySet:
    """Issued invoices: for programme managers and DfE readers only."""
    if is_programme_manager(user) or is_dfe_reader(user):
        return Invoice.objects.select_related("issued_by")
    return Invoice.objects.none()


def next_invoice_month(today: datetime.date) -> datetime.date | None:
    """The month after the last invoiced one, or the month of the oldest approved time; None
    when nothing has ended that can be invoiced."""
    last = Invoice.objects.order_by("-month").values_list("month", flat=True).first()
    if last is not None:
        month = next_month(last)
    else:
        oldest = (
            TimeEntry.objects.filter(status=Status.APPROVED)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        if oldest is None:
            return None
        month = month_start(oldest)
    return month if next_month(month) <= today else None


def _line_kind(entry: TimeEntry, month: datetime.date) -> tuple[int, datetime.date, str]:
    """Time of the month first, then late time and adjustments, oldest first."""
    if entry.adjusts_id:
        return 2, month_start(entry.adjusts.date), f"Adjustment to {entry.adjusts.date:%B %Y}"
    if entry.date < month:
        return 1, month_start(entry.date), f"Late time from {entry.date:%B %Y}"
    return 0, month, f"{month:%B %Y}"


def invoice_data(entries: list[TimeEntry], *, month: datetime.date, contract: Contract) -> dict:
    """An invoice's lines per consultant, grade, cluster, requirement and rate, with
    subtotals per consultant, the total excluding VAT and the cap position after it, as
    plain JSON (money and days as decimal strings). One query beyond the entries."""
    hpd = contract.hours_per_day
    groups = defaultdict(lambda: {"days": ZERO, "cost": ZERO, "entries": 0})
    for entry in entries:
        key = (
            entry.consultant.last_name,
            entry.consultant.first_name,
            entry.consultant_id,
            *_line_kind(entry, month),
            entry.cluster.name if entry.cluster_id else "Programme-wide",
            entry.requirement,
            entry.grade.name if entry.grade_id else "",
            entry.day_rate,
        )
        groups[key]["days"] += entry.days
        groups[key]["cost"] += entry.cost
        groups[key]["entries"] += 1
        groups[key]["name"] = str(entry.consultant)
    consultants = {}
    for key in sorted(groups):
        _, _, consultant_id, _, _, kind, cluster, requirement, grade, rate = key
        group = groups[key]
        person = consultants.setdefault(
            consultant_id,
            {"name": group["name"], "grade": grade, "lines": [], "days": ZERO, "cost": ZERO},
        )
        person["lines"].append(
            {
                "kind": kind,
                "cluster": cluster,
                "requirement": requirement,
                "grade": grade,
                "days": str(_q(group["days"], Decimal("0.001"))),
                "hours": str(_q(group["days"] * hpd)),
                "rate": str(rate),
                "cost": str(group["cost"]),
                "entries": group["entries"],
            }
        )
        person["days"] += group["days"]
        person["cost"] += group["cost"]
    total = sum((e.cost for e in entries), ZERO)
    days = sum((e.days for e in entries), ZERO)
    people = [
        {
            **p,
            "days": str(_q(p["days"], Decimal("0.001"))),
            "hours": str(_q(p["days"] * hpd)),
            "cost": str(p["cost"]),
        }
        for p in consultants.values()
    ]
    caps = _cap_position(entries, month=month, contract=contract)
    return {
        "days": days,
        "total": total,
        "snapshot": {
            "month": month.isoformat(),
            "label": f"{month:%B %Y}",
            "contract": {"name": contract.name, "reference": contract.reference},
            "hours_per_day": str(hpd),
            "consultants": people,
            "entries": len(entries),
            "days": str(_q(days, Decimal("0.001"))),
            "hours": str(_q(days * hpd)),
            "total": str(total),
            "caps": caps,
        },
    }


def _cap_position(entries, *, month: datetime.date, contract: Contract) -> list[dict]:
    """For each financial year the invoice touches, and the contract as a whole: the cap,
    invoiced before, this invoice, invoiced after and the headroom left (two queries)."""
    this = defaultdict(lambda: ZERO)
    for entry in entries:
        this[financial_year_of(entry.date)] += entry.cost
    years = sorted(set(this) | {financial_year_of(month)})
    before = defaultdict(lambda: ZERO)
    for row in (
        TimeEntry.objects.filter(status=Status.INVOICED)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(cost=Sum("cost"))
        .order_by()
    ):
        before[financial_year_of(_as_date(row["month"]))] += row["cost"] or ZERO
    caps = {c.start_year: c.amount for c in contract.caps.all()}
    position = []
    for label, cap, was, added in [
        (financial_year_label(y), caps.get(y), before[y], this[y]) for y in years
    ] + [
        ("Whole contract", contract.total_cap, sum(before.values(), ZERO), sum(this.values(), ZERO))
    ]:
        after = was + added
        position.append(
            {
                "label": label,
                "cap": str(cap) if cap is not None else None,
                "before": str(was),
                "this": str(added),
                "after": str(after),
                "headroom": str(cap - after) if cap is not None else None,
                "percent": str(_q(100 * after / cap, Decimal("0.1"))) if cap else None,
            }
        )
    return position


def invoice_preview(month: datetime.date) -> dict:
    """What the month's invoice would hold if issued now, and the month's time still in
    draft or awaiting approval (which would go into a later invoice)."""
    contract = current_contract()
    month = month_start(month)
    entries = list(
        TimeEntry.objects.filter(status=Status.APPROVED, date__lt=next_month(month))
        .select_related("consultant", "grade", "cluster", "adjusts")
        .order_by("date", "pk")
    )
    waiting = TimeEntry.objects.filter(
        status__in=(Status.DRAFT, Status.SUBMITTED), date__gte=month, date__lt=next_month(month)
    ).aggregate(count=Count("pk"), days=Sum("days"))
    data = invoice_data(entries, month=month, contract=contract) if entries else None
    return {"entries": entries, "data": data, "waiting": waiting, "month": month}
