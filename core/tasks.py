import logging

from celery import shared_task
from django.contrib.auth import get_user_model

log = logging.getLogger(__name__)


@shared_task(name="core.ping")
def ping() -> dict:
    """A health check that proves a worker can reach the database."""
    return {"pong": True, "users": get_user_model().objects.count()}


@shared_task(name="core.heartbeat", soft_time_limit=20, time_limit=30)
def heartbeat() -> None:
    """Every minute (beat): the worker that runs it is alive, and so is the scheduler."""
    from django.utils import timezone

    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})


def enqueue(task, *args) -> bool:
    """Send a task to the workers, or, when the broker cannot be reached, leave the work as
    it is saved for its area's sweep to queue once the broker is back: the person who asked
    is told it is queued, never that it failed. Errors of the task itself (run in-process
    on the embedded default) are not swallowed."""
    from kombu.exceptions import OperationalError

    try:
        task.delay(*args)
    except (OperationalError, ConnectionError) as error:
        log.warning("Could not queue %s%r (%s); its sweep will queue it", task.name, args, error)
        return False
    return True
