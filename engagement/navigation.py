from core.navigation import NavItem

from . import permissions as p

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
    # reminders: everyone reads what was sent to them (a programme manager every reminder)
    NavItem(
        "Reminders",
        "engagement:reminder_list",
        p.can_see_reminders,
        "/engagement/reminders/",
        "Engagement",
    ),
]
