from core.navigation import NavItem, everyone

from .permissions import can_see_money

ITEMS = [
    NavItem("Programme", "programme:overview", everyone, "/programme/"),
    NavItem("Milestones", "programme:milestone_list", everyone, "/programme/milestones/"),
    NavItem("KPIs", "programme:kpi_list", everyone, "/programme/kpis/"),
    NavItem("Contract", "programme:contract", can_see_money, "/programme/contract/"),
]
