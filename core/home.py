"""What each role sees first.

Each area may add panels in ``<app>/home.py``: a function ``panels(user)`` returning a
list of ``{"template": ..., **context}`` dicts, rendered in order under the greeting.
Panels must read through selectors with a fixed number of queries.
"""

from accounts.models import Role
from clusters.selectors import clusters_for_user

from .areas import area_modules


def home_context(user) -> dict:
    panels = []
    for module in area_modules("home"):
        panels.extend(module.panels(user))
    return {
        "role_label": Role(user.role).label,
        "access_problems": user.data_access_problems(),
        "clusters": clusters_for_user(user).with_member_counts(),
        "panels": panels,
    }
