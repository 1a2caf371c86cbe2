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
