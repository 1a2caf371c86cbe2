from core.navigation import NavItem

from . import permissions as p


def _item(label: str, name: str, predicate, path: str) -> NavItem:
    # one "Engagement" entry in the service navigation; each part is an item of its
    # sub-navigation
    return NavItem(label, f"engagement:{name}", predicate, f"/engagement/{path}/", "Engagement")


ITEMS = [
    _item("Bids", "bid_list", p.can_see_bids, "bids"),
    _item("Technical support", "support_list", p.can_see_support, "support"),
    _item("Meetings", "meeting_list", p.can_see_meetings, "meetings"),
    _item("Actions", "action_list", p.can_see_meetings, "actions"),
    # everyone reads what was sent to them (a programme manager every reminder)
    _item("Reminders", "reminder_list", p.can_see_reminders, "reminders"),
]
