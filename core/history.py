"""Change history (django-simple-history) as rows a person can read: who, when, what."""


def history_rows(instance, limit: int = 25) -> list[dict]:
    """The object's latest changes, newest first, each with the fields that changed.

    Two queries whatever the length: the records (with their users) are diffed in memory.
    """
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-pk")[
            : limit + 1
        ]
    )
    rows = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(rows) == limit:
            break
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                field = instance._meta.get_field(change.field)
                changes.append(
                    {
                        "field": str(field.verbose_name).capitalize(),
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
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


def _display(field, value):
    if value is None or value == "":
        return "(empty)"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value
