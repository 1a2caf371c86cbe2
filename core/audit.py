"""The audit log for a period: every change kept by django-simple-history, across every
model that keeps one, as rows a person can read (when, who, what, which, the change and the
fields with their old and new values). Programme managers download it as CSV."""

import datetime

from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import registered_models

from .history import diff_rows, name_values

COLUMNS = ["When", "Who", "Record", "Which", "Change", "Reason", "Fields: old → new"]


def tracked_models() -> list:
    return sorted(
        {m for m in registered_models.values() if hasattr(m, "history")},
        key=lambda m: (m._meta.app_label, m._meta.model_name),
    )


def rows(start: datetime.date, end: datetime.date) -> list[list[str]]:
    """Every change from ``start`` to ``end`` (both days whole, London time), oldest first.
    Each record is diffed against the one before it, so the change's old values are right
    even when the one before lies outside the period."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    out = []
    for model in tracked_models():
        history = model.history.model
        records = list(
            history.objects.filter(history_date__gte=since, history_date__lt=until)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        for record in records:
            before = record.prev_record
            [row] = diff_rows([record, before] if before else [record], model, 1)
            name_values([row])
            out.append(
                (
                    record.history_date,
                    [
                        timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S"),
                        str(row["who"]),
                        capfirst(str(model._meta.verbose_name)),
                        str(record.instance)[:200],
                        row["kind"],
                        row["reason"],
                        "; ".join(f"{c['field']}: {c['old']} → {c['new']}" for c in row["changes"]),
                    ],
                )
            )
    out.sort(key=lambda pair: pair[0])
    return [r for _, r in out]
