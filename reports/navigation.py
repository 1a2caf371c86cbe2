from core.navigation import NavItem

from .permissions import can_read_issued

ITEMS = [NavItem("Reports", "reports:list", can_read_issued, "/reports/")]
