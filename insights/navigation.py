from core.navigation import NavItem, everyone

ITEMS = [
    NavItem("RAID log", "insights:raid_list", everyone, "/insights/raid/"),
    NavItem("Learning", "insights:lesson_list", everyone, "/insights/learning/"),
]
