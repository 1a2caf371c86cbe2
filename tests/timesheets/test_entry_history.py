"""Every save of a time entry, in any state (a draft's edits too), keeps the old and new
values and who made it (issue 16)."""

from decimal import Decimal

from timesheets import services as time_services
from timesheets.models import TimeEntry

from .conftest import JUNE, log


def test_a_drafts_edits_are_kept_with_who_and_the_old_and_new_values(consultant, contract):
    entry = log(consultant, days="1", description="Coaching the hub manager")
    time_services.save_entry(
        consultant=consultant,
        entry=entry,
        date=JUNE,
        cluster=None,
        requirement=entry.requirement,
        activity=entry.activity,
        days=Decimal("0.5"),
        description="Coaching, half a day",
    )
    history = list(TimeEntry.history.filter(id=entry.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    change = history[1].diff_against(history[0])
    changed = {c.field: (c.old, c.new) for c in change.changes}
    assert changed["days"] == (Decimal("1.000"), Decimal("0.500"))
    assert changed["description"] == ("Coaching the hub manager", "Coaching, half a day")
