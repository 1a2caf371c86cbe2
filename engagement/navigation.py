from core.navigation import NavItem  # noqa: F401 - each part adds its items below

from . import permissions as p  # noqa: F401

# One "Engagement" entry in the service navigation; each part is an item of its
# sub-navigation (group "Engagement"), in this order: Bids, Technical support, Meetings,
# Actions, Reminders.
ITEMS: list = []

# reminders: everyone reads what was sent to them (a programme manager every reminder)
ITEMS.append(
    NavItem(
        "Reminders",
        "engagement:reminder_list",
        p.can_see_reminders,
        "/engagement/reminders/",
        "Engagement",
    )
)
