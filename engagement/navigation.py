from core.navigation import NavItem  # noqa: F401 - each part adds its items below

from . import permissions as p  # noqa: F401

# One "Engagement" entry in the service navigation; each part is an item of its
# sub-navigation (group "Engagement"), in this order: Bids, Technical support, Meetings,
# Actions, Reminders.
ITEMS: list = [
    NavItem("Bids", "engagement:bid_list", p.can_see_bids, "/engagement/bids/", "Engagement"),
    NavItem(
        "Technical support",
        "engagement:support_list",
        p.can_see_support,
        "/engagement/support/",
        "Engagement",
    ),
]
