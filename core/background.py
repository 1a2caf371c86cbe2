"""Figures worth seconds of work, worked out once per change of their data in the
background and kept in the shared cache (``CACHE_URL``), so a page only ever reads them.

A figure is named by the dotted path of a function of one text argument that returns plain
data, and kept under a key that moves when its data change. ``looked_up`` gives the kept
value, or starts the work (once, however many look) and returns None, so the page can say
it is being worked out; a failure is kept for a few minutes as ``{"failed": True}``, so the
page says so instead of waiting, and is tried again after. A lost worker's claim ends with
its time limit: the work always reaches an end state by itself. ``now`` works it out at
once, for work that is already in the background (a report being built)."""

import logging

from django.core.cache import cache
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

KEEP_FOR = 24 * 3600
RUNNING_FOR = 6 * 60  # core.work_out's time limit
FAILED_FOR = 5 * 60
FAILED = {"failed": True}


def keep(path: str, key: str, argument: str):
    """Work the figure out and keep it; on failure keep the failure for a few minutes."""
    try:
        value = import_string(path)(argument)
    except Exception:
        log.exception("Working out %s(%r) failed", path, argument)
        cache.set(key, FAILED, FAILED_FOR)
        raise
    finally:
        cache.delete(f"{key}:running")
    cache.set(key, value, KEEP_FOR)
    return value


def looked_up(path: str, key: str, argument: str):
    """The kept value; else the work is started (in the background where there is one) and
    the result is None while it runs, or FAILED. A cache that cannot be reached costs the
    work here, never the page."""
    from .tasks import enqueue, work_out

    try:
        found = cache.get(key)
    except Exception as error:  # noqa: BLE001
        log.warning("Cache unavailable (%s): %s worked out here", error, path)
        return import_string(path)(argument)
    if found is not None:
        return found
    if cache.add(f"{key}:running", True, RUNNING_FOR):
        try:
            enqueue(work_out, path, key, argument, background=True)
        except Exception:  # noqa: BLE001 - worked out in-process (embedded default): kept as failed
            return cache.get(key) or FAILED
    return cache.get(key)


def now(path: str, key: str, argument: str):
    """The kept value, or worked out here and kept."""
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage costs the work only
        found = None
    if found is not None and found != FAILED:
        return found
    value = import_string(path)(argument)
    try:
        cache.set(key, value, KEEP_FOR)
    except Exception as error:  # noqa: BLE001
        log.warning("Cache unavailable (%s): %s not kept", error, path)
    return value
