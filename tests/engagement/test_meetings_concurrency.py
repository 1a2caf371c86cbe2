"""Two people act on the same action or home page at the same moment (PostgreSQL, real row
locks, one connection per thread)."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import Role
from engagement.models import ActionStatus, LastLook
from engagement.services.home import record_look
from engagement.services.meetings import update_action_status
from tests.engagement.factories import ActionFactory
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _at_once(calls) -> list:
    errors, barrier = [], threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            call()
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")


def test_an_action_marked_done_twice_at_once_is_done_once():
    _postgres_only()
    owner = UserFactory(role=Role.CONSULTANT)
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)
    action = ActionFactory(owner=owner)
    errors = _at_once(
        [
            lambda: update_action_status(action=action, status=ActionStatus.DONE, by=owner),
            lambda: update_action_status(action=action, status=ActionStatus.DONE, by=manager),
        ]
    )
    assert errors == []
    # the second saw it done under the lock and recorded nothing
    assert action.history.filter(status=ActionStatus.DONE).count() == 1


def test_two_first_looks_at_once_leave_one_last_look():
    _postgres_only()
    user = UserFactory(role=Role.CONSULTANT)
    errors = _at_once([lambda: record_look(user=user) for _ in range(4)])
    assert errors == []
    assert LastLook.objects.filter(user=user).count() == 1
