"""The service navigation: each item shows only to the roles that may use it.

Each area lists its own items in ``<app>/navigation.py`` as ``ITEMS``; they are shown
in the order of AREAS, after Home. Items that share a ``group`` appear once in the
service navigation, under the group's name, and as a sub-navigation on their pages, so
the top bar stays short enough to read as the service grows.
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
    # items with the same group share one entry in the service navigation
    group: str = ""


def everyone(user):
    return user.is_authenticated


def _items() -> list[NavItem]:
    items = [NavItem("Home", "core:home", everyone, "/")]
    from .areas import area_modules

    for module in area_modules("navigation"):
        items.extend(module.ITEMS)
    items.append(NavItem("Admin", "admin:index", p.is_programme_manager, "/admin/"))
    return items


def _current(request, visible: list[NavItem]) -> NavItem | None:
    # the current item is the one whose section is the longest match of the path
    matches = [
        item
        for item in visible
        if (request.path == "/" if item.section == "/" else request.path.startswith(item.section))
    ]
    return max(matches, key=lambda item: len(item.section), default=None)


def navigation_for(request) -> dict:
    """``{"items": [...], "sub": {...} or None}``: the service navigation for this user, and
    the sub-navigation of the group the current page belongs to."""
    user = request.user
    visible = [item for item in _items() if item.predicate(user)]
    current = _current(request, visible)
    top, seen = [], {}
    for item in visible:
        if item.group and item.group in seen:
            seen[item.group]["current"] |= item is current
            continue
        entry = {
            "label": item.group or item.label,
            "url": reverse(item.url_name),
            "current": item is current,
        }
        top.append(entry)
        if item.group:
            seen[item.group] = entry
    sub = None
    if current is not None and current.group:
        members = [item for item in visible if item.group == current.group]
        if len(members) > 1:
            sub = {
                "label": current.group,
                "items": [
                    {"label": i.label, "url": reverse(i.url_name), "current": i is current}
                    for i in members
                ],
            }
    return {"items": top, "sub": sub}
