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


# Set by config.wsgi: this process serves web requests (runserver, gunicorn), where a
# long task must not hold the request on the embedded default. Not set in management
# commands (seeding waits for its work) nor in the test suite's servers.
_serving_web = {"on": False}


def serving_web() -> None:
    _serving_web["on"] = True


def enqueue(task, *args, background: bool = False, only_apart: bool = False) -> bool:
    """Send a task to the workers, or, when the broker cannot be reached, leave the work as
    it is saved for its area's sweep to queue once the broker is back: the person who asked
    is told it is queued, never that it failed. Errors of the task itself (run in-process
    on the embedded default) are not swallowed.

    ``background``: on the embedded default (no broker), a web process runs the task in a
    thread of its own, so that a long task (checking a big upload) never holds the request;
    the page it leads to shows the progress. If the process stops first, the work is left
    as saved and the area's sweep (or the next look at its page) takes it up again.

    ``only_apart``: work that only saves someone a wait later (keeping figures ahead of
    their first reader) and must never hold the caller: on the embedded default it runs in
    a thread of a web process, and is skipped elsewhere (a command, a benchmark, a test)."""
    from django.conf import settings
    from kombu.exceptions import OperationalError

    if only_apart and settings.CELERY_TASK_ALWAYS_EAGER and not _serving_web["on"]:
        return False
    if (background or only_apart) and settings.CELERY_TASK_ALWAYS_EAGER and _serving_web["on"]:
        import threading

        threading.Thread(
            target=_run_apart, args=(task, args), name=f"task-{task.name}", daemon=True
        ).start()
        return True
    try:
        task.delay(*args)
    except (OperationalError, ConnectionError) as error:
        log.warning("Could not queue %s%r (%s); its sweep will queue it", task.name, args, error)
        return False
    return True


def _run_apart(task, args) -> None:
    """A task in a thread of the web process, with its own database connection."""
    from django.db import connections

    try:
        task.apply(args=args, throw=True)
    except Exception:
        log.exception("Background task %s%r failed", task.name, args)
    finally:
        connections.close_all()


@shared_task(name="core.work_out", soft_time_limit=5 * 60, time_limit=6 * 60)
def work_out(path: str, key: str, argument: str) -> None:
    """Work out one figure kept in the cache (core.background)."""
    from .background import keep

    keep(path, key, argument)
