"""Rebuild the pipeline summaries from the case records and report any difference found.

The summaries are kept in step by every write of records; a difference means something
wrote records another way (raw SQL, a restore) and is worth investigating."""

from django.core.management.base import BaseCommand

from pipeline import facts


class Command(BaseCommand):
    help = "Rebuild the pipeline's summary tables from the case records; report differences."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare; change nothing, exit 1 if any summary differs.",
        )

    def handle(self, *args, check=False, **options):
        found = facts.differences() if check else facts.rebuild()
        for name, n in found.items():
            self.stdout.write(f"{name}: {n} row{'s' if n != 1 else ''} differed")
        total = sum(found.values())
        if not total:
            self.stdout.write(self.style.SUCCESS("The summaries agree with the records."))
        elif check:
            self.stderr.write(f"{total} summary rows differ from the records.")
            raise SystemExit(1)
        else:
            self.stdout.write(self.style.WARNING(f"Rebuilt: {total} rows had differed."))
