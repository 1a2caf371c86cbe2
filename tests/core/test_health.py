"""/health/ and `manage.py health` say whether the database, the broker and a worker are
well, naming the part that is not, without a sign-in and without a 500."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Heartbeat
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_on_the_embedded_default_the_database_is_all_there_is_to_check(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "broker": "not used: tasks run in-process",
            "worker": "not used: tasks run in-process",
        },
    }


def test_a_broker_that_cannot_be_reached_is_named_with_a_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    heartbeat()

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == "ok" and body["checks"]["worker"] == "ok"
    assert body["checks"]["broker"].startswith("unreachable")


def test_a_worker_not_heard_from_for_five_minutes_fails_the_check(settings, time_machine):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from core.health import checks

    assert checks()["worker"].startswith("never seen")
    time_machine.move_to(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=datetime.UTC), tick=False)
    heartbeat()
    assert Heartbeat.objects.get().at == timezone.now()
    time_machine.move_to(datetime.datetime(2026, 11, 18, 9, 6, tzinfo=datetime.UTC), tick=False)
    assert checks()["worker"] == "last seen 18 November 2026 09:00"


def test_the_command_exits_1_naming_what_failed(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("health", stdout=out)
    assert exit.value.code == 1
    assert "broker: unreachable" in out.getvalue()
    settings.CELERY_BROKER_URL = ""
    call_command("health", stdout=out)  # all well: no exit
    assert "database: ok" in out.getvalue()
