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
    transaction.on_commit(_keep_figures)


def _keep_figures() -> None:
    """Once the new records are committed: keep the most read funnels ahead of their first
    reader (pipeline.tasks.keep_figures, by a worker; never in the committing request)."""
    from core.tasks import enqueue

    from .tasks import keep_figures

    enqueue(keep_figures, only_apart=True)


def version() -> str:
    """The records' current version (one query)."""
    return (
        SummaryVersion.objects.filter(name=RECORDS).values_list("token", flat=True).first()
        or "none"
    )


def _la_name(la_id) -> str:
    return f"la:{la_id}"


def la_versions(la_ids) -> dict[str, str]:
    """Each LA's records version (one query): it changes, in the writer's transaction,
    whenever that LA's records do. A commit compares them with those read when its file
    was checked, to know whether what the check found (which rows are new) still holds."""
    la_ids = sorted(set(la_ids))
    found = dict(
        SummaryVersion.objects.filter(name__in=[_la_name(i) for i in la_ids]).values_list(
            "name", "token"
        )
    )
    return {str(i): found.get(_la_name(i), "none") for i in la_ids}


def new_la_versions(la_ids) -> None:
    """Change these LAs' records versions (in the transaction that writes their records)."""
    SummaryVersion.objects.bulk_create(
        [SummaryVersion(name=_la_name(i), token=uuid.uuid4().hex) for i in sorted(set(la_ids))],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["token"],
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
    new_la_versions(la_ids)
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
    month = "date_trunc('month', {})::date"
    month_columns = (
        [f"entered_{code}" for code in dates]
        + ["hashed", "unhashed"]
        + [f"reached_{code}" for code in LATER_STAGES]
        + ["exited"]
    )
    # One grouped read per stage date (the month each stage was entered), the enquiry's
    # also counting its cohort, summed by LA and month. Unpivoting every record into a row
    # per stage first (a lateral join) took three times as long on a 100,000-row import.
    cohort = [
        count("r.person_hash <> ''"),
        count("r.person_hash = ''"),
        *(count(f"r.{dates[code]} IS NOT NULL") for code in LATER_STAGES),
        count("r.outcome = 'exited'"),
    ]
    per_stage = []
    for i, (code, field) in enumerate(dates.items()):
        entered = ["0"] * len(dates)
        entered[i] = count("true")
        rest = cohort if code == StageCode.ENQUIRY else ["0"] * len(cohort)
        per_stage.append(
            f"SELECT r.local_authority_id, {month.format(f'r.{field}')} AS month, "  # noqa: S608
            + ", ".join(
                f"{value} AS {name}"
                for value, name in zip(entered + rest, month_columns, strict=True)
            )
            + f" FROM {source} WHERE {where} AND r.{field} IS NOT NULL GROUP BY 1, 2"
        )
    selects = [
        (
            RecordMonth,
            ["local_authority_id", "month"],
            month_columns,
            "SELECT local_authority_id, month, "  # noqa: S608
            + ", ".join(f"sum({name})::bigint" for name in month_columns)
            + f" FROM ({' UNION ALL '.join(per_stage)}) AS per_stage GROUP BY 1, 2",
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


def _columns() -> dict:
    """Each summary's (key columns, value columns)."""
    return {model: (keys, values) for model, keys, values, _ in _selects("r", "true", str)}


def _move(model, delta: str) -> list[str]:
    """Data-modifying CTEs adding the signed counts of CTE ``delta`` (the summary's key and
    value columns) to the summary: rows already there are updated, missing ones inserted.
    Both run in one statement on the same snapshot, so no key is written twice. A row
    that would shrink below zero fails the table's checks, and with it the transaction."""
    keys, values = _columns()[model]
    table = model._meta.db_table
    same_key = " AND ".join(
        f"coalesce(t.{k}, -1) = coalesce(d.{k}, -1)" if k in NULLABLE_KEYS else f"t.{k} = d.{k}"
        for k in keys
    )
    return [
        f"shift_{table} AS (UPDATE {table} t SET "  # noqa: S608
        + ", ".join(f"{v} = t.{v} + d.{v}" for v in values)
        + f" FROM {delta} d WHERE {same_key})",
        f"add_{table} AS (INSERT INTO {table} ({', '.join(keys + values)}) "  # noqa: S608
        f"SELECT {', '.join('d.' + c for c in keys + values)} FROM {delta} d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same_key}))",
    ]


def change_ctes(rows: str) -> list[str]:
    """PostgreSQL, inside the import's statement: CTEs that move every summary by the
    change, given CTE ``rows`` holding the changed records as they were (``sign`` -1) and
    as they are now (``sign`` 1) with the records' columns. Only the summary rows the
    change moves are written, instead of recounting every record of the LAs; rows a change
    brings to zero are removed afterwards (``drop_emptied``)."""
    _new_version()

    def signed(condition):
        return f"coalesce(sum(r.sign) FILTER (WHERE {condition}), 0)"

    parts = []
    for model, keys, values, select in _selects(f"{rows} r", "true", signed):
        table = model._meta.db_table
        names = ", ".join(keys + values)
        parts.append(
            f"delta_{table} AS (SELECT * FROM ({select}) AS d({names}) "  # noqa: S608
            f"WHERE {' OR '.join(f'd.{v} <> 0' for v in values)})"
        )
        parts += _move(model, f"delta_{table}")
    return parts


def copy_in(cursor, sql: str, text: str) -> None:
    """PostgreSQL COPY ... FROM STDIN of ``text`` on a Django cursor, its errors raised as
    Django's (a lost connection is then the page that says so, not a 500)."""
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        copy.write(text.encode())


def copy_out(cursor, sql: str) -> str:
    """PostgreSQL COPY ... TO STDOUT on a Django cursor: the text it writes."""
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        return b"".join(bytes(chunk) for chunk in copy).decode()


def new_counts(cursor, source: str) -> dict[str, str]:
    """What the records in ``source`` (rows not yet stored) will add to each summary: per
    summary, its rows (key then value columns) in COPY text format."""
    counts = {}
    for model, _, _, select in _selects(
        f"{source} r", "true", lambda c: f"count(*) FILTER (WHERE {c})"
    ):
        counts[model.__name__] = copy_out(cursor, f"COPY ({select}) TO STDOUT")
    return counts


def add_counts(cursor, counts: dict[str, str], la_ids) -> None:
    """PostgreSQL, inside a commit whose new records were counted when its file was checked
    (``new_counts``) and went in unchanged since: add those counts to the summaries (each
    copied into a temporary table, then one statement per summary), and change the
    records' versions."""
    _new_version()
    new_la_versions(la_ids)
    for model in SUMMARIES:
        rows = counts.get(model.__name__)
        if not rows:
            continue
        names = ", ".join(sum(_columns()[model], []))
        cursor.execute("DROP TABLE IF EXISTS facts_delta")
        cursor.execute(
            "CREATE TEMP TABLE facts_delta ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {model._meta.db_table} WITH NO DATA"
        )
        copy_in(cursor, f"COPY facts_delta ({names}) FROM STDIN", rows)
        cursor.execute("WITH " + ", ".join(_move(model, "facts_delta")) + " SELECT 1")
        cursor.execute("DROP TABLE facts_delta")


def drop_emptied(cursor, la_ids) -> None:
    """Remove the summary rows of these LAs that a change brought to zero (a summary holds
    no row that counts nothing, as ``compute`` gives none)."""
    for model, (_, values) in _columns().items():
        cursor.execute(
            f"DELETE FROM {model._meta.db_table} WHERE local_authority_id = ANY(%s) AND "  # noqa: S608
            + " AND ".join(f"{v} = 0" for v in values),
            [sorted(la_ids)],
        )


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
