from core.navigation import NavItem, everyone

ITEMS = [
    NavItem("Risks and issues", "insights:raid_list", everyone, "/insights/raid/"),
    NavItem("Learning", "insights:lesson_list", everyone, "/insights/learning/"),
]
