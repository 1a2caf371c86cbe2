from django.core.management.base import BaseCommand
from django.db import transaction

from clusters.services import load_reference_data
from core.areas import area_modules


class Command(BaseCommand):
    help = "Build the demo programme (idempotent: a second run changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        load_reference_data()
        # each area seeds its own data, in the order of AREAS: later areas build on earlier
        for module in area_modules("demo"):
            module.seed()
            self.stdout.write(f"Demo data: {module.__name__.split('.')[0]} seeded.")
        # a second pass for activity that needs every area's people and places in place
        for module in area_modules("demo"):
            if hasattr(module, "seed_activity"):
                module.seed_activity()
        # a last pass once everything is in place (the demo users' last look at their home page)
        for module in area_modules("demo"):
            if hasattr(module, "seed_finish"):
                module.seed_finish()
        from accounts.models import User

        self.stdout.write("Sign in at http://127.0.0.1:8000/ with password 'fostering-demo' as:")
        for user in User.objects.filter(email__endswith="@example.org").order_by("role", "email"):
            self.stdout.write(f"  {user.email:<32} {user.get_role_display()}")
