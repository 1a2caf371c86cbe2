"""The funnel and cohorts as they were computed before the summaries (pipeline.facts):
straight from every case record in scope on each call. Kept as the oracle the summaries
are checked against (tests/pipeline/test_facts.py); not used by the service."""

import datetime
import statistics

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from pipeline.models import (
    MonthlyReturn,
    PipelineRecord,
    ReturnChannelCount,
    ReturnExit,
    ReturnStageCount,
    Stage,
    StageCode,
)
from pipeline.scope import Period, Scope
from pipeline.selectors import BASELINE, COUNTED_STATUSES, DaysBetween, Median


def _medians(records, period: Period) -> dict:
    pairs = {
        "enquiry_to_application": ("enquiry_date", "application_date"),
        "application_to_approval": ("application_date", "approval_date"),
    }
    result = {}
    if connection.vendor == "postgresql":
        aggregates = {
            name: Median(
                DaysBetween(F(a), F(b)),
                filter=Q(
                    **{f"{b}__gte": period.start, f"{b}__lt": period.end, f"{a}__isnull": False}
                ),
            )
            for name, (a, b) in pairs.items()
        }
        for name, value in records.aggregate(**aggregates).items():
            result[name] = None if value is None else round(value)
        return result
    # SQLite has no percentile function: read the day counts (tests and the small default).
    for name, (a, b) in pairs.items():
        days = list(
            records.filter(
                **{f"{b}__gte": period.start, f"{b}__lt": period.end, f"{a}__isnull": False}
            )
            .annotate(days=DaysBetween(F(a), F(b)))
            .values_list("days", flat=True)
        )
        result[name] = round(statistics.median(days)) if days else None
    return result


def _rate(numerator, denominator):
    return None if not denominator else numerator / denominator


def funnel(scope: Scope, period: Period, *, detail: bool = True) -> dict:
    """The funnel for a scope and period: entries per stage, conversion rates, exits by
    stage and reason, enquiries by source channel, medians and de-duplicated enquiries.

    Counts come from case records for LAs that have imported any, and from submitted or
    accepted monthly returns for the others, so no LA is counted twice. ``detail=False``
    reads only the stage counts (for benchmarks).
    """
    stages = list(Stage.objects.all())
    authorities = scope.authorities().values("pk")
    has_records = PipelineRecord.objects.filter(local_authority=OuterRef("local_authority"))
    records = PipelineRecord.objects.filter(local_authority__in=authorities)
    returns = MonthlyReturn.objects.filter(
        local_authority__in=authorities,
        month__gte=period.start,
        month__lt=period.end,
        status__in=COUNTED_STATUSES,
    ).filter(~Exists(has_records))

    in_period = {
        code: Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
        for code, field in PipelineRecord.DATE_FIELDS.items()
    }
    aggregates = {f"n_{code}": Count("pk", filter=q) for code, q in in_period.items()}
    aggregates["people"] = Count(
        "person_hash", filter=in_period[StageCode.ENQUIRY] & ~Q(person_hash=""), distinct=True
    )
    aggregates["unhashed"] = Count("pk", filter=in_period[StageCode.ENQUIRY] & Q(person_hash=""))
    aggregates["record_las"] = Count("local_authority", distinct=True)
    from_records = records.aggregate(**aggregates)
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
    result["enquiries_deduplicated"] = (
        from_records["people"] + from_records["unhashed"] + returns_enquiries
    )
    result["medians"] = _medians(records, period)

    exits = {}
    for row in (
        records.filter(
            exit_date__gte=period.start, exit_date__lt=period.end, exit_stage__isnull=False
        )
        .values("exit_stage__code", "exit_stage__name", "exit_reason__name")
        .annotate(n=Count("pk"))
    ):
        key = (
            row["exit_stage__code"],
            row["exit_stage__name"],
            row["exit_reason__name"] or "Not given",
        )
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
            exits.items(), key=lambda i: (order.get(i[0][0], 0), -i[1])
        )
        if n
    ]

    channels = {}
    for row in (
        records.filter(in_period[StageCode.ENQUIRY])
        .values("source_channel__name")
        .annotate(n=Count("pk"), applied=Count("pk", filter=Q(application_date__isnull=False)))
    ):
        name = row["source_channel__name"] or "Not recorded"
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


def cohorts(scope: Scope, *, start: datetime.date, end: datetime.date) -> list[dict]:
    """Of the people who enquired in each month, how many have reached each stage by now
    (from case records; one query)."""
    stages = list(Stage.objects.all())
    aggregates = {
        f"n_{code}": Count("pk", filter=Q(**{f"{field}__isnull": False}))
        for code, field in PipelineRecord.DATE_FIELDS.items()
    }
    aggregates["exited"] = Count("pk", filter=Q(outcome="exited"))
    rows = (
        PipelineRecord.objects.filter(
            local_authority__in=scope.authorities().values("pk"),
            enquiry_date__gte=start,
            enquiry_date__lt=end,
        )
        .annotate(month=TruncMonth("enquiry_date"))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        enquiries = row[f"n_{StageCode.ENQUIRY}"]
        result.append(
            {
                "month": month,
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
