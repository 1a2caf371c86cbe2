"""Is this process fit to serve? The database, the broker and a worker's heartbeat, checked
in a few seconds at most, for a load balancer, a process manager or a person."""

import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

# the scheduler sends the heartbeat every minute: five missed is a stopped worker or beat
HEARTBEAT_LATE_AFTER = datetime.timedelta(minutes=5)


def checks() -> dict[str, str]:
    """Each part's state: "ok", "not used", or what is wrong with it."""
    result = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        result["database"] = "ok"
    except DatabaseError as error:
        result["database"] = f"unreachable ({type(error).__name__})"
    if not settings.CELERY_BROKER_URL:
        result["broker"] = result["worker"] = "not used: tasks run in-process"
        return result
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        result["broker"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure to connect is the answer
        result["broker"] = f"unreachable ({type(error).__name__})"
    if result["database"] != "ok":
        result["worker"] = "unknown: the database is unreachable"
        return result
    from .models import Heartbeat

    beat = Heartbeat.objects.filter(name="worker").first()
    if beat is None:
        result["worker"] = "never seen: start a worker and the scheduler (beat)"
    elif timezone.now() - beat.at > HEARTBEAT_LATE_AFTER:
        result["worker"] = f"last seen {timezone.localtime(beat.at):%-d %B %Y %H:%M}"
    else:
        result["worker"] = "ok"
    return result


def healthy(result: dict[str, str]) -> bool:
    return all(v == "ok" or v.startswith("not used") for v in result.values())
