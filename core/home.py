"""What each role sees first. Later areas add their own panels here."""

from accounts.models import Role
from clusters.selectors import clusters_for_user


def home_context(user) -> dict:
    context = {
        "role_label": Role(user.role).label,
        "access_problems": user.data_access_problems(),
        "clusters": clusters_for_user(user).with_member_counts(),
    }
    return context
