from django.db import models


class Heartbeat(models.Model):
    """When a background process last showed it was alive: the scheduler sends a task every
    minute and the worker that runs it writes the time here, so the health page knows both
    are running."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
