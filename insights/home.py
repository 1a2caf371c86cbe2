"""The insights panel on the home page: RAID items past their review date (the user's own
first) and, for DfE, what is escalated and awaiting a decision (a fixed number of queries)."""

from accounts.permissions import is_dfe_reader

from . import selectors


def panels(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    panel = {"template": "insights/home_panel.html", **selectors.raid_past_review_for(user)}
    if is_dfe_reader(user):
        panel["awaiting"] = selectors.escalated_awaiting_decision(user)
    return [panel]
