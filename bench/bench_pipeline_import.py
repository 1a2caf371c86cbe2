"""Import throughput of a 100,000-row export on PostgreSQL: validation and commit
separately, against PostgreSQL's own COPY of the same rows into a plain table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_pipeline_bench \
        .venv/bin/python bench/bench_pipeline_import.py [rows]

Runs against a migrated database (it adds reference data if missing); the records it
imports are deleted at the end.
"""

import datetime
import os
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

from accounts.models import Role, User  # noqa: E402
from clusters.models import LocalAuthority  # noqa: E402
from clusters.services import load_reference_data  # noqa: E402
from pipeline import example_profiles  # noqa: E402
from pipeline.exportgen import carefirst_csv, synthetic_records  # noqa: E402
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord  # noqa: E402
from pipeline.services.records import (  # noqa: E402
    RECORD_COLUMNS,
    commit_batch,
    load_staged,
    validate_batch,
)


def main(n: int) -> None:
    assert connection.vendor == "postgresql", "run against PostgreSQL (set DATABASE_URL)"
    if not LocalAuthority.objects.exists():
        load_reference_data()
    profile = example_profiles.load()[0]
    user, _ = User.objects.get_or_create(
        email="bench-pm@example.org",
        defaults={
            "role": Role.PROGRAMME_MANAGER,
            "bpss_date": datetime.date.today(),
            "data_protection_training_date": datetime.date.today(),
        },
    )
    authorities = list(LocalAuthority.objects.order_by("pk"))
    end = datetime.date.today() - datetime.timedelta(days=1)
    records = list(
        synthetic_records(authorities, n, start=end - datetime.timedelta(days=700), end=end, seed=99, prefix="B")
    )
    data = carefirst_csv(records)
    print(f"Export: {n:,} rows, {len(data) / 1_048_576:.1f} MB (CareFirst-style CSV, Windows-1252)")

    def batch():
        b = ImportBatch(profile=profile, uploaded_by=user, filename="bench.csv", size=len(data), sha256="0" * 64)
        b.upload.save("bench.csv", ContentFile(data), save=False)
        b.save()
        return b

    try:
        first = batch()
        t = time.perf_counter()
        first = validate_batch(batch_id=first.pk)
        validation = time.perf_counter() - t
        assert first.status == BatchStatus.VALIDATED, first.errors[:5]
        staged = load_staged(first)  # for the COPY comparison below

        t = time.perf_counter()
        first = commit_batch(batch=first, user=user)
        commit = time.perf_counter() - t
        assert first.new_count == n

        again = validate_batch(batch_id=batch().pk)
        t = time.perf_counter()
        again = commit_batch(batch=again, user=user)
        recommit = time.perf_counter() - t
        assert (again.new_count, again.changed_count) == (0, 0)

        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            cursor.execute(
                "CREATE TABLE bench_copy (local_authority_id bigint, la_reference varchar(60), "
                + ", ".join(f"{c} date" for c in RECORD_COLUMNS[2:9])
                + ", source_channel_id bigint, outcome varchar(10), exit_stage_id bigint, "
                "exit_reason_id bigint, exit_date date, person_hash varchar(64), batch_id bigint)"
            )
            payload = staged.encode()
            t = time.perf_counter()
            with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
                copy.write(payload)
            connection.commit() if not connection.get_autocommit() else None
            copy_time = time.perf_counter() - t
            cursor.execute("DROP TABLE bench_copy")
    finally:
        PipelineRecord.objects.filter(la_reference__startswith="B").delete()
        ImportBatch.objects.filter(filename="bench.csv").delete()

    print(f"Validation (parse, check, hash, diff, stage): {validation:6.2f} s  {n / validation:>9,.0f} rows/s")
    print(f"Commit (upsert of {n:,} new records):       {commit:6.2f} s  {n / commit:>9,.0f} rows/s")
    print(f"Re-commit of the same file (0 new, 0 changed): {recommit:6.2f} s")
    print(f"PostgreSQL COPY into a plain table:          {copy_time:6.2f} s  {n / copy_time:>9,.0f} rows/s")
    print(f"Commit / COPY: {commit / copy_time:.1f}x (target: within 5x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
