"""Pipeline panels on the home page: for programme managers, the codes cluster leads have
asked to be added to import profiles (an upload of theirs waits on each)."""

from . import permissions


def panels(user) -> list[dict]:
    if not permissions.can_manage_profiles(user):
        return []
    from .models import CodeRequest

    waiting = CodeRequest.objects.filter(settled_at__isnull=True).select_related(
        "profile", "requested_by"
    )
    listed = list(waiting[:10])
    return [
        {
            "template": "pipeline/home_code_requests.html",
            "requests": listed,
            "total": len(listed) if len(listed) < 10 else waiting.count(),
        }
    ]
