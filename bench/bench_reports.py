"""Time and peak memory to generate a month's report (gather, charts, web page, PDF and
XLSX) for 10 clusters, and the queries gathering uses with few and with many records.

    # embedded default (a throwaway SQLite file, demo data, 10 clusters):
    .venv/bin/python bench/bench_reports.py
    # on PostgreSQL with the pipeline's national data set (about 300,000 case records):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_reports_bench \
        .venv/bin/python bench/bench_reports.py --national 300000

It migrates the database, seeds the demo if there are no clusters, runs the pipeline's
`seed_national` when asked and no case records exist, and tops the clusters up to 10 from
LAs in no cluster. Whatever it adds to measure "many records" is rolled back.
"""

import argparse
import datetime
import logging
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_reports.sqlite3")

import django  # noqa: E402

django.setup()

from bench.signin import signed_in  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("reports").setLevel(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from clusters.models import Cluster, ClusterMembership, LocalAuthority, ProgressUpdate  # noqa: E402
from programme.models import Kpi, KpiValue, Milestone  # noqa: E402
from reports import services  # noqa: E402
from reports.gather import gather_monthly, gather_quarterly  # noqa: E402
from reports.models import Report  # noqa: E402
from reports.periods import add_months  # noqa: E402


class Rollback(Exception):
    pass


def prepare(national: int) -> None:
    call_command("migrate", verbosity=0)
    if not Cluster.objects.exists():
        call_command("seed_demo", verbosity=0)
    if national:
        from pipeline.models import PipelineRecord

        # the demo adds a few thousand records of its own; top up to the national set
        if PipelineRecord.objects.count() < national // 2:
            call_command("seed_national", records=national, verbosity=0)
    taken = ClusterMembership.objects.filter(left_on__isnull=True).values("local_authority")
    free = list(LocalAuthority.objects.exclude(pk__in=taken).order_by("name"))
    n = Cluster.objects.count()
    while n < 10 and len(free) >= 6:
        members, free = free[:6], free[6:]
        cluster = Cluster.objects.create(
            name=f"Benchmark cluster {n + 1}",
            slug=f"bench-{n + 1}",
            wave="wave_2",
            lead_la=members[0],
        )
        for la in members:
            ClusterMembership.objects.create(
                cluster=cluster, local_authority=la, joined_on=datetime.date(2024, 1, 1)
            )
        n += 1


def generate(month: datetime.date, pm) -> dict:
    """One report end to end, as the task and the three downloads do it."""
    figures = {}
    started = time.perf_counter()
    Report.objects.filter(kind="monthly", period_start=month).delete()
    report = Report.objects.create(kind="monthly", period_start=month, requested_by=pm)
    with CaptureQueriesContext(connection) as queries:
        services.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "draft", report.error
    figures["build (gather + charts + store)"] = time.perf_counter() - started
    figures["build queries"] = len(queries)
    client = signed_in(pm)
    for name in ("detail", "pdf", "xlsx"):
        t = time.perf_counter()
        response = client.get(reverse(f"reports:{name}", args=[report.pk]))
        assert response.status_code == 200
        figures[f"{name} render"] = time.perf_counter() - t
        figures[f"{name} bytes"] = len(response.content)
    figures["snapshot bytes"] = len(services.canonical_json(report.snapshot))
    figures["total"] = time.perf_counter() - started
    # issued: the PDF and XLSX are rendered once, at issue, and every download after that
    # sends the stored file (median of 5 downloads each; a 304 for a copy already held)
    services.save_summary(report_id=report.pk, summary="Benchmark summary.", user=pm)
    services.issue_report(report_id=report.pk, user=pm)
    for name in ("pdf", "xlsx"):
        url = reverse(f"reports:{name}", args=[report.pk])
        etag = client.get(url)["ETag"]
        spent, unchanged = [], []
        for _ in range(5):
            t = time.perf_counter()
            assert client.get(url).status_code == 200
            spent.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
            unchanged.append(time.perf_counter() - t)
        figures[f"issued {name} download"] = sorted(spent)[2]
        figures[f"issued {name} download, 304"] = sorted(unchanged)[2]
    report.delete()
    return figures


def many_records() -> None:
    """Ten years of progress updates, 200 milestones a cluster, KPI values for 40 quarters."""
    clusters = list(Cluster.objects.all())
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(cluster=c, month=datetime.date(y, m, 1), rating="amber", progress="x")
            for c in clusters
            for y in range(2010, 2020)
            for m in range(1, 13)
        ],
        ignore_conflicts=True,
    )
    Milestone.objects.bulk_create(
        [
            Milestone(
                cluster=c,
                title=f"Bench {i}",
                baseline_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i * 7),
                forecast_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i * 9),
            )
            for c in clusters
            for i in range(200)
        ]
    )
    kpi = Kpi.objects.create(name="Bench KPI", definition="x", unit="count", target=10)
    KpiValue.objects.bulk_create(
        [
            KpiValue(
                kpi=kpi,
                cluster=c,
                quarter_start=add_months(datetime.date(2015, 1, 1), 3 * q),
                value=q,
            )
            for c in [None, *clusters]
            for q in range(40)
        ]
    )


def query_counts(month: datetime.date) -> tuple[int, int, int]:
    def count():
        with CaptureQueriesContext(connection) as q:
            gather_monthly(month)
            gather_quarterly(month)
        return len(q)

    few = count()
    many = None
    records = 0
    try:
        with transaction.atomic():
            before = (
                ProgressUpdate.objects.count()
                + Milestone.objects.count()
                + KpiValue.objects.count()
            )
            many_records()
            records = (
                ProgressUpdate.objects.count()
                + Milestone.objects.count()
                + KpiValue.objects.count()
                - before
            )
            many = count()
            raise Rollback
    except Rollback:
        pass
    return few, many, records


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--national", type=int, default=0, help="case records the national set should hold"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    prepare(args.national)
    from pipeline.models import MonthlyReturn, PipelineRecord

    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).first()
    month = add_months(timezone.localdate().replace(day=1), -1)
    print(
        f"database: {connection.vendor}; clusters: {Cluster.objects.count()}; "
        f"pipeline returns: {MonthlyReturn.objects.count():,}; case records: {PipelineRecord.objects.count():,}"
    )
    print(f"report month: {month:%B %Y}")
    generate(month, pm)  # warm up (imports, fonts)
    runs = [generate(month, pm) for _ in range(args.runs)]
    # memory in a run of its own: tracemalloc slows Python several times over
    tracemalloc.start()
    generate(month, pm)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    for key in runs[0]:
        values = sorted(r[key] for r in runs)
        median = values[len(values) // 2]
        unit = "s" if isinstance(median, float) and "bytes" not in key and "MiB" not in key else ""
        print(
            f"  {key:<34} median {median:,.3f}{unit}"
            if isinstance(median, float)
            else f"  {key:<34} {median:,}"
        )
    print(f"  {'peak memory (tracemalloc)':<34} {peak:,.1f} MiB")
    import resource  # the process's peak resident memory: what a worker needs

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'peak resident memory (whole run)':<34} {rss:,.1f} MiB")
    few, many, added = query_counts(month)
    print(
        f"gather (monthly + quarterly) queries: {few} with the data present, {many} after adding {added:,} records"
    )


if __name__ == "__main__":
    main()
