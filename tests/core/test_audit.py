"""Complete audit (issue 16): a return's counts (and a time entry's edits, in
tests/timesheets/test_entry_history.py, and an event's attendance list, in
tests/insights/test_events.py) keep their old and new values and who changed them, on the record's
history; and a programme manager downloads every change of a period as one audit log."""

import csv
import datetime
import io

import pytest

from pipeline.services.returns import ReturnCounts, save_return, submit_return
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import authorities

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FIXED_DAY)]
MAY = datetime.date(2024, 5, 1)


def test_a_returns_counts_keep_their_old_and_new_values(users, north_east):
    lead = users["lead"]
    darlington = authorities("Darlington")[0]
    saved, _ = save_return(
        local_authority=darlington,
        month=MAY,
        counts=ReturnCounts(stages={"enquiry": 55, "application": 3}),
        user=lead,
    )
    save_return(
        local_authority=darlington,
        month=MAY,
        counts=ReturnCounts(stages={"enquiry": 5, "application": 3}),
        user=lead,
    )
    submit_return(monthly_return=saved, user=lead)
    page = client_for(users["pm"]).get(f"/pipeline/returns/{saved.pk}/").content.decode()
    assert "Initial enquiry 55; Application 3 → Initial enquiry 5; Application 3" in page


def test_a_programme_manager_downloads_every_change_of_a_period(users, north_east, settings):
    lead = users["lead"]
    darlington = authorities("Darlington")[0]
    save_return(
        local_authority=darlington,
        month=MAY,
        counts=ReturnCounts(stages={"enquiry": 55}),
        user=lead,
    )
    today = FIXED_DAY.date().isoformat()
    pm = client_for(users["pm"])
    page = pm.get("/audit/", {"date_from": today, "date_to": today}).content.decode()
    assert "Monthly return" in page and "Download all as CSV" in page
    response = pm.get("/audit/", {"date_from": today, "date_to": today, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "Record", "Which", "Change", "Reason", "Fields: old → new"]
    returns = [r for r in rows[1:] if r[2] == "Monthly return"]
    assert returns and returns[0][1] == str(lead) and returns[0][4] == "Created"
    # a period before anything happened is empty; a backwards period is refused on its field
    assert (
        pm.get("/audit/", {"date_from": "2020-01-01", "date_to": "2020-01-31", "format": "csv"})
        .content.decode("utf-8-sig")
        .strip()
        .count("\n")
        == 0
    )
    backwards = pm.get("/audit/", {"date_from": today, "date_to": "2020-01-01"}).content.decode()
    assert "must not be before its start" in backwards and 'href="#id_date_to"' in backwards
    for role in ("lead", "consultant", "dfe"):
        assert client_for(users[role]).get("/audit/").status_code == 403
