"""Timesheet panels on the home page: cap warnings and time to approve for programme
managers, a consultant's own totals, the support a cluster lead's cluster received."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from accounts.permissions import is_cluster_lead, is_consultant, is_programme_manager
from programme.selectors import current_contract

from . import selectors


def panels(user) -> list[dict]:
    if not (is_programme_manager(user) or is_consultant(user) or is_cluster_lead(user)):
        return []
    try:
        contract = current_contract()
    except ObjectDoesNotExist:
        return []  # no contract yet: no time to log and no spend to watch
    today = timezone.localdate()
    if is_programme_manager(user):
        return [
            {
                "template": "timesheets/home_manager.html",
                "warnings": selectors.cap_warnings(today, contract=contract),
                "waiting": selectors.awaiting_approval().count(),
            }
        ]
    if is_consultant(user):
        return [
            {
                "template": "timesheets/home_consultant.html",
                "summary": selectors.consultant_summary(user, today),
            }
        ]
    if user.cluster_id:
        return [
            {
                "template": "timesheets/home_lead.html",
                "support": selectors.lead_summary(user.cluster_id, today),
                "hours_per_day": contract.hours_per_day,
            }
        ]
    return []
