"""The hub evaluation on the national data set (issue 19): how long the projections of every
cluster and the hub-effect estimates take to work out (in the background, once per change
of the data), and how long their pages take once kept.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \\
        .venv/bin/python bench/bench_evaluation.py
"""

import datetime
import os
import resource
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
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.signin import bench_manager, signed_in  # noqa: E402
from clusters.models import Cluster  # noqa: E402
from pipeline.evaluation import for_month  # noqa: E402
from pipeline.models import MonthlyReturn, PipelineRecord, PublishedFigure  # noqa: E402
from pipeline.projection import cluster_projections  # noqa: E402

RUNS = 3


def _synthetic_published() -> None:
    """Published figures for every LA, years ending March 2016 to 2025 (a bench database
    only): what the national statistics would give the annual estimate to rest on."""
    import numpy as np

    from clusters.models import LocalAuthority
    from pipeline.models import PublishedLoad

    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).order_by("pk").first()
    load = PublishedLoad.objects.create(
        source="Synthetic (bench)", filename="bench.csv", sha256="b" * 64, loaded_by=pm
    )
    rng = np.random.default_rng(1)
    rows = []
    for la in LocalAuthority.objects.all():
        base = rng.normal(300, 60)
        for year in range(2016, 2026):
            n = max(0, round(base + 8 * (year - 2016) + rng.normal(0, 12)))
            rows.append(
                PublishedFigure(
                    local_authority=la,
                    year_ending=datetime.date(year, 3, 31),
                    initial_enquiries=n,
                    applications=round(n * 0.07),
                    approvals=round(n * 0.03),
                    load=load,
                )
            )
    PublishedFigure.objects.filter(local_authority__isnull=False).delete()
    PublishedFigure.objects.bulk_create(rows)
    print(f"Synthetic published figures: {len(rows):,} (153 LAs x 10 years)")


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    print(
        f"Data: {PipelineRecord.objects.count():,} records, {MonthlyReturn.objects.count():,} "
        f"returns, {Cluster.objects.count()} clusters, {PublishedFigure.objects.count():,} "
        "published figures"
    )
    if PublishedFigure.objects.count() < 1000:
        _synthetic_published()
    today = timezone.localdate()
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        result = cluster_projections(today)
        times.append(time.perf_counter() - t)
    people = sum(r["year"].people for r in result["clusters"])
    effect = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for_month(today.replace(day=1).isoformat())
        effect.append(time.perf_counter() - t)
    print(
        f"Hub effect, every outcome, annual and monthly (background work): median {statistics.median(effect):.2f} s"
    )
    print(
        f"Projections, every cluster (background work): median {statistics.median(times):.2f} s "
        f"of {RUNS}; {people:,} people in pipelines; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    user = bench_manager()
    client = signed_in(user)
    for label, url in (
        ("Where will the year end?", "/pipeline/projections/"),
        ("Are the hubs working?", "/pipeline/hub-effect/"),
    ):
        cache.clear()
        t = time.perf_counter()
        response = client.get(url)  # the embedded default works it out here; else queued
        first = time.perf_counter() - t
        assert response.status_code == 200, response.status_code
        kept = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                client.get(url)
                kept.append(time.perf_counter() - t)
        print(
            f"{label:<26} first look {1000 * first:7.0f} ms   kept {1000 * statistics.median(kept):5.0f} ms "
            f"{len(queries):3d} queries"
        )


if __name__ == "__main__":
    main()
