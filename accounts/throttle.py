"""A limit on failed sign-ins from one address, beside django-axes's lock on each account.

The account lock (five failures, 30 minutes) stops a guesser trying one account; this stops
one address trying many accounts. It is set well above what one office's typos reach, since
a council's proxy is one address for hundreds of people (``SIGN_IN_ADDRESS_LIMIT`` failures
in ``SIGN_IN_ADDRESS_WINDOW_MINUTES``), and counts in the shared cache so every web process
sees the same count. A guesser spread over many addresses still meets every account's lock.
"""

from django.conf import settings
from django.core.cache import cache

from core.net import client_address


def _key(request) -> str:
    return f"sign-in-failures:{client_address(request)}"


def _window() -> int:
    return settings.SIGN_IN_ADDRESS_WINDOW_MINUTES * 60


def note_failure(request) -> int:
    key = _key(request)
    try:
        if cache.add(key, 1, _window()):
            return 1
        return cache.incr(key)
    except Exception:  # noqa: BLE001 - a cache outage must not stop a sign-in
        return 0


def address_limited(request) -> bool:
    try:
        return (cache.get(_key(request)) or 0) >= settings.SIGN_IN_ADDRESS_LIMIT
    except Exception:  # noqa: BLE001
        return False
