"""The engagement panels of the home page: the user's open meeting actions, what is due
from them or late, and what changed since they last looked (``core.home`` renders them)."""

from accounts.permissions import is_dfe_reader
from engagement.selectors import home as selectors
from engagement.selectors.meetings import my_open_actions
from engagement.services.home import record_look


def home_panels(user) -> list[dict]:
    since = record_look(user=user)
    panels = []
    if not is_dfe_reader(user):  # DfE's readers change nothing, so own no actions
        panels.append({"template": "engagement/home/actions.html", **my_open_actions(user)})
    panels.append({"template": "engagement/home/due.html", **selectors.due_and_late(user)})
    panels.append(
        {"template": "engagement/home/changes.html", **selectors.changes_since(user, since)}
    )
    return panels
