"""Demo reports: issued monthly reports for the three months before last, a draft for last
month, and the last full quarter's KPI report issued. Built synchronously (no worker)."""

import datetime

from django.utils import timezone

from .models import Kind, Report, Status
from .periods import add_months, quarter_start

ISSUED_MONTHS = 3


def seed() -> None:
    """Reports are built from every other area's data: see seed_activity."""


def _build(kind: str, start: datetime.date, pm) -> Report | None:
    from . import services

    if Report.objects.filter(kind=kind, period_start=start).exists():
        return None
    report = Report.objects.create(kind=kind, period_start=start, requested_by=pm)
    services.build_report(report_id=report.pk)
    report.refresh_from_db()
    return report


def seed_activity() -> None:
    from accounts.models import Role, User

    from . import services

    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).order_by("pk").first()
    if pm is None:
        return
    last = add_months(timezone.localdate().replace(day=1), -1)
    months = [add_months(last, -i) for i in range(ISSUED_MONTHS, 0, -1)]
    for month in months:
        report = _build(Kind.MONTHLY, month, pm)
        if report and report.status == Status.DRAFT:
            figures = services.key_figures_text(report)
            services.save_summary(
                report_id=report.pk,
                summary=f"Summary for {month:%B %Y}: delivery continued across the clusters.\n\n"
                + figures,
                user=pm,
            )
            services.issue_report(report_id=report.pk, user=pm)
    _build(Kind.MONTHLY, last, pm)
    quarter = add_months(quarter_start(timezone.localdate()), -3)
    report = _build(Kind.QUARTERLY, quarter, pm)
    if report and report.status == Status.DRAFT:
        services.save_summary(
            report_id=report.pk,
            summary="KPIs for the quarter, programme-wide and per cluster.\n\n"
            + services.key_figures_text(report),
            user=pm,
        )
        services.issue_report(report_id=report.pk, user=pm)
