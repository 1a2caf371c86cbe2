"""Reminder e-mails, each sent once per occasion.

``engagement.selectors.reminders`` says what is due; this module renders each reminder and
sends it through :func:`send_once`, which claims the occasion by inserting its ``Reminder``
row (unique on kind, recipient and occasion) in the same transaction as the sending. So:

- a task that runs twice, or two runs at once, send each reminder once: the second insert
  fails on the unique key (on PostgreSQL it waits for the first transaction, then fails);
- when sending fails the transaction rolls back, no row is kept and the next run retries.

One e-mail is one occasion (a lead with three late LAs gets three short e-mails, each
recorded), so what a user reads on the reminders page is exactly what they were sent.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import Reminder
from ..selectors import reminders as due_now
from ..selectors.reminders import Due

logger = logging.getLogger(__name__)

SUBJECT_MAX = Reminder._meta.get_field("subject").max_length


def render(due: Due) -> tuple[str, str]:
    """The subject and plain-text body of a due reminder."""
    body = render_to_string(
        due.template, {"recipient": due.recipient, "site_url": settings.SITE_URL, **due.context}
    )
    return due.subject[:SUBJECT_MAX], body.strip() + "\n"


def send_once(*, due: Due, sent_at: datetime.datetime | None = None, connection=None) -> bool:
    """Send one reminder unless its occasion was already sent to its recipient; True when
    it was sent now. Raises what the e-mail backend raised (nothing is recorded then)."""
    subject, body = render(due)
    try:
        with transaction.atomic():
            Reminder.objects.create(
                kind=due.kind,
                recipient=due.recipient,
                occasion=due.occasion,
                subject=subject,
                body=body,
                sent_at=sent_at or timezone.now(),
            )
            # inside the transaction: if sending fails, the claim above is rolled back
            send_mail(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [due.recipient.email],
                connection=connection,
            )
    except IntegrityError:
        return False  # already sent, or being sent by a run at the same moment
    return True


def deliver(dues: list[Due], *, today: datetime.date, connection=None) -> dict:
    """Send each due reminder once; a failure is logged and left for the next run, and does
    not stop the others. Returns how many were sent, already sent and failed."""
    outcome = {"sent": 0, "already_sent": 0, "failed": 0}
    if not dues:
        return outcome
    sent_before = set(
        Reminder.objects.filter(
            kind__in={d.kind for d in dues}, occasion__in={d.occasion for d in dues}
        ).values_list("kind", "recipient_id", "occasion")
    )
    sent_at = _sent_at(today)
    for due in dues:
        if (due.kind, due.recipient.pk, due.occasion) in sent_before:
            outcome["already_sent"] += 1
            continue
        try:
            sent = send_once(due=due, sent_at=sent_at, connection=connection)
        except Exception:
            logger.exception("Reminder %s to %s not sent", due.occasion, due.recipient.email)
            outcome["failed"] += 1
        else:
            outcome["sent" if sent else "already_sent"] += 1
    return outcome


def _sent_at(today: datetime.date) -> datetime.datetime | None:
    # a run for another day (the demo, an operator catching up) is recorded on that day
    if today == timezone.localdate():
        return None
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(7, 0)))


def remind_late_returns(*, today: datetime.date | None = None, connection=None) -> dict:
    """Cluster leads: each member LA's return for the month most recently due, when late."""
    today = today or timezone.localdate()
    return deliver(due_now.late_returns_due(today=today), today=today, connection=connection)


def remind_past_dates(*, today: datetime.date | None = None, connection=None) -> dict:
    """Owners of RAID items past review and of actions past due; milestones past forecast
    to their cluster's leads (programme-wide: the programme managers); data-protection
    training expiring within 30 days to the person and the programme managers."""
    today = today or timezone.localdate()
    dues = [
        *due_now.raid_past_review_due(today=today),
        *due_now.milestones_past_forecast_due(today=today),
        *due_now.actions_past_due(today=today),
        *due_now.training_expiring_due(today=today),
    ]
    return deliver(dues, today=today, connection=connection)


def remind_no_time(*, today: datetime.date | None = None, connection=None) -> dict:
    """Consultants (and programme managers who log time) with no time submitted last week."""
    today = today or timezone.localdate()
    return deliver(due_now.no_time_due(today=today), today=today, connection=connection)


def send_digest(*, today: datetime.date | None = None, connection=None) -> dict:
    """Programme managers: what is late across the programme, once a week."""
    today = today or timezone.localdate()
    return deliver(due_now.digest_due(today=today), today=today, connection=connection)


def send_all(*, today: datetime.date | None = None, connection=None) -> dict[str, dict]:
    """Every reminder due on ``today`` (the weekly ones for the week ``today`` is in)."""
    today = today or timezone.localdate()
    return {
        "late_returns": remind_late_returns(today=today, connection=connection),
        "past_dates": remind_past_dates(today=today, connection=connection),
        "digest": send_digest(today=today, connection=connection),
        "no_time": remind_no_time(today=today, connection=connection),
    }
