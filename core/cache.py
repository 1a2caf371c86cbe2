"""Work kept in the shared cache (``CACHE_URL``) and done again only when its key changes.
A cache that cannot be reached costs the work, never the page."""

import logging

from django.core.cache import cache
from django.db import connection

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


def rows_version(*models, first: tuple[str, list] | None = None) -> str:
    """A key that moves whenever a row of any of the models is added or deleted (one
    query): each table's row count and highest id. Give a model's history (``X.history.model``)
    to follow every save of it. The count moves when a transaction that started before
    another commits after it, which a highest id alone would miss; the highest id moves
    past the ids a rolled-back transaction took, which a count alone would not (PostgreSQL
    never hands out an id twice). ``first`` is another scalar subquery and its parameters,
    read in the same query."""
    q = connection.ops.quote_name
    parts = [
        f"(SELECT count(*) FROM {q(m._meta.db_table)}),"  # noqa: S608 - model tables
        f" (SELECT max({q(m._meta.pk.column)}) FROM {q(m._meta.db_table)})"
        for m in models
    ]
    params = []
    if first:
        parts.insert(0, f"({first[0]})")
        params = first[1]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608
        return ".".join(str(v) for v in cursor.fetchone())
