"""Import throughput of a 100,000-row export on PostgreSQL: validation and commit
separately, against PostgreSQL's own COPY of the same rows into a plain table (the limit)
and into a copy of the records table with its indexes and LA foreign key (the floor for
any way of adding rows to that table).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench MEDIA_ROOT=/tmp/bench-media \\
        .venv/bin/python bench/bench_pipeline_import.py [rows] [rounds]

Runs against a migrated database (it adds reference data if missing), ideally holding the
national data set (`manage.py seed_national`). The records table is VACUUM ANALYZEd first
(dead rows left by earlier runs slowed every write), then each round, on the same
references so that every round meets the same table: validate the export, COPY its
staged rows into a plain table and into the indexed copy, commit it (all new), validate
+ commit it again (nothing changes), validate + commit a newer export changing 10% of
the records; then the records it added are deleted and the table vacuumed. Medians of
the rounds are printed.
The machine's other work makes single timings noisy: compare figures from one run.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("MEDIA_ROOT", "/tmp/bench-pipeline-media")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402

from bench.signin import bench_manager  # noqa: E402
from clusters.models import LocalAuthority  # noqa: E402
from clusters.services import load_reference_data  # noqa: E402
from pipeline import example_profiles  # noqa: E402
from pipeline.exportgen import carefirst_csv, synthetic_records  # noqa: E402
from pipeline.facts import SUMMARIES  # noqa: E402
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord  # noqa: E402
from pipeline.services.records import (  # noqa: E402
    RECORD_COLUMNS,
    commit_batch,
    delete_records,
    load_staged,
    validate_batch,
)

TABLE = PipelineRecord._meta.db_table
PREFIX = "B"  # the benchmark's references; every record starting with it is deleted


def vacuum(table: str = TABLE) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t, result


def copy(table: str, payload: bytes) -> None:
    """COPY rows in their own transaction (as a commit is one)."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        with cursor.cursor.copy(f"COPY {table} FROM STDIN") as c:
            c.write(payload)
        cursor.execute("COMMIT")


STATEMENTS: dict[str, list] = {}


def slow_statements(execute, sql, params, many, context):
    """With BENCH_STATEMENTS set: each statement of the commit and its time, to see where
    the commit's time goes (printed at the end, slowest first)."""
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        if os.environ.get("BENCH_STATEMENTS"):
            STATEMENTS.setdefault(" ".join(sql.split())[:110], []).append(
                time.perf_counter() - started
            )


