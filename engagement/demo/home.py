"""Demo home pages: each demo user last looked at their home page when the demo was seeded,
so "what changed since you last looked" starts empty (the seeding is not news) and lists
what anyone changes from then on. Run last, once every area has seeded (see seed_demo's
``seed_finish``). A user who has a last look already keeps it: a second run changes
nothing."""

import datetime

from django.utils import timezone

from ..models import LastLook


def seed_finish(now: datetime.datetime | None = None) -> None:
    from accounts.demo import demo_users
    from accounts.models import User

    now = now or timezone.now()
    emails = [spec["email"] for spec in demo_users(timezone.localdate())]
    users = User.objects.filter(email__in=emails, last_look__isnull=True)
    # ``previous`` as well as ``latest``: a first visit within the pause compares with it
    LastLook.objects.bulk_create(
        [LastLook(user=user, previous=now, latest=now) for user in users.order_by("pk")],
        ignore_conflicts=True,
    )
