"""Filling a week at once: every row saved, or none; last week copied in for checking."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.clock import FIXED_DAY
from tests.conftest import client_for
from timesheets.models import Status, TimeEntry

from .conftest import JUNE, approved, log

pytestmark = pytest.mark.dates

WEEK = reverse("timesheets:week") + f"?start={JUNE.isoformat()}"


def _row(
    day,
    *,
    cluster="",
    requirement="R2",
    activity="coaching",
    duration="1",
    unit="days",
    description="Coaching",
    entry="",
    delete=False,
):
    row = {
        "entry": entry,
        "date": day.isoformat(),
        "cluster": cluster,
        "requirement": requirement,
        "activity": activity,
        "duration": duration,
        "unit": unit,
        "description": description,
    }
    if delete:
        row["delete"] = "on"
    return row


def _post(client, rows, **extra):
    data = {
        "row-TOTAL_FORMS": str(len(rows)),
        "row-INITIAL_FORMS": "0",
        "row-MIN_NUM_FORMS": "0",
        "row-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, row in enumerate(rows):
        data.update({f"row-{i}-{k}": v for k, v in row.items()})
    return client.post(WEEK, data)


def _day(n):
    return JUNE + datetime.timedelta(days=n)


def test_a_consultant_fills_a_week_at_once(consultant, north_east):
    client = client_for(consultant)

    response = _post(
        client,
        [
            _row(_day(0), cluster=north_east.pk),
            _row(_day(1), duration="3.75", unit="hours", requirement="R1", activity="reporting"),
            _row(_day(1), duration="0.5", cluster=north_east.pk),
            _row(_day(2), duration="", description=""),  # a blank row is left out
        ],
    )

    assert response.status_code == 302
    entries = list(TimeEntry.objects.order_by("date", "pk"))
    assert [(e.date, e.days, e.status) for e in entries] == [
        (_day(0), Decimal("1"), Status.DRAFT),
        (_day(1), Decimal("0.5"), Status.DRAFT),
        (_day(1), Decimal("0.5"), Status.DRAFT),
    ]


def test_one_bad_row_saves_none_of_the_week_and_names_the_row(consultant, contract):
    client = client_for(consultant)

    response = _post(
        client,
        [
            _row(_day(0)),
            _row(_day(1), duration="0.75"),
            _row(_day(1), duration="0.5"),  # 1.25 days on one date
            _row(_day(2)),
        ],
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
    assert "Row 3: That would make 1.25 days (9.38 hours) on 4 June 2024" in body
    assert 'href="#id_row-2-duration"' in body


def test_a_started_row_must_be_complete(consultant, contract):
    response = _post(client_for(consultant), [_row(_day(0), requirement="", duration="1")])

    assert "Row 1: Choose the requirement." in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_save_and_submit_sends_the_week_for_approval(consultant, contract):
    _post(client_for(consultant), [_row(_day(0)), _row(_day(1))], submit="1")

    assert set(TimeEntry.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_the_weeks_drafts_are_changed_and_deleted_in_the_same_form(consultant, contract):
    keep = log(consultant, _day(0), days="0.5")
    drop = log(consultant, _day(1))

    _post(
        client_for(consultant),
        [
            _row(_day(0), entry=str(keep.pk), duration="1"),
            _row(_day(1), entry=str(drop.pk), delete=True),
        ],
    )

    assert list(TimeEntry.objects.values_list("pk", "days")) == [(keep.pk, Decimal("1"))]


def test_someone_elses_entry_cannot_be_slipped_into_your_week(consultant, colleague, contract):
    theirs = log(colleague, _day(0))

    response = _post(client_for(consultant), [_row(_day(0), entry=str(theirs.pk), duration="0.5")])

    assert response.status_code == 404
    assert TimeEntry.objects.get(pk=theirs.pk).days == 1


def test_submitted_and_approved_time_is_shown_but_not_offered_for_change(consultant, pm):
    approved(consultant, pm, _day(0))

    body = client_for(consultant).get(WEEK).content.decode()

    assert "Submitted, approved and invoiced this week" in body
    assert 'name="row-0-entry"' in body and 'name="row-0-entry" value=' not in body


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_copy_last_week_fills_rows_to_check_without_saving_them(consultant, north_east):
    for n in (0, 2):
        log(consultant, JUNE + datetime.timedelta(days=n), cluster=north_east)

    response = client_for(consultant).get(
        reverse("timesheets:week")
        + f"?start={(JUNE + datetime.timedelta(days=7)).isoformat()}&copy=1"
    )

    body = response.content.decode()
    assert TimeEntry.objects.count() == 2  # nothing saved until the consultant saves
    assert "2 entries copied from last week" in body
    assert '<option value="2024-06-10" selected>' in body
    assert '<option value="2024-06-12" selected>' in body


@pytest.mark.parametrize("role", ["lead", "dfe"])
def test_only_delivery_partner_staff_log_time(users, role, contract):
    assert client_for(users[role]).get(WEEK).status_code == 403
