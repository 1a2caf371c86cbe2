"""What the home page writes: when the user last looked, for "what changed since"."""

import datetime

from django.db import transaction
from django.utils import timezone

from engagement.models import LastLook

# a reload within this pause is the same visit: it keeps showing the same changes
PAUSE = datetime.timedelta(minutes=30)


@transaction.atomic
def record_look(*, user, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Note that the user is looking at their home page now, and return the moment to
    compare with (the end of their previous visit; None the first time).

    ``previous`` moves on only when the last look was more than ``PAUSE`` ago, so the
    changes stay on the page while the user reloads it."""
    now = now or timezone.now()
    look = LastLook.objects.select_for_update().filter(user=user).first()
    if look is None:
        # two first looks at once: the second insert is ignored, not an error; one query
        # either way, so the home page costs the same on the first visit and every other
        LastLook.objects.bulk_create([LastLook(user=user, latest=now)], ignore_conflicts=True)
        return None
    if now - look.latest > PAUSE:
        look.previous = look.latest
    look.latest = max(look.latest, now)
    look.save(update_fields=["previous", "latest"])
    return look.previous
