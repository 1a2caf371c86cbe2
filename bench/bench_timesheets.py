"""Time to approve 1,000 entries one by one at the cap check, and the page time and query
count of the allocation and burn-up pages with two years of time for 20 consultants across
10 clusters (and the same query counts with a month of time, to show they do not grow).

    # a throwaway SQLite file:
    .venv/bin/python bench/bench_timesheets.py
    # PostgreSQL (a throwaway database: the benchmark replaces its timesheet data):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_ts_bench \
        .venv/bin/python bench/bench_timesheets.py

Each approval is a real transaction (committed), as it is when a programme manager clicks.
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_timesheets.sqlite3")
os.environ.setdefault("DJANGO_DEBUG", "false")  # as in production: no query log kept

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.signin import signed_in  # noqa: E402
from clusters.models import Cluster  # noqa: E402
from programme.models import Contract, DayRate, FinancialYearCap, Grade  # noqa: E402
from timesheets import services  # noqa: E402
from timesheets.models import Activity, Invoice, Status, StatusChange, TimeEntry  # noqa: E402

CONSULTANTS, CLUSTERS, APPROVALS = 20, 10, 1000
HISTORY = (datetime.date(2024, 4, 1), datetime.date(2026, 4, 1))  # two financial years
RATE = Decimal("800")


def prepare():
    call_command("migrate", verbosity=0)
    contract = Contract.objects.order_by("start_date").first() or Contract.objects.create(
        name="Benchmark contract",
        reference="BENCH",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2028, 3, 31),
        total_cap=Decimal("1"),
    )
    # caps with room for everything, so that every approval goes the whole way
    contract.total_cap = Decimal("50000000")
    contract.save()
    for year in range(2023, 2028):
        FinancialYearCap.objects.update_or_create(
            contract=contract, start_year=year, defaults={"amount": Decimal("10000000")}
        )
    grade, _ = Grade.objects.get_or_create(name="Benchmark grade", defaults={"order": 99})
    DayRate.objects.get_or_create(
        grade=grade, valid_from=contract.start_date, defaults={"rate": RATE}
    )
    consultants = [
        User.objects.get_or_create(
            email=f"bench-consultant-{i}@example.org",
            defaults={"role": Role.CONSULTANT, "grade": grade, "last_name": f"Bench {i:02d}"},
        )[0]
        for i in range(CONSULTANTS)
    ]
    pm, _ = User.objects.get_or_create(
        email="bench-pm@example.org", defaults={"role": Role.PROGRAMME_MANAGER, "grade": grade}
    )
    clusters = [
        Cluster.objects.get_or_create(
            slug=f"bench-{i}", defaults={"name": f"Benchmark cluster {i}", "wave": "wave_2"}
        )[0]
        for i in range(CLUSTERS)
    ]
    # a clean slate of time
    StatusChange.objects.all().delete()
    TimeEntry.objects.filter(adjusts__isnull=False).delete()
    TimeEntry.objects.all().delete()
    Invoice.objects.all().delete()
    return contract, consultants, pm, clusters


def weekdays(start, end):
    day = start
    while day < end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def entry(consultant, day, cluster, status, pm):
    return TimeEntry(
        consultant=consultant,
        date=day,
        cluster=cluster,
        requirement=["R1", "R2", "R3"][day.toordinal() % 3],
        activity=Activity.COACHING,
        days=Decimal(1),
        description="Benchmark",
        status=status,
        grade_id=consultant.grade_id,
        day_rate=RATE,
        cost=RATE,
        approved_by=pm if status == Status.APPROVED else None,
        approved_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
        if status == Status.APPROVED
        else None,
    )


def add_history(consultants, clusters, pm, start, end) -> int:
    rows = [
        entry(c, day, clusters[(i + day.toordinal()) % len(clusters)], Status.APPROVED, pm)
        for i, c in enumerate(consultants)
        for day in weekdays(start, end)
    ]
    TimeEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def measure_pages(client, runs=5) -> dict:
    pages = {
        "allocation (one financial year)": reverse("timesheets:allocation") + "?fy=2025",
        "burn-up (every cap)": reverse("timesheets:burn_up") + "?cap=2025",
        "burn-up, whole contract": reverse("timesheets:burn_up") + "?cap=total",
    }
    results = {}
    for name, url in pages.items():
        client.get(url)  # warm up
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                times.append(time.perf_counter() - started)
        results[name] = (statistics.median(times), len(queries))
    return results


def main():
    setup_test_environment()
    contract, consultants, pm, clusters = prepare()
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    client = signed_in(pm)

    few = add_history(consultants, clusters, pm, HISTORY[0], datetime.date(2024, 5, 1))
    small = measure_pages(client)
    many = few + add_history(consultants, clusters, pm, datetime.date(2024, 5, 1), HISTORY[1])
    large = measure_pages(client)
    print(f"\nPages ({CONSULTANTS} consultants, {CLUSTERS} clusters), median of 5:")
    print(f"  {'page':34} {'entries':>8} {'ms':>8} {'queries':>8}")
    for name in large:
        print(f"  {name:34} {few:>8} {small[name][0] * 1000:>8.1f} {small[name][1]:>8}")
        print(f"  {'':34} {many:>8} {large[name][0] * 1000:>8.1f} {large[name][1]:>8}")
        assert small[name][1] == large[name][1], "query count grew with the entries"

    days = list(weekdays(HISTORY[1], datetime.date(2027, 1, 1)))
    waiting = [
        entry(c, days[i], clusters[i % CLUSTERS], Status.SUBMITTED, pm)
        for i in range(APPROVALS // CONSULTANTS)
        for c in consultants
    ]
    TimeEntry.objects.bulk_create(waiting, batch_size=2000)
    ids = list(
        TimeEntry.objects.filter(status=Status.SUBMITTED)
        .order_by("date", "pk")
        .values_list("pk", flat=True)
    )
    timings, refused = [], 0
    started = time.perf_counter()
    for pk in ids:
        one = time.perf_counter()
        try:
            services.approve_entry(entry_id=pk, by=pm)
        except services.ValidationError:
            refused += 1
        timings.append(time.perf_counter() - one)
    total = time.perf_counter() - started
    last = TimeEntry.objects.filter(status=Status.APPROVED).order_by("-pk").first()
    services.return_to_draft(entry_id=last.pk, by=pm, reason="Benchmark")
    services.submit_entry(entry_id=last.pk, by=last.consultant)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        services.approve_entry(entry_id=last.pk, by=pm)
    per_approval = len(queries)
    timings.sort()
    print(
        f"\nApproving {len(ids)} entries one by one at the cap check, with "
        f"{TimeEntry.objects.filter(status=Status.APPROVED).count() - len(ids)} approved "
        "entries already counting against the caps:"
    )
    print(f"  total {total:.2f} s, {len(ids) / total:.0f} approvals a second, refused {refused}")
    print(
        f"  per approval: median {statistics.median(timings) * 1000:.1f} ms, "
        f"95th percentile {timings[int(0.95 * len(timings))] * 1000:.1f} ms, "
        f"{per_approval} queries"
    )


if __name__ == "__main__":
    main()
