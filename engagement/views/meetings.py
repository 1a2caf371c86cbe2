"""Pages of this part of engagement (filled in with the part)."""

urlpatterns: list = []


def home_panels(user) -> list[dict]:
    return []
