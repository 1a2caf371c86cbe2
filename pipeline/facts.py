"""The summaries the funnel, cohort and benchmark views read (RecordMonth and the rest in
pipeline.models), kept exact: whatever writes case records calls ``refresh`` with the LAs it
wrote, inside its own transaction, so the summaries commit or roll back with the records and
are never stale. If a refresh fails, the whole transaction fails.

People counted once across LAs cannot be summed from per-LA rows; they are counted from the
records and kept in the shared cache under the records' version (``version``), which every
refresh changes in its transaction: a count kept is never one of older records.

``rebuild`` recomputes every summary from the records and ``differences`` says where the
stored ones disagree (``manage.py rebuild_facts``)."""

import datetime
import uuid
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from .models import (
    PipelineRecord,
    RecordChannelMonth,
    RecordDuration,
    RecordExitMonth,
    RecordMonth,
    StageCode,
    SummaryVersion,
)

SUMMARIES = (RecordMonth, RecordExitMonth, RecordChannelMonth, RecordDuration)
RECORDS = "records"
NULLABLE_KEYS = {"reason_id", "channel_id"}
LATER_STAGES = [code for code in PipelineRecord.DATE_FIELDS if code != StageCode.ENQUIRY]


def _month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _new_version() -> None:
    """Change the records' version. Taken first, its row lock also serialises refreshes for
    the rest of the writer's transaction: each then reads the records as the one before it
    committed them. Readers are not blocked."""
    token = uuid.uuid4().hex
    if not SummaryVersion.objects.filter(name=RECORDS).update(token=token):
        SummaryVersion.objects.update_or_create(name=RECORDS, defaults={"token": token})


def version() -> str:
    """The records' current version (one query)."""
    return (
        SummaryVersion.objects.filter(name=RECORDS).values_list("token", flat=True).first()
        or "none"
    )


def figures_version() -> str:
    """A key that moves whenever any funnel figure may (one query): the records' version,
    and the history of monthly returns and cluster memberships, to which every save,
    submission, acceptance, reopening, join and leave adds a row, with the returns
    themselves (the demo's are created in bulk, without history). Reference names (stages,
    reasons, channels) are not in it: what is kept under it expires within the hour."""
    from clusters.models import ClusterMembership
    from core.cache import rows_version

    from .models import MonthlyReturn

    table = connection.ops.quote_name(SummaryVersion._meta.db_table)
    return rows_version(
        MonthlyReturn,
        MonthlyReturn.history.model,
        ClusterMembership.history.model,
        first=(f"SELECT token FROM {table} WHERE name = %s", [RECORDS]),  # noqa: S608
    )


