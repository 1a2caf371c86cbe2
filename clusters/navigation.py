from core.navigation import NavItem, everyone

ITEMS = [
    NavItem("Clusters", "clusters:cluster_list", everyone, "/clusters/"),
    NavItem("Progress", "clusters:progress_all", everyone, "/progress/"),
    NavItem("Local authorities", "clusters:authority_list", everyone, "/authorities/"),
]
