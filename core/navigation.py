"""The service navigation: each item shows only to the roles that may use it.

Each area lists its own items in ``<app>/navigation.py`` as ``ITEMS``; they are shown
in the order of AREAS, after Home.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from accounts import permissions as p


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    predicate: Callable
    # URL path prefix that marks the item as the current section
    section: str


def everyone(user):
    return user.is_authenticated


def _items() -> list[NavItem]:
    items = [NavItem("Home", "core:home", everyone, "/")]
    from .areas import area_modules

    for module in area_modules("navigation"):
        items.extend(module.ITEMS)
    items.append(NavItem("Administration", "admin:index", p.is_programme_manager, "/admin/"))
    return items


def navigation_for(request) -> list[dict]:
    user = request.user
    visible = [item for item in _items() if item.predicate(user)]
    # the current item is the one whose section is the longest match of the path
    matches = [
        item
        for item in visible
        if (request.path == "/" if item.section == "/" else request.path.startswith(item.section))
    ]
    current = max(matches, key=lambda item: len(item.section), default=None)
    return [
        {"label": item.label, "url": reverse(item.url_name), "current": item is current}
        for item in visible
    ]
