"""The scheduled reminder through a real worker and broker: sent by the worker's task, run
twice, recorded once. Runs where a broker is configured (CI sets CELERY_BROKER_URL)."""

import pytest
from django.utils import timezone

from accounts.models import Role
from config.celery import app
from engagement.models import Reminder, ReminderKind
from pipeline.models import MonthlyReturn, ReturnStatus
from pipeline.scope import add_months
from tests.core.test_celery_worker import QUEUE, worker  # noqa: F401 - the worker fixture
from tests.factories import ClusterFactory, UserFactory, authorities

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# the task is told the day (time is its input): the 20th of this month, after the 10th, when
# last month's returns are late
TODAY = timezone.localdate().replace(day=20)
LAST_MONTH = add_months(TODAY.replace(day=1), -1)


def test_a_late_return_reminder_sent_by_a_worker_twice_is_sent_once(reference, worker):  # noqa: F811
    cluster = ClusterFactory(members=authorities("Sunderland", "Gateshead"))
    lead = UserFactory(role=Role.CLUSTER_LEAD, cluster=cluster)
    for month in (add_months(LAST_MONTH, -1), LAST_MONTH):
        for la in authorities("Sunderland", "Gateshead"):
            if not (la.name == "Sunderland" and month == LAST_MONTH):
                MonthlyReturn.objects.create(
                    local_authority=la, month=month, status=ReturnStatus.SUBMITTED
                )

    outcomes = [
        app.send_task(
            "engagement.remind_late_returns", kwargs={"today": TODAY.isoformat()}, queue=QUEUE
        ).get(timeout=90)
        for _ in range(2)
    ]

    assert outcomes == [
        {"sent": 1, "already_sent": 0, "failed": 0},
        {"sent": 0, "already_sent": 1, "failed": 0},
    ]
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.recipient_id) == (ReminderKind.LATE_RETURN, lead.pk)
