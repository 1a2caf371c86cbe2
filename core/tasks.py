from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="core.ping")
def ping() -> dict:
    """A health check that proves a worker can reach the database."""
    return {"pong": True, "users": get_user_model().objects.count()}
