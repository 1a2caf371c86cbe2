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
from pipeline.models import MonthlyReturn, PipelineRecord  # noqa: E402

RUNS = 5


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


if __name__ == "__main__":
    main()
