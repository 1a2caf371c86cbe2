from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from clusters import demo as clusters_demo
from clusters.services import load_reference_data
from programme import demo as programme_demo


class Command(BaseCommand):
    help = "Build the demo programme (idempotent: a second run changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        load_reference_data()
        programme_demo.seed()
        clusters = clusters_demo.seed()
        users = accounts_demo.seed()
        self.stdout.write(f"Demo programme: {len(clusters)} clusters, {len(users)} demo users.")
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with password 'fostering-demo' as:")
        for user in users:
            self.stdout.write(f"  {user.email:<32} {user.get_role_display()}")
