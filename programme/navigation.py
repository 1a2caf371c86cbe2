from core.navigation import NavItem, everyone

from .permissions import can_see_money

ITEMS = [
    NavItem("Overview", "programme:overview", everyone, "/programme/", "Programme"),
    NavItem(
        "Milestones", "programme:milestone_list", everyone, "/programme/milestones/", "Programme"
    ),
    NavItem("KPIs", "programme:kpi_list", everyone, "/programme/kpis/", "Programme"),
    NavItem("Contract", "programme:contract", can_see_money, "/programme/contract/", "Programme"),
]