def compute(la_ids=None) -> dict[str, list]:
    """Every summary row for the given LAs (all LAs when None), unsaved, by model name."""
    from .selectors import DaysBetween

    records = PipelineRecord.objects.all()
    if la_ids is not None:
        records = records.filter(local_authority_id__in=la_ids)
    months: dict[tuple, RecordMonth] = {}

    def month_row(la_id, month):
        key = (la_id, _month(month))
        if key not in months:
            months[key] = RecordMonth(local_authority_id=la_id, month=key[1])
        return months[key]

    # the enquiry month's cohort: entered, hashed or not, later stages reached, exits
    cohort = {
        f"reached_{code}": Count("pk", filter=Q(**{f"{field}__isnull": False}))
        for code, field in PipelineRecord.DATE_FIELDS.items()
        if code != StageCode.ENQUIRY
    }
    for row in (
        records.annotate(m=TruncMonth("enquiry_date"))
        .values("local_authority_id", "m")
        .annotate(
            entered_enquiry=Count("pk"),
            hashed=Count("pk", filter=~Q(person_hash="")),
            unhashed=Count("pk", filter=Q(person_hash="")),
            exited=Count("pk", filter=Q(outcome="exited")),
            **cohort,
        )
        .order_by()
    ):
        target = month_row(row.pop("local_authority_id"), row.pop("m"))
        for name, value in row.items():
            setattr(target, name, value)
    for code in LATER_STAGES:
        field = PipelineRecord.DATE_FIELDS[code]
        for row in (
            records.filter(**{f"{field}__isnull": False})
            .annotate(m=TruncMonth(field))
            .values("local_authority_id", "m")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            setattr(month_row(row["local_authority_id"], row["m"]), f"entered_{code}", row["n"])

    exits = [
        RecordExitMonth(
            local_authority_id=row["local_authority_id"],
            month=_month(row["m"]),
            stage_id=row["exit_stage_id"],
            reason_id=row["exit_reason_id"],
            n=row["n"],
        )
        for row in records.filter(exit_date__isnull=False, exit_stage__isnull=False)
        .annotate(m=TruncMonth("exit_date"))
        .values("local_authority_id", "m", "exit_stage_id", "exit_reason_id")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    channels = [
        RecordChannelMonth(
            local_authority_id=row["local_authority_id"],
            month=_month(row["m"]),
            channel_id=row["source_channel_id"],
            enquiries=row["n"],
            applied=row["applied"],
        )
        for row in records.annotate(m=TruncMonth("enquiry_date"))
        .values("local_authority_id", "m", "source_channel_id")
        .annotate(n=Count("pk"), applied=Count("pk", filter=Q(application_date__isnull=False)))
        .order_by()
    ]
    durations = []
    for measure, (a, b) in RecordDuration.PAIRS.items():
        durations += [
            RecordDuration(
                local_authority_id=row["local_authority_id"],
                month=_month(row["m"]),
                measure=measure,
                days=row["days"],
                n=row["n"],
            )
            for row in records.filter(**{f"{a}__isnull": False, f"{b}__isnull": False})
            .annotate(m=TruncMonth(b), days=DaysBetween(F(a), F(b)))
            .values("local_authority_id", "m", "days")
            .annotate(n=Count("pk"))
            .order_by()
        ]
    return {
        "RecordMonth": list(months.values()),
        "RecordExitMonth": exits,
        "RecordChannelMonth": channels,
        "RecordDuration": durations,
    }


@transaction.atomic
def refresh(la_ids) -> None:
    """Recompute the summaries of these LAs from their records, in the caller's transaction,
    and change the records' version."""
    la_ids = sorted(set(la_ids))
    if not la_ids:
        return
    _new_version()
    for model in SUMMARIES:
        model.objects.filter(local_authority_id__in=la_ids).delete()
    if connection.vendor == "postgresql":
        _insert_computed(la_ids)
        return
    rows = compute(la_ids)
    for model in SUMMARIES:
        model.objects.bulk_create(rows[model.__name__], batch_size=2000)


def _selects(source: str, where: str, count) -> list[tuple]:
    """For each summary on PostgreSQL: (model, key columns, value columns, SELECT) over the
    records in ``source`` (aliased r) that match ``where``; ``count(condition)`` is the SQL
    that counts them (plain counts, or signed sums for changes)."""
    dates = PipelineRecord.DATE_FIELDS
    stages = ", ".join(f"('{code}', r.{field})" for code, field in dates.items())
    enquiry = "v.s = 'enquiry'"
    month = "date_trunc('month', {})::date"
    month_columns = (
        [f"entered_{code}" for code in dates]
        + ["hashed", "unhashed"]
        + [f"reached_{code}" for code in LATER_STAGES]
        + ["exited"]
    )
    month_values = (
        [count(f"v.s = '{code}'") for code in dates]
        + [count(f"{enquiry} AND r.person_hash <> ''"), count(f"{enquiry} AND r.person_hash = ''")]
        + [count(f"{enquiry} AND r.{dates[code]} IS NOT NULL") for code in LATER_STAGES]
        + [count(f"{enquiry} AND r.outcome = 'exited'")]
    )
    selects = [
        (
            RecordMonth,
            ["local_authority_id", "month"],
            month_columns,
            f"SELECT r.local_authority_id, {month.format('v.d')}, {', '.join(month_values)} "  # noqa: S608
            f"FROM {source} CROSS JOIN LATERAL (VALUES {stages}) AS v(s, d) "
            f"WHERE {where} AND v.d IS NOT NULL GROUP BY 1, 2",
        ),
        (
            RecordExitMonth,
            ["local_authority_id", "month", "stage_id", "reason_id"],
            ["n"],
            f"SELECT r.local_authority_id, {month.format('r.exit_date')}, r.exit_stage_id, "  # noqa: S608
            f"r.exit_reason_id, {count('true')} FROM {source} WHERE {where} "
            "AND r.exit_date IS NOT NULL AND r.exit_stage_id IS NOT NULL GROUP BY 1, 2, 3, 4",
        ),
        (
            RecordChannelMonth,
            ["local_authority_id", "month", "channel_id"],
            ["enquiries", "applied"],
            f"SELECT r.local_authority_id, {month.format('r.enquiry_date')}, "  # noqa: S608
            f"r.source_channel_id, {count('true')}, {count('r.application_date IS NOT NULL')} "
            f"FROM {source} WHERE {where} GROUP BY 1, 2, 3",
        ),
    ]
    durations = " UNION ALL ".join(
        f"SELECT r.local_authority_id, {month.format('r.' + b)}, '{measure}', "  # noqa: S608
        f"r.{b} - r.{a}, {count('true')} FROM {source} WHERE {where} "
        f"AND r.{a} IS NOT NULL AND r.{b} IS NOT NULL GROUP BY 1, 2, 4"
        for measure, (a, b) in RecordDuration.PAIRS.items()
    )
    selects.append(
        (RecordDuration, ["local_authority_id", "month", "measure", "days"], ["n"], durations)
    )
    return selects


def _insert_computed(la_ids: list[int]) -> None:
    """PostgreSQL: the rows ``compute`` builds, written by INSERT ... SELECT, one scan of
    the LAs' records per summary: building them as objects took twice as long as computing
    them. tests/pipeline/test_facts.py checks both against the records."""
    source = f"{PipelineRecord._meta.db_table} r"
    with connection.cursor() as cursor:
        for model, keys, values, select in _selects(
            source, "r.local_authority_id = ANY(%s)", lambda c: f"count(*) FILTER (WHERE {c})"
        ):
            table = model._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(keys + values)}) {select}",  # noqa: S608
                [la_ids] * select.count("%s"),
            )


