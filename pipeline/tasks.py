from celery import shared_task


@shared_task(name="pipeline.validate_import", soft_time_limit=11 * 60, time_limit=12 * 60)
def validate_import(batch_id: int) -> None:
    """Validate one uploaded export (thin: the rules are in the service)."""
    from .services.records import validate_batch

    validate_batch(batch_id=batch_id)


@shared_task(name="pipeline.sweep_imports", soft_time_limit=120, time_limit=180)
def sweep_imports() -> dict:
    """Every five minutes (beat): imports left behind by a lost worker or a broker outage."""
    from .services.records import sweep_imports as sweep

    return sweep()


@shared_task(name="pipeline.keep_figures", soft_time_limit=120, time_limit=180)
def keep_figures() -> int:
    """After case records change: work out the funnels DfE and the programme open most
    (England, this and last financial year, this and last month, with their year-earlier
    comparisons, the people counted once and the page's charts) and keep them, so that
    their first reader after an import reads them instead of counting every record of the
    period and drawing. Returns how many periods it kept."""
    from django.utils import timezone

    from .charts import funnel_page_charts
    from .scope import ENGLAND, add_months, make_period
    from .selectors import benchmark_scopes, benchmarks, funnel_comparison

    today = timezone.localdate()
    periods = [
        make_period("fy", today),
        make_period("fy", add_months(today, -12)),
        make_period("month", today),
        make_period("month", add_months(today, -1)),
    ]
    for period in periods:
        data = funnel_comparison(ENGLAND, period)
        funnel_page_charts(ENGLAND, data, benchmarks(benchmark_scopes(ENGLAND), period))
    return len(periods)
