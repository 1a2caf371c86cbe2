"""The scheduled reminder through a real worker and broker: sent by the worker's task, run
twice, recorded once. Runs where a broker is configured (CI sets CELERY_BROKER_URL)."""

import datetime

import pytest

from accounts.models import Role
from config.celery import app
from engagement.models import Reminder, ReminderKind
from pipeline.models import MonthlyReturn, ReturnStatus
from tests.core.test_celery_worker import QUEUE, worker  # noqa: F401 - the worker fixture
from tests.factories import ClusterFactory, UserFactory, authorities

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TODAY = "2026-11-20"


def test_a_late_return_reminder_sent_by_a_worker_twice_is_sent_once(reference, worker):  # noqa: F811
    cluster = ClusterFactory(members=authorities("Sunderland", "Gateshead"))
    lead = UserFactory(role=Role.CLUSTER_LEAD, cluster=cluster)
    for month in (datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)):
        for la in authorities("Sunderland", "Gateshead"):
            if not (la.name == "Sunderland" and month.month == 10):
                MonthlyReturn.objects.create(
                    local_authority=la, month=month, status=ReturnStatus.SUBMITTED
                )

    outcomes = [
        app.send_task("engagement.remind_late_returns", kwargs={"today": TODAY}, queue=QUEUE).get(
            timeout=90
        )
        for _ in range(2)
    ]

    assert outcomes == [
        {"sent": 1, "already_sent": 0, "failed": 0},
        {"sent": 0, "already_sent": 1, "failed": 0},
    ]
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.recipient_id) == (ReminderKind.LATE_RETURN, lead.pk)
