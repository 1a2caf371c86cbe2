from accounts.permissions import is_cluster_lead
from core.navigation import NavItem

from .permissions import can_log_time, can_see_spend

ITEMS = [
    NavItem("Timesheets", "timesheets:index", can_log_time | can_see_spend, "/timesheets/"),
    NavItem("Support received", "timesheets:allocation", is_cluster_lead, "/timesheets/"),
]
