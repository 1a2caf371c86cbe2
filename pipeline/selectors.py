"""Reads of pipeline data, as plain dicts so pages, the API and the monthly report share
them. Every read aggregates in SQL: its query count does not grow with the records."""

import datetime

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Sum,
)
from django.utils import timezone

from core.cache import remembered

from . import facts
from .models import (
    ExitReason,
    ImportBatch,
    MonthlyReturn,
    PipelineRecord,
    RecordChannelMonth,
    RecordDuration,
    RecordExitMonth,
    RecordMonth,
    ReturnChannelCount,
    ReturnExit,
    ReturnStageCount,
    ReturnStatus,
    Stage,
    StageCode,
)
from .scope import (  # noqa: F401 - re-exported for callers
    ENGLAND,
    PROGRAMME_START,
    Period,
    Scope,
    add_months,
    authorities_for_user,
    editable_authorities,
    make_period,
    month_start,
)

# National baseline, year to March 2022: 138,075 enquiries, 8,280 applications,
# 4,035 approvals (reference/SOURCES.md).
BASELINE = {"enquiry_to_application": 0.060, "enquiry_to_approval": 0.029}
COUNTED_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)


def returns_for_user(user):
    """Returns the user may read: of their LAs; for DfE, only once submitted, since a draft
    belongs to its LA until then."""
    from accounts.permissions import is_dfe_reader

    returns = MonthlyReturn.objects.filter(local_authority__in=authorities_for_user(user))
    if is_dfe_reader(user):
        returns = returns.exclude(status=ReturnStatus.DRAFT)
    return returns.select_related("local_authority", "submitted_by", "accepted_by", "created_by")


def batches_for_user(user):
    """Imports the user may see: their own uploads, or any for the delivery partner."""
    from accounts.permissions import is_delivery_partner

    batches = ImportBatch.objects.select_related("profile", "uploaded_by", "local_authority")
    if is_delivery_partner(user):
        return batches
    return batches.filter(uploaded_by=user)


def return_counts(monthly_return) -> dict:
    """A return's numbers keyed by the form's field names (three queries)."""
    values = {}
    for row in monthly_return.stage_counts.values("stage__code", "count"):
        values[f"stage_{row['stage__code']}"] = row["count"]
    for row in monthly_return.exits.values("stage__code", "reason__code", "count"):
        values[f"exit_{row['stage__code']}_{row['reason__code']}"] = row["count"]
    for row in monthly_return.channel_counts.values("channel__code", "count"):
        values[f"channel_{row['channel__code']}"] = row["count"]
    return values


class DaysBetween(Func):
    """Whole days from the first date to the second."""

    output_field = IntegerField()

    def as_sql(self, compiler, conn, **extra):
        (a, a_params), (b, b_params) = (compiler.compile(e) for e in self.source_expressions)
        if conn.vendor == "postgresql":
            return f"({b} - {a})", [*b_params, *a_params]
        return f"CAST(julianday({b}) - julianday({a}) AS INTEGER)", [*b_params, *a_params]


