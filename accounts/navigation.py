from accounts.permissions import is_programme_manager
from core.navigation import NavItem

ITEMS = [
    NavItem("People", "accounts:people", is_programme_manager, "/account/people/", "Access"),
    NavItem(
        "Sign-in log", "accounts:sign_in_log", is_programme_manager, "/account/sign-ins/", "Access"
    ),
    NavItem("Audit log", "core:audit_log", is_programme_manager, "/audit/", "Access"),
]
