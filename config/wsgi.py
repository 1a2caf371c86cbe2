import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# this process serves requests: long tasks run beside them on the embedded default
from core.tasks import serving_web  # noqa: E402

serving_web()
