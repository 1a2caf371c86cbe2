from core.navigation import NavItem  # noqa: F401 - each part adds its items below

from . import permissions as p  # noqa: F401

# One "Engagement" entry in the service navigation; each part is an item of its
# sub-navigation (group "Engagement"), in this order: Bids, Technical support, Meetings,
# Actions, Reminders.
ITEMS: list = []

# meetings and actions
ITEMS += [
    NavItem(
        "Meetings",
        "engagement:meeting_list",
        p.can_see_meetings,
        "/engagement/meetings/",
        "Engagement",
    ),
    NavItem(
        "Actions",
        "engagement:action_list",
        p.can_see_meetings,
        "/engagement/actions/",
        "Engagement",
    ),
]
