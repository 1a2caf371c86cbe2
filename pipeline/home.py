"""Pipeline panels on the home page: for the delivery partner, the monthly returns waiting
for acceptance; for programme managers, the codes cluster leads have asked to be added to
import profiles (an upload of theirs waits on each)."""

from accounts.permissions import has_data_access

from . import permissions


def panels(user) -> list[dict]:
    from .models import CodeRequest, MonthlyReturn, ReturnStatus

    result = []
    if permissions.can_accept_returns(user) and has_data_access(user):
        result.append(
            {
                "template": "pipeline/home_returns_waiting.html",
                "waiting": MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).count(),
            }
        )
    if permissions.can_manage_profiles(user):
        waiting = CodeRequest.objects.filter(settled_at__isnull=True).select_related(
            "profile", "requested_by"
        )
        listed = list(waiting[:10])
        result.append(
            {
                "template": "pipeline/home_code_requests.html",
                "requests": listed,
                "total": len(listed) if len(listed) < 10 else waiting.count(),
            }
        )
    return result
