"""Settings for the test suite: the base settings with fast hashing.

The database comes from DATABASE_URL as in every other module, so CI tests PostgreSQL.
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run tasks in-process, except the round-trip test, which sends to the broker.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
