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
    result = []
    for item in _items():
        if not item.predicate(user):
            continue
        if item.section == "/":
            current = request.path == "/"
        else:
            current = request.path.startswith(item.section)
        result.append({"label": item.label, "url": reverse(item.url_name), "current": current})
    return result
