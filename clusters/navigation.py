from core.navigation import NavItem, everyone

ITEMS = [
    NavItem("All clusters", "clusters:cluster_list", everyone, "/clusters/", "Clusters"),
    NavItem("Progress", "clusters:progress_all", everyone, "/progress/", "Clusters"),
    NavItem("Local authorities", "clusters:authority_list", everyone, "/authorities/", "Clusters"),
]
