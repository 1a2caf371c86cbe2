"""Reads of reports, scoped to who is asking."""

from django.db.models import QuerySet

from .models import Report, Status
from .permissions import can_read_drafts, can_read_issued


def reports_for_user(user) -> QuerySet:
    """Every report for the delivery partner; issued ones only for DfE readers and
    cluster leads (who then see only their own cluster's section)."""
    reports = Report.objects.select_related("replaces", "issued_by", "requested_by")
    if can_read_drafts(user):
        return reports
    if can_read_issued(user):
        return reports.filter(status=Status.ISSUED)
    return reports.none()


def later_versions(report: Report, user) -> list[Report]:
    """Versions after this one that the user may read (a correction in progress or issued)."""
    return list(
        reports_for_user(user)
        .filter(kind=report.kind, period_start=report.period_start, version__gt=report.version)
        .exclude(status=Status.FAILED)
        .order_by("version")
    )


# a report's frozen figures and summary, which lists and links do not show; deferred, a
# list of reports does not read and decode every report's snapshot (milliseconds each)
LISTED_WITHOUT = ("snapshot", "summary", "replaces__snapshot", "replaces__summary")


def reports_listed(user) -> QuerySet:
    """``reports_for_user`` for lists and links: without the figures."""
    return reports_for_user(user).defer(*LISTED_WITHOUT)


def latest_issued(user, limit: int = 3) -> list[Report]:
    return list(reports_listed(user).filter(status=Status.ISSUED).order_by("-issued_at")[:limit])
