"""Engagement on the home page: what is due from me, what is late and what changed since I
last looked (``views.home``), then each part's own panel."""

from .views import bids, home, reminders, support


def panels(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    result = []
    # "Your actions" (meetings) comes first, in views.home
    for module in (home, support, bids, reminders):
        result.extend(module.home_panels(user))
    return result
