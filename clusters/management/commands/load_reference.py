from django.core.management.base import BaseCommand

from clusters.services import load_reference_data


class Command(BaseCommand):
    help = "Load the English regions and upper-tier local authorities (idempotent)."

    def handle(self, *args, **options):
        counts = load_reference_data()
        self.stdout.write(
            f"Reference data: {counts['regions']} regions, {counts['authorities']} authorities."
        )
