"""Change history (django-simple-history) as rows a person can read: who, when, what."""

from collections import defaultdict

from django.utils.text import capfirst


def history_rows(instance, limit: int = 25) -> list[dict]:
    """The object's latest changes, newest first, each with the fields that changed.

    A fixed number of queries whatever the length: the records (with their users) are
    diffed in memory, and related objects named with one query per related model.
    """
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-pk")[
            : limit + 1
        ]
    )
    # each record is compared with the one after it; the last is shown as it was recorded
    rows = diff_rows(records, type(instance), limit)
    name_values(rows)
    return rows


def diff_rows(records: list, model, limit: int = 25) -> list[dict]:
    """The rows with raw values; call ``name_values`` once on every row to be shown."""
    rows = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(rows) == limit:
            break
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                field = model._meta.get_field(change.field)
                changes.append({"field": field, "old": change.old, "new": change.new})
        rows.append(
            {
                "when": newer.history_date,
                "who": newer.history_user or "the system",
                "kind": {"+": "Created", "~": "Changed", "-": "Deleted"}[newer.history_type],
                "changes": changes,
                "reason": newer.history_change_reason or "",
            }
        )
    return rows


def name_values(rows: list[dict]) -> None:
    """Turn raw values into what a person reads: choice labels, and related objects by name
    (one query per related model, not per change)."""
    wanted = defaultdict(set)
    for row in rows:
        for change in row["changes"]:
            field = change["field"]
            if field.is_relation and field.many_to_one:
                for value in (change["old"], change["new"]):
                    if value is not None:
                        wanted[field.related_model].add(value)
    found = {model: model._default_manager.in_bulk(list(ids)) for model, ids in wanted.items()}
    for row in rows:
        for change in row["changes"]:
            field = change.pop("field")
            change["field"] = capfirst(str(field.verbose_name))
            for key in ("old", "new"):
                change[key] = _display(field, change[key], found)


def _display(field, value, found):
    if value is None or value == "":
        return "(empty)"
    if field.is_relation and field.many_to_one:
        obj = found.get(field.related_model, {}).get(value)
        return str(obj) if obj is not None else f"(deleted {field.verbose_name})"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def changed_by(instance, by, reason: str = "") -> None:
    """Record who makes the next save of ``instance`` (and why) in its history, inside or
    outside a request."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason
