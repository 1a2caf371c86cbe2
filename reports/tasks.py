from celery import shared_task


@shared_task(name="reports.build_report", soft_time_limit=11 * 60, time_limit=12 * 60)
def build_report(report_id: int) -> bool:
    """Build one queued report (thin: the rules and the idempotence are in the service)."""
    from .services import build_report as build

    return build(report_id=report_id)


@shared_task(name="reports.draft_last_month", soft_time_limit=50, time_limit=60)
def draft_last_month() -> int | None:
    """Celery beat, on the 5th of each month: queue last month's report."""
    from .services import draft_last_month as draft

    report = draft()
    return report.pk if report else None


@shared_task(name="reports.sweep_builds", soft_time_limit=60, time_limit=90)
def sweep_builds() -> int:
    """Every five minutes (beat): builds never queued, or whose worker was lost."""
    from .services import sweep_builds as sweep

    return sweep()


@shared_task(name="reports.render_issued", soft_time_limit=5 * 60, time_limit=6 * 60)
def render_issued(report_id: int) -> int:
    """Render and store an issued report's files once, at issue."""
    from .services import render_issued_files

    return render_issued_files(report_id)
