"""Settings for the test suite: the base settings with fast hashing.

The database comes from DATABASE_URL as in every other module, so CI tests PostgreSQL.
"""

import atexit
import shutil
import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run tasks in-process, except the round-trip test, which sends to the broker.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Uploaded and staged files of each test process go to a folder of its own, so test
# processes running side by side (pytest-xdist) never read each other's batch files.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tracker-test-media-"))  # noqa: F405
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
