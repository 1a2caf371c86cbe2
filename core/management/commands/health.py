"""`manage.py health`: the health page's checks for a process manager probing a worker or
the scheduler, which serve no page: exit 0 when all is well, 1 otherwise."""

from django.core.management.base import BaseCommand

from core.health import checks, healthy


class Command(BaseCommand):
    help = "Check the database, the broker and the worker's heartbeat; exit 1 if one fails."

    def handle(self, *args, **options):
        result = checks()
        for part, state in result.items():
            self.stdout.write(f"{part}: {state}")
        if not healthy(result):
            raise SystemExit(1)
