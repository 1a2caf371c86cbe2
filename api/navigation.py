from accounts.permissions import is_programme_manager
from core.navigation import NavItem

ITEMS = [NavItem("API tokens", "api:token_list", is_programme_manager, "/api-tokens/", "Access")]
