"""Timesheet panels on the home page: cap warnings and time to approve for programme
managers, a consultant's own totals, the support a cluster lead's cluster received."""

from django.utils import timezone

from accounts.permissions import is_cluster_lead, is_consultant, is_programme_manager

from . import selectors
from .models import Status, TimeEntry


def panels(user) -> list[dict]:
    today = timezone.localdate()
    if is_programme_manager(user):
        return [
            {
                "template": "timesheets/home_manager.html",
                "warnings": selectors.cap_warnings(today),
                "waiting": TimeEntry.objects.filter(status=Status.SUBMITTED).count(),
            }
        ]
    if is_consultant(user):
        return [
            {
                "template": "timesheets/home_consultant.html",
                "summary": selectors.consultant_summary(user, today),
            }
        ]
    if is_cluster_lead(user) and user.cluster_id:
        return [
            {
                "template": "timesheets/home_lead.html",
                "support": selectors.lead_summary(user.cluster_id, today),
                "hours_per_day": selectors.current_contract().hours_per_day,
            }
        ]
    return []
