"""A national-scale pipeline data set for benchmarks: every upper-tier LA, 24 months of
returns and about 300,000 case records with the national drop-off."""

import datetime
import time
from itertools import islice
from types import SimpleNamespace

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clusters.models import LocalAuthority
from clusters.services import load_reference_data
from pipeline import facts
from pipeline.demo import make_returns
from pipeline.exportgen import as_record_rows, synthetic_records
from pipeline.lists import load as load_lists
from pipeline.models import MonthlyReturn
from pipeline.scope import add_months, month_start
from pipeline.services.records import upsert_records

CHUNK = 50_000


class Command(BaseCommand):
    help = "Generate national-scale pipeline data (idempotent: records are upserted)."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=300_000)
        parser.add_argument("--months", type=int, default=24)

    def handle(self, *args, records, months, **options):
        started = time.monotonic()
        if not LocalAuthority.objects.exists():
            load_reference_data()
        load_lists()
        today = timezone.localdate()
        authorities = list(LocalAuthority.objects.order_by("pk"))
        with_returns = set(
            MonthlyReturn.objects.values_list("local_authority_id", flat=True).distinct()
        )
        missing = [
            SimpleNamespace(local_authority=la, cluster_id=None)
            for la in authorities
            if la.pk not in with_returns
        ]
        with transaction.atomic():
            made = make_returns(missing, today, months=months)
        self.stdout.write(
            f"Returns: {made} made for {len(missing)} LAs ({time.monotonic() - started:.1f}s)."
        )

        end = today - datetime.timedelta(days=1)
        start = add_months(month_start(end), -months)
        generator = synthetic_records(
            authorities,
            records,
            start=start,
            end=end,
            seed=2024,
            people=int(records * 0.9),
            prefix="N",
        )
        done = 0
        # one transaction, summarised once at the end: the funnels never see records
        # without their summaries, and each chunk does not summarise the nation again
        with transaction.atomic():
            while chunk := list(islice(generator, CHUNK)):
                upsert_records(as_record_rows(chunk), batch_id=None, summarise=False)
                done += len(chunk)
                self.stdout.write(f"Records: {done:,} ({time.monotonic() - started:.1f}s)")
            facts.rebuild()
        self.stdout.write(f"Summaries rebuilt ({time.monotonic() - started:.1f}s)")
        self.stdout.write(
            self.style.SUCCESS(f"National data set ready in {time.monotonic() - started:.0f}s.")
        )