class Median(Aggregate):
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median(counts: dict[int, int]) -> int | None:
    """The median of values given as {value: how many}, as percentile_cont(0.5) computes it
    (the mean of the two middle values when their number is even), rounded."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found, seen = [], 0
    for value in sorted(counts):
        n = counts[value]
        found += [value] * sum(1 for w in wanted if seen <= w < seen + n)
        seen += n
    return round(sum(found) / len(found))


def _medians(authorities, period: Period) -> dict:
    """Median days between stages for the stages reached in the period, from the counts of
    each duration (RecordDuration): exact, without reading the records."""
    counts = {measure: {} for measure in RecordDuration.PAIRS}
    for row in (
        RecordDuration.objects.filter(
            local_authority__in=authorities, month__gte=period.start, month__lt=period.end
        )
        .values("measure", "days")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        counts[row["measure"]][row["days"]] = row["n"]
    return {measure: _median(days) for measure, days in counts.items()}


def _people(scope: Scope, period: Period, authorities) -> int:
    """People who enquired in the period, each counted once across the scope's LAs (by
    identity hash): counted from the records, kept in the shared cache under the records'
    version, so it is counted again only after records change."""

    def count() -> int:
        return (
            PipelineRecord.objects.filter(
                local_authority__in=authorities,
                enquiry_date__gte=period.start,
                enquiry_date__lt=period.end,
            )
            .exclude(person_hash="")
            .aggregate(n=Count("person_hash", distinct=True))["n"]
        )

    return remembered(f"people:{scope.key}:{period.key}:{facts.version()}", count, 24 * 3600)


def _rate(numerator, denominator):
    return None if not denominator else numerator / denominator


# what is kept under a figures version expires within the hour, so a renamed stage,
# reason or channel (reference data, not in the version) shows within the hour
FIGURES_KEPT = 3600


def funnel(scope: Scope, period: Period, *, detail: bool = True) -> dict:
    """The funnel for a scope and period: entries per stage, conversion rates, exits by
    stage and reason, enquiries by source channel, medians and de-duplicated enquiries.

    Counts come from case records for LAs that have imported any, and from submitted or
    accepted monthly returns for the others, so no LA is counted twice. ``detail=False``
    reads only the stage counts (for benchmarks).

    Kept in the shared cache under ``facts.figures_version()``, which moves with every
    change of the records, returns or memberships: every web process, the API and the
    report read one computation per change (one query when kept).
    """
    return remembered(
        f"funnel:{int(detail)}:{scope.key}:{period.key}:{facts.figures_version()}",
        lambda: _funnel(scope, period, detail=detail),
        FIGURES_KEPT,
    )


def _funnel(scope: Scope, period: Period, *, detail: bool) -> dict:
    stages = list(Stage.objects.all())
    authorities = scope.authorities().values("pk")
    has_records = RecordMonth.objects.filter(local_authority=OuterRef("local_authority"))
    months = RecordMonth.objects.filter(
        local_authority__in=authorities, month__gte=period.start, month__lt=period.end
    )
    returns = MonthlyReturn.objects.filter(
        local_authority__in=authorities,
        month__gte=period.start,
        month__lt=period.end,
        status__in=COUNTED_STATUSES,
    ).filter(~Exists(has_records))

    sums = {f"n_{code}": Sum(f"entered_{code}", default=0) for code in PipelineRecord.DATE_FIELDS}
    sums["hashed"] = Sum("hashed", default=0)
    sums["unhashed"] = Sum("unhashed", default=0)
    from_records = months.aggregate(**sums)
    from_returns = {
        row["stage__code"]: row["n"]
        for row in ReturnStageCount.objects.filter(monthly_return__in=returns)
        .values("stage__code")
        .annotate(n=Sum("count"))
    }
    counts = {s.code: from_records[f"n_{s.code}"] + (from_returns.get(s.code) or 0) for s in stages}
    rows, previous = [], None
    for stage in stages:
        n = counts[stage.code]
        rows.append(
            {
                "code": stage.code,
                "name": stage.name,
                "count": n,
                "conversion": _rate(n, counts[previous.code]) if previous else None,
            }
        )
        previous = stage
    enquiries = counts.get(StageCode.ENQUIRY, 0)
    result = {
        "scope": scope.label,
        "scope_key": scope.key,
        "period": period.label,
        "period_key": period.key,
        "start": period.start,
        "end": period.end,
        "stages": rows,
        "enquiries": enquiries,
        "enquiry_to_application": _rate(counts.get(StageCode.APPLICATION, 0), enquiries),
        "enquiry_to_approval": _rate(counts.get(StageCode.APPROVAL, 0), enquiries),
        "baseline": BASELINE,
    }
    if not detail:
        return result

    returns_enquiries = from_returns.get(StageCode.ENQUIRY) or 0
    result["enquiries_from_records"] = from_records[f"n_{StageCode.ENQUIRY}"]
    result["enquiries_from_returns"] = returns_enquiries
    # People counted once across the scope's LAs, where records carry the hash; returns
    # and records without identity fields cannot be de-duplicated and count as they are.
    people = _people(scope, period, authorities)
    result["enquiries_deduplicated"] = people + from_records["unhashed"] + returns_enquiries
    result["medians"] = _medians(authorities, period)

    in_period = {"month__gte": period.start, "month__lt": period.end}
    exits = {}
    by_id = {s.pk: s for s in stages}
    reasons = dict(ExitReason.objects.values_list("pk", "name"))
    # summed by ids, named here: joining the names in SQL doubled the query's time
    for row in (
        RecordExitMonth.objects.filter(local_authority__in=authorities, **in_period)
        .values("stage_id", "reason_id")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        stage = by_id[row["stage_id"]]
        key = (stage.code, stage.name, reasons.get(row["reason_id"]) or "Not given")
        exits[key] = exits.get(key, 0) + row["n"]
    for row in (
        ReturnExit.objects.filter(monthly_return__in=returns)
        .values("stage__code", "stage__name", "reason__name")
        .annotate(n=Sum("count"))
    ):
        key = (row["stage__code"], row["stage__name"], row["reason__name"])
        exits[key] = exits.get(key, 0) + row["n"]
    order = {s.code: s.order for s in stages}
    result["exits"] = [
        {"stage": stage, "reason": reason, "count": n}
        for (code, stage, reason), n in sorted(
            exits.items(), key=lambda i: (order.get(i[0][0], 0), -i[1], i[0][2])
        )
        if n
    ]

    channels = {}
    for row in (
        RecordChannelMonth.objects.filter(local_authority__in=authorities, **in_period)
        .values("channel__name")
        .annotate(n=Sum("enquiries"), applied=Sum("applied"))
        .order_by()
    ):
        name = row["channel__name"] or "Not recorded"
        channels[name] = {"enquiries": row["n"], "applications": row["applied"]}
    for row in (
        ReturnChannelCount.objects.filter(monthly_return__in=returns)
        .values("channel__name")
        .annotate(n=Sum("count"))
    ):
        entry = channels.setdefault(row["channel__name"], {"enquiries": 0, "applications": None})
        entry["enquiries"] += row["n"]
    result["channels"] = [
        {"channel": name, **values}
        for name, values in sorted(channels.items(), key=lambda i: -i[1]["enquiries"])
    ]
    return result


def funnel_comparison(scope: Scope, period: Period) -> dict:
    """The funnel with the same period a year earlier beside each stage."""
    now = funnel(scope, period)
    before = funnel(scope, period.year_earlier(), detail=False)
    now["year_earlier"] = before
    for row, old in zip(now["stages"], before["stages"], strict=True):
        row["year_earlier"] = old["count"]
    return now


def benchmark_scopes(scope: Scope) -> list[Scope]:
    """The areas a funnel is compared with: its region (unless it is one) and England.
    A cluster lead sees only these (anonymised) rates for areas beyond their own cluster."""
    from clusters.models import Region

    from .scope import scope_for

    region_id = (
        scope.authorities().values_list("region_id", flat=True).order_by("region_id").first()
        if scope.kind != "england"
        else None
    )
    scopes = []
    if region_id and scope.kind != "region":
        scopes.append(scope_for(Region.objects.get(pk=region_id)))
    if scope.kind != "england":
        scopes.append(ENGLAND)
    return scopes


def benchmarks(scopes: list[Scope], period: Period) -> list[dict]:
    """Anonymised rates for other scopes (a region, England): no counts of other LAs."""
    rows = []
    for scope in scopes:
        f = funnel(scope, period, detail=False)
        rows.append(
            {
                "scope": scope.label,
                "enquiry_to_application": f["enquiry_to_application"],
                "enquiry_to_approval": f["enquiry_to_approval"],
            }
        )
    return rows


def cohorts(scope: Scope, *, start: datetime.date, end: datetime.date) -> list[dict]:
    """Of the people who enquired in each month, how many have reached each stage by now
    (from the records' summaries; one query)."""
    stages = list(Stage.objects.all())
    sums = {"enquiries": Sum("entered_enquiry"), "exited": Sum("exited")}
    sums.update(
        {
            f"n_{code}": Sum(f"reached_{code}")
            for code in PipelineRecord.DATE_FIELDS
            if code != StageCode.ENQUIRY
        }
    )
    rows = (
        RecordMonth.objects.filter(
            local_authority__in=scope.authorities().values("pk"),
            month__gte=month_start(start),
            month__lt=end,
        )
        .values("month")
        .annotate(**sums)
        .filter(enquiries__gt=0)
        .order_by("month")
    )
    result = []
    for row in rows:
        enquiries = row["enquiries"]
        row[f"n_{StageCode.ENQUIRY}"] = enquiries
        result.append(
            {
                "month": row["month"],
                "enquiries": enquiries,
                "stages": [
                    {"code": s.code, "name": s.name, "count": row[f"n_{s.code}"]} for s in stages
                ],
                "exited": row["exited"],
                "to_application": _rate(row[f"n_{StageCode.APPLICATION}"], enquiries),
                "to_approval": _rate(row[f"n_{StageCode.APPROVAL}"], enquiries),
            }
        )
    return result


def late_returns(user, *, today: datetime.date | None = None, months: int = 12) -> list[dict]:
    """Returns not submitted by the 10th of the following month, for the user's member
    LAs in clusters, over the last ``months`` months (two queries; one when kept in the
    shared cache under the day and ``facts.figures_version()``, which moves with every
    return saved and every membership changed)."""
    today = today or timezone.localdate()
    return remembered(
        f"late:{user.pk}:{user.role}:{user.cluster_id}:{today}:{months}:{facts.figures_version()}",
        lambda: _late_returns(user, today=today, months=months),
        FIGURES_KEPT,
    )


def _late_returns(user, *, today: datetime.date, months: int) -> list[dict]:
    from clusters.models import ClusterMembership

    last_due = month_start(today) if today.day > 10 else add_months(month_start(today), -1)
    last_month = add_months(last_due, -1)
    first_month = max(add_months(last_month, -(months - 1)), month_start(PROGRAMME_START))
    memberships = ClusterMembership.objects.filter(
        left_on__isnull=True, local_authority__in=authorities_for_user(user)
    ).select_related("cluster", "local_authority")
    submitted = {
        (r["local_authority_id"], r["month"]): r
        for r in MonthlyReturn.objects.filter(
            local_authority__in=authorities_for_user(user),
            month__gte=first_month,
            month__lte=last_month,
        ).values("local_authority_id", "month", "status", "pk")
    }
    rows = []
    for membership in memberships:
        month = max(first_month, month_start(membership.joined_on))
        while month <= last_month:
            due = add_months(month, 1).replace(day=10)
            found = submitted.get((membership.local_authority_id, month))
            if not found or found["status"] == ReturnStatus.DRAFT:
                rows.append(
                    {
                        "local_authority": membership.local_authority.name,
                        "cluster": membership.cluster.name,
                        "month": month,
                        "due": due,
                        "status": "Draft" if found else "Not started",
                        "days_late": (today - due).days,
                        "return_pk": found["pk"] if found else None,
                    }
                )
            month = add_months(month, 1)
    rows.sort(key=lambda r: (r["month"], r["cluster"], r["local_authority"]))
    return rows
