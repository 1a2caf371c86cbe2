"""The service navigation: each item shows only to the roles that may use it."""

from dataclasses import dataclass

from django.urls import reverse

from accounts import permissions as p


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    predicate: object
    # URL path prefix that marks the item as the current section
    section: str


def _everyone(user):
    return user.is_authenticated


NAV_ITEMS = [
    NavItem("Home", "core:home", _everyone, "/"),
    NavItem("Clusters", "clusters:cluster_list", _everyone, "/clusters/"),
    NavItem("Local authorities", "clusters:authority_list", _everyone, "/authorities/"),
    NavItem("Administration", "admin:index", p.is_programme_manager, "/admin/"),
]


def navigation_for(request) -> list[dict]:
    user = request.user
    items = []
    for item in NAV_ITEMS:
        if not item.predicate(user):
            continue
        if item.section == "/":
            current = request.path == "/"
        else:
            current = request.path.startswith(item.section)
        items.append({"label": item.label, "url": reverse(item.url_name), "current": current})
    return items