def apply_changes(cursor, before: str, after: str) -> None:
    """PostgreSQL, inside the import's transaction: move the summaries by the difference
    between the changed records as they were (table ``before``) and as they are now
    (``after``; both temporary tables with the records' columns), instead of recounting
    every record of the LAs. Only the summary rows the change touches are written."""
    _new_version()
    source = f"(SELECT b.*, -1 AS sign FROM {before} b UNION ALL SELECT a.*, 1 FROM {after} a) r"  # noqa: S608

    def signed(condition):
        return f"coalesce(sum(r.sign) FILTER (WHERE {condition}), 0)"

    for model, keys, values, select in _selects(source, "true", signed):
        table = model._meta.db_table
        names = ", ".join(keys + values)
        cursor.execute("DROP TABLE IF EXISTS facts_delta")
        cursor.execute(
            "CREATE TEMP TABLE facts_delta ON COMMIT DROP AS "  # noqa: S608
            f"SELECT * FROM ({select}) AS d({names})"
        )
        # a temporary table has no statistics until analysed: without them the planner
        # guesses its size (the exits update of a 100,000-row import took 1.27 s without,
        # 0.69 s with, back to back; docs/benchmarks.md)
        cursor.execute("ANALYZE facts_delta")
        # "=" (hashable) rather than IS NOT DISTINCT FROM, which forced nested loops: the
        # nullable keys (reason, channel) compare through coalesce
        same_key = " AND ".join(
            f"coalesce(t.{k}, -1) = coalesce(d.{k}, -1)" if k in NULLABLE_KEYS else f"t.{k} = d.{k}"
            for k in keys
        )
        cursor.execute(
            f"UPDATE {table} t SET "  # noqa: S608
            + ", ".join(f"{v} = t.{v} + d.{v}" for v in values)
            + f" FROM facts_delta d WHERE {same_key}"
        )
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(keys + values)}) "  # noqa: S608
            f"SELECT {', '.join('d.' + c for c in keys + values)} FROM facts_delta d "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same_key})"
        )
        cursor.execute(
            f"DELETE FROM {table} t WHERE "  # noqa: S608
            "t.local_authority_id IN (SELECT DISTINCT local_authority_id FROM facts_delta) AND "
            + " AND ".join(f"t.{v} = 0" for v in values)
        )
        cursor.execute("DROP TABLE facts_delta")


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute every summary from the records. Returns the differences found first."""
    found = differences()
    from clusters.models import LocalAuthority

    for model in SUMMARIES:
        model.objects.all().delete()  # rows of LAs with no records left, too
    refresh(LocalAuthority.objects.values_list("pk", flat=True))
    return found


def _key(obj) -> tuple:
    fields = [f.attname for f in obj._meta.concrete_fields if f.attname != "id"]
    return tuple(getattr(obj, f) for f in fields)


def differences() -> dict[str, int]:
    """For each summary, how many rows are missing from or extra to what the records give
    (0 everywhere when they agree)."""
    expected = compute()
    found = {}
    for model in SUMMARIES:
        want = defaultdict(int)
        for obj in expected[model.__name__]:
            want[_key(obj)] += 1
        have = defaultdict(int)
        for obj in model.objects.all():
            have[_key(obj)] += 1
        keys = set(want) | set(have)
        found[model.__name__] = sum(abs(want[k] - have[k]) for k in keys)
    return found