def main(n: int, rounds: int) -> None:
    assert connection.vendor == "postgresql", "run against PostgreSQL (set DATABASE_URL)"
    if not LocalAuthority.objects.exists():
        load_reference_data()
    profile = example_profiles.load()[0]
    user = bench_manager()
    authorities = list(LocalAuthority.objects.order_by("pk"))
    end = datetime.date.today() - datetime.timedelta(days=1)
    records = list(
        synthetic_records(
            authorities,
            n,
            start=end - datetime.timedelta(days=700),
            end=end,
            seed=99,
            prefix=PREFIX,
        )
    )
    data = carefirst_csv(records)
    tenth = n // 10
    newer_data = carefirst_csv(
        [dict(r, postcode="ZZ1 1ZZ") if i < tenth else r for i, r in enumerate(records)]
    )
    columns = ", ".join(RECORD_COLUMNS + ["batch_id"])

    def batch(payload):
        b = ImportBatch(
            profile=profile,
            uploaded_by=user,
            filename="bench.csv",
            size=len(payload),
            sha256="0" * 64,
        )
        b.upload.save("bench.csv", ContentFile(payload), save=False)
        b.save()
        return b

    def clean():
        delete_records(PipelineRecord.objects.filter(la_reference__startswith=PREFIX))
        ImportBatch.objects.filter(filename="bench.csv").delete()
        vacuum()
        # the summaries too: each round rewrites thousands of their rows, and the dead ones
        # left by earlier runs slowed every later update of them threefold
        for model in SUMMARIES:
            vacuum(model._meta.db_table)

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{TABLE}')) FROM {TABLE}"
        )
        stored, size = cursor.fetchone()
    print(f"Export: {n:,} rows, {len(data) / 1_048_576:.1f} MB (CareFirst-style CSV, Windows-1252)")
    print(f"Records table: {stored:,} records, {size} before VACUUM ANALYZE")
    clean()

    # The indexed copy: the records table's columns, indexes, checks and LA foreign key,
    # holding the same records, so that COPY into it meets the same index sizes.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_indexed")
        cursor.execute(f"CREATE TABLE bench_copy_indexed (LIKE {TABLE} INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_copy_indexed ADD FOREIGN KEY (local_authority_id) "
            "REFERENCES clusters_localauthority (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"INSERT INTO bench_copy_indexed SELECT * FROM {TABLE}")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('bench_copy_indexed', 'id'), "
            "(SELECT max(id) FROM bench_copy_indexed))"
        )
    vacuum("bench_copy_indexed")

    times = {k: [] for k in ("copy", "copy_indexed", "validate", "commit", "recommit", "newer")}
    try:
        for r in range(rounds):
            staged = None
            first = batch(data)
            d, first = timed(validate_batch, batch_id=first.pk)
            times["validate"].append(d)
            assert first.status == BatchStatus.VALIDATED, first.errors[:5]
            staged = load_staged(first).encode()  # the same rows for the COPYs

            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_copy")
                cursor.execute(
                    f"CREATE TABLE bench_copy AS SELECT {columns} FROM {TABLE} WITH NO DATA"
                )
            times["copy"].append(timed(copy, f"bench_copy ({columns})", staged)[0])
            with_updated_at = staged.replace(b"\n", b"\t2026-01-01 00:00+00\n")
            times["copy_indexed"].append(
                timed(copy, f"bench_copy_indexed ({columns}, updated_at)", with_updated_at)[0]
            )
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE bench_copy")
                cursor.execute(
                    f"DELETE FROM bench_copy_indexed WHERE la_reference LIKE '{PREFIX}%%'"
                )
            vacuum("bench_copy_indexed")

            with connection.execute_wrapper(slow_statements):
                d, first = timed(commit_batch, batch=first, user=user)
            times["commit"].append(d)
            assert first.new_count == n, (first.new_count, first.changed_count)

            again = validate_batch(batch_id=batch(data).pk)
            d, again = timed(commit_batch, batch=again, user=user)
            times["recommit"].append(d)
            assert (again.new_count, again.changed_count) == (0, 0)

            newer = validate_batch(batch_id=batch(newer_data).pk)
            d, newer = timed(commit_batch, batch=newer, user=user)
            times["newer"].append(d)
            assert (newer.new_count, newer.changed_count) == (0, tenth)
            clean()
            print(
                f"  round {r + 1}: validate {times['validate'][-1]:.2f} s, commit {times['commit'][-1]:.2f} s, "
                f"COPY {times['copy'][-1]:.2f} s, COPY indexed {times['copy_indexed'][-1]:.2f} s",
                flush=True,
            )
    finally:
        delete_records(PipelineRecord.objects.filter(la_reference__startswith=PREFIX))
        ImportBatch.objects.filter(filename="bench.csv").delete()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            cursor.execute("DROP TABLE IF EXISTS bench_copy_indexed")
        vacuum()

    m = {k: statistics.median(v) for k, v in times.items()}
    print(f"Medians of {rounds} rounds (records table VACUUM ANALYZEd first and between rounds):")
    print(
        f"Validation (parse, check, hash, diff, stage):   {m['validate']:6.2f} s  {n / m['validate']:>9,.0f} rows/s"
    )
    print(
        f"Commit ({n:,} new records):                   {m['commit']:6.2f} s  {n / m['commit']:>9,.0f} rows/s"
    )
    print(f"Re-commit of the same file (0 new, 0 changed):  {m['recommit']:6.2f} s")
    print(f"Commit of a newer export ({tenth:,} changed):       {m['newer']:6.2f} s")
    print(
        f"COPY into a plain table (the limit):            {m['copy']:6.2f} s  {n / m['copy']:>9,.0f} rows/s"
    )
    print(
        f"COPY into the indexed copy (the floor):         {m['copy_indexed']:6.2f} s  {n / m['copy_indexed']:>9,.0f} rows/s"
    )
    print(
        f"Commit / COPY: {m['commit'] / m['copy']:.1f}x (a plain table has none of the records' indexes or key)"
    )
    print(
        f"COPY indexed / COPY: {m['copy_indexed'] / m['copy']:.1f}x; commit / COPY indexed: {m['commit'] / m['copy_indexed']:.2f}x (target: within 1.5x)"
    )
    print(f"Validation / COPY: {m['validate'] / m['copy']:.1f}x")
    if STATEMENTS:
        print("Statements of the commit (BENCH_STATEMENTS), median over the rounds:")
        ranked = sorted(STATEMENTS.items(), key=lambda kv: -statistics.median(kv[1]))
        for sql, spent in ranked[:12]:
            print(f"  {statistics.median(spent):6.3f} s  {sql}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
