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


def _insert_computed(la_ids: list[int]) -> None:
    """PostgreSQL: the rows ``compute`` builds, written by INSERT ... SELECT in four
    statements, one scan of the LAs' records each: building them as objects took twice as
    long as computing them. tests/pipeline/test_facts.py checks both against the records."""
    records = PipelineRecord._meta.db_table
    dates = PipelineRecord.DATE_FIELDS
    stages = ", ".join(f"('{code}', r.{field})" for code, field in dates.items())
    enquiry = "v.s = 'enquiry'"
    entered = [f"count(*) FILTER (WHERE v.s = '{code}')" for code in dates]
    reached = [
        f"count(*) FILTER (WHERE {enquiry} AND r.{dates[code]} IS NOT NULL)"
        for code in LATER_STAGES
    ]
    month_columns = (
        [f"entered_{code}" for code in dates]
        + ["hashed", "unhashed"]
        + [f"reached_{code}" for code in LATER_STAGES]
        + ["exited"]
    )
    month_values = (
        entered
        + [
            f"count(*) FILTER (WHERE {enquiry} AND r.person_hash <> '')",
            f"count(*) FILTER (WHERE {enquiry} AND r.person_hash = '')",
        ]
        + reached
        + [f"count(*) FILTER (WHERE {enquiry} AND r.outcome = 'exited')"]
    )
    month = "date_trunc('month', {})::date"
    statements = [
        f"INSERT INTO {RecordMonth._meta.db_table} (local_authority_id, month, "  # noqa: S608
        f"{', '.join(month_columns)}) "
        f"SELECT r.local_authority_id, {month.format('v.d')}, {', '.join(month_values)} "
        f"FROM {records} r CROSS JOIN LATERAL (VALUES {stages}) AS v(s, d) "
        "WHERE r.local_authority_id = ANY(%s) AND v.d IS NOT NULL GROUP BY 1, 2",
        f"INSERT INTO {RecordExitMonth._meta.db_table} "  # noqa: S608
        "(local_authority_id, month, stage_id, reason_id, n) "
        f"SELECT local_authority_id, {month.format('exit_date')}, exit_stage_id, "
        f"exit_reason_id, count(*) FROM {records} WHERE local_authority_id = ANY(%s) "
        "AND exit_date IS NOT NULL AND exit_stage_id IS NOT NULL GROUP BY 1, 2, 3, 4",
        f"INSERT INTO {RecordChannelMonth._meta.db_table} "  # noqa: S608
        "(local_authority_id, month, channel_id, enquiries, applied) "
        f"SELECT local_authority_id, {month.format('enquiry_date')}, source_channel_id, "
        "count(*), count(*) FILTER (WHERE application_date IS NOT NULL) "
        f"FROM {records} WHERE local_authority_id = ANY(%s) GROUP BY 1, 2, 3",
    ]
    for measure, (a, b) in RecordDuration.PAIRS.items():
        statements.append(
            f"INSERT INTO {RecordDuration._meta.db_table} "  # noqa: S608
            "(local_authority_id, month, measure, days, n) "
            f"SELECT local_authority_id, {month.format(b)}, '{measure}', {b} - {a}, count(*) "
            f"FROM {records} WHERE local_authority_id = ANY(%s) "
            f"AND {a} IS NOT NULL AND {b} IS NOT NULL GROUP BY 1, 2, 4"
        )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [la_ids])


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
