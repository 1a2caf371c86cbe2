"""The reports panel on the home page: the latest issued reports (one query)."""

from accounts.permissions import has_data_access

from .permissions import can_read_issued
from .selectors import latest_issued


def panels(user) -> list[dict]:
    if not (can_read_issued(user) and has_data_access(user)):
        return []
    return [{"template": "reports/home_panel.html", "reports": latest_issued(user)}]
