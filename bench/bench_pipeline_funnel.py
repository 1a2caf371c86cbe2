"""Funnel page time and query count for England, a cluster and an LA on the national data
set (run `manage.py seed_national` first, and `seed_demo` for the clusters).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_pipeline_bench \
        .venv/bin/python bench/bench_pipeline_funnel.py
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.signin import bench_manager, signed_in  # noqa: E402
from clusters.models import Cluster, LocalAuthority  # noqa: E402
from pipeline.models import MonthlyReturn, PipelineRecord, RecordMonth  # noqa: E402
from pipeline.services.records import RECORD_COLUMNS  # noqa: E402

RUNS = 5

# The sums of the summary rows a funnel for all of England over a period needs, written by
# hand (no ORM, no Python beyond running them): the floor for that page's figures.
BARE_SQL = [
    "SELECT "
    + ", ".join(
        f"sum({f.column})"
        for f in RecordMonth._meta.concrete_fields
        if f.column not in ("id", "local_authority_id", "month")
    )
    + " FROM pipeline_recordmonth WHERE month BETWEEN %s AND %s",
    "SELECT stage_id, reason_id, sum(n) FROM pipeline_recordexitmonth "
    "WHERE month BETWEEN %s AND %s GROUP BY 1, 2",
    "SELECT channel_id, sum(enquiries), sum(applied) FROM pipeline_recordchannelmonth "
    "WHERE month BETWEEN %s AND %s GROUP BY 1",
    "SELECT measure, days, sum(n) FROM pipeline_recordduration "
    "WHERE month BETWEEN %s AND %s GROUP BY 1, 2",
    "SELECT c.stage_id, sum(c.count) FROM pipeline_returnstagecount c "
    "JOIN pipeline_monthlyreturn r ON r.id = c.monthly_return_id "
    "WHERE r.month BETWEEN %s AND %s AND r.status = 'accepted' GROUP BY 1",
]


def after_an_import(client, url: str, la, day: datetime.date) -> float:
    """Median seconds of the first read of ``url`` after an import of one record, once the
    worker has kept the most read funnels (as it does after every change of records): the
    charts are drawn again (their figures changed), the people are not counted again."""
    from pipeline.services.records import delete_records, upsert_records
    from pipeline.tasks import keep_figures

    spent = []
    for i in range(RUNS):
        row = dict.fromkeys(RECORD_COLUMNS)
        row.update(
            local_authority_id=la.pk,
            la_reference=f"BENCH-FUNNEL-{i}",
            enquiry_date=day.isoformat(),
            outcome="open",
            person_hash="",
        )
        upsert_records([row], batch_id=None)
        keep_figures()
        t = time.perf_counter()
        client.get(url)
        spent.append(time.perf_counter() - t)
    # removed at the end, not each time: every import above leaves figures never seen before
    delete_records(PipelineRecord.objects.filter(la_reference__startswith="BENCH-FUNNEL-"))
    return statistics.median(spent)


def bare_sql(first: datetime.date, last: datetime.date) -> float:
    """Median seconds of running every BARE_SQL statement for the months first..last."""
    spent = []
    with connection.cursor() as cursor:
        for _ in range(RUNS + 1):
            t = time.perf_counter()
            for sql in BARE_SQL:
                cursor.execute(sql, [first, last])
                cursor.fetchall()
            spent.append(time.perf_counter() - t)
    return statistics.median(spent[1:])


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    user = bench_manager()
    client = signed_in(user)
    print(
        f"Data: {PipelineRecord.objects.count():,} records, {MonthlyReturn.objects.count():,} returns"
    )
    cluster = Cluster.objects.order_by("pk").first()
    la = LocalAuthority.objects.get(name="Sunderland")
    today = datetime.date.today()
    fy = today.year if today.month >= 4 else today.year - 1
    scopes = [("England", "england")]
    if cluster:
        scopes.append((f"Cluster ({cluster.name})", f"cluster:{cluster.pk}"))
    scopes.append((f"LA ({la.name})", f"la:{la.pk}"))
    for period in (f"fy:{fy - 1}-04", f"month:{today.year}-{today.month:02d}"):
        for label, scope in scopes:
            url = f"/pipeline/?scope={scope}&period={period}"
            client.get(url)  # warm
            computed, kept = [], []
            for _ in range(RUNS):
                # computed: nothing kept in the cache (the first reader after a change)
                cache.clear()
                with CaptureQueriesContext(connection) as queries:
                    t = time.perf_counter()
                    response = client.get(url)
                    computed.append(time.perf_counter() - t)
                assert response.status_code == 200
                # kept: every later reader until the figures change
                with CaptureQueriesContext(connection) as kept_queries:
                    t = time.perf_counter()
                    client.get(url)
                    kept.append(time.perf_counter() - t)
            print(
                f"{label:<28} {period:<16} computed {1000 * statistics.median(computed):6.0f} ms "
                f"{len(queries):3d} queries   kept {1000 * statistics.median(kept):5.0f} ms "
                f"{len(kept_queries):3d} queries"
            )
            if scope == "england":
                # a record dated inside the period, so that its figures and charts change
                day = datetime.date(fy - 1, 5, 1) if period.startswith("fy:") else today
                after = after_an_import(client, url, la, day)
                print(
                    f"{'':<28} {'':<16} first reader after an import, its funnels kept by the "
                    f"worker (pipeline.keep_figures): {1000 * after:5.0f} ms"
                )
            if scope == "england" and period.startswith("fy:"):
                first = datetime.date(fy - 1, 4, 1)
                bare = bare_sql(first, datetime.date(fy, 3, 1))
                print(
                    f"{'':<28} {'':<16} bare SQL summing its summary rows {1000 * bare:5.1f} ms: "
                    f"kept page / bare SQL {statistics.median(kept) / bare:.1f}x (target: within 3x; "
                    f"page under 150 ms)"
                )


if __name__ == "__main__":
    main()
