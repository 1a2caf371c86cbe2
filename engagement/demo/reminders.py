"""Demo reminders: the scheduled reminders run for last Monday, this Monday and today over
the demo's data, so every role's reminders page has e-mails to read. Recorded, not printed
(a dummy e-mail backend), and idempotent: each occasion is sent once."""

import datetime

from django.core.mail import get_connection
from django.utils import timezone

from ..services.reminders import send_all


def seed() -> None:
    """Reminders chase what the other areas' activity left late: see seed_activity."""


def seed_activity(today: datetime.date | None = None) -> None:
    from accounts.models import User

    if not User.objects.filter(email="pm@example.org").exists():
        return
    today = today or timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
    for day in sorted({this_monday - datetime.timedelta(days=7), this_monday, today}):
        send_all(today=day, connection=quiet)
