"""Demo reminders: the scheduled reminders run as if on six days ago and today over the
demo's data (two weeks of weekly ones, all within the home page's last 7 days), so the
reminders pages and home panels have e-mails to read. Recorded, not printed (a dummy e-mail
backend), and idempotent: each occasion is sent once."""

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
    quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
    for day in (today - datetime.timedelta(days=6), today):
        send_all(today=day, connection=quiet)
