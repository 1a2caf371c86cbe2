"""Work kept in the shared cache (``CACHE_URL``) and done again only when its key changes.
A cache that cannot be reached costs the work, never the page."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def remembered(key: str, compute, timeout: int):
    """The value kept under ``key``, or ``compute()`` kept there for ``timeout`` seconds.
    ``compute`` must not return None (None is what the cache says for "not kept")."""
    try:
        found = cache.get(key)
    except Exception as error:  # noqa: BLE001 - a cache outage must not stop a page
        log.warning("Cache unavailable (%s): computing %s", error, key)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, timeout)
    except Exception as error:  # noqa: BLE001
        log.warning("Cache unavailable (%s): %s not kept", error, key)
    return value
