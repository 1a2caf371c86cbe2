"""Scheduled reminders (Celery beat, see ``CELERY_BEAT_SCHEDULE``): thin tasks round
``engagement.services.reminders``, where each reminder is claimed once per occasion, so a
task that runs twice, or twice at once, sends nothing twice."""

import datetime

from celery import shared_task


def _day(today: str | None) -> datetime.date | None:
    # JSON-serialised tasks take the date as an ISO string
    return datetime.date.fromisoformat(today) if today else None


@shared_task(name="engagement.remind_late_returns", soft_time_limit=5 * 60, time_limit=6 * 60)
def remind_late_returns(today: str | None = None) -> dict:
    """Daily 07:00: cluster leads whose member LAs' monthly return is late."""
    from .services.reminders import remind_late_returns as remind

    return remind(today=_day(today))


@shared_task(name="engagement.remind_past_dates", soft_time_limit=5 * 60, time_limit=6 * 60)
def remind_past_dates(today: str | None = None) -> dict:
    """Daily 07:10: RAID items past review, milestones past forecast, actions past due."""
    from .services.reminders import remind_past_dates as remind

    return remind(today=_day(today))


@shared_task(name="engagement.send_digest", soft_time_limit=5 * 60, time_limit=6 * 60)
def send_digest(today: str | None = None) -> dict:
    """Mondays 07:30: the programme managers' weekly digest."""
    from .services.reminders import send_digest as send

    return send(today=_day(today))


@shared_task(name="engagement.remind_no_time", soft_time_limit=5 * 60, time_limit=6 * 60)
def remind_no_time(today: str | None = None) -> dict:
    """Mondays 09:00: consultants with no time submitted for last week."""
    from .services.reminders import remind_no_time as remind

    return remind(today=_day(today))
