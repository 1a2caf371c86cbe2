"""Logging time: the rules of services.check_entry, the conversion between days and hours,
and the cost fixed on each entry."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programme.models import DayRate
from programme.services import add_day_rate
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from timesheets import services
from timesheets.models import TimeEntry

from .conftest import JUNE, RATE_RISE, approved, log

pytestmark = pytest.mark.dates


def _errors(error: ValidationError) -> dict:
    return error.message_dict


def test_time_is_logged_as_a_draft_with_its_cost_at_the_grades_rate(consultant):
    entry = log(consultant, days="0.5")

    assert entry.status == "draft"
    assert entry.day_rate == Decimal("800") and entry.cost == Decimal("400.00")
    assert entry.grade.name == "Senior consultant"
    assert entry.status_changes.get().by == consultant  # logged, by whom and when


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_hours_are_stored_once_as_days_and_shown_both_ways(consultant, contract):
    client = client_for(consultant)
    response = client.post(
        reverse("timesheets:entry_create"),
        {
            "date": "2024-06-03",
            "cluster": "",
            "requirement": "R1",
            "activity": "reporting",
            "duration": "3.75",
            "unit": "hours",
            "description": "Highlight report",
        },
    )

    entry = TimeEntry.objects.get()
    assert response.status_code == 302
    assert entry.days == Decimal("0.5")
    page = client.get(reverse("timesheets:entry_detail", args=[entry.pk])).content.decode()
    assert "0.5 days (3.75 hours)" in page


def test_a_date_outside_the_contract_is_refused_on_the_date_field(consultant, contract):
    with pytest.raises(ValidationError) as refused:
        log(consultant, day=datetime.date(2023, 5, 31))

    assert "within the contract, 1 June 2023 to 31 March 2028" in _errors(refused.value)["date"][0]
    assert not TimeEntry.objects.exists()


def test_a_date_in_the_future_is_refused(consultant):
    with pytest.raises(ValidationError) as refused:
        log(consultant, day=JUNE, today=JUNE - datetime.timedelta(days=1))

    assert _errors(refused.value)["date"] == ["Time cannot be logged for a date in the future."]


@pytest.mark.parametrize("days", ["0", "-0.5"])
def test_zero_or_negative_time_is_refused(consultant, days):
    with pytest.raises(ValidationError) as refused:
        log(consultant, days=days)

    assert _errors(refused.value)["duration"] == ["Enter a duration of more than 0."]


def test_more_than_a_day_in_one_entry_is_refused(consultant):
    with pytest.raises(ValidationError) as refused:
        log(consultant, days="1.5")

    assert "at most 1 day (7.5 hours)" in _errors(refused.value)["duration"][0]


def test_more_than_a_day_on_a_date_across_entries_is_refused_with_what_is_left(consultant):
    log(consultant, days="0.75")

    with pytest.raises(ValidationError) as refused:
        log(consultant, days="0.5")

    message = _errors(refused.value)["duration"][0]
    assert "That would make 1.25 days (9.38 hours) on 3 June 2024" in message
    assert "0.25 days (1.88 hours) left on that date" in message
    assert TimeEntry.objects.count() == 1


def test_hours_that_do_not_divide_a_day_evenly_still_fill_exactly_one_day(consultant, contract):
    for _ in range(3):
        log(consultant, days=str(services.to_days(Decimal("2.5"), "hours", Decimal("7.5"))))

    assert TimeEntry.objects.count() == 3  # 3 x 2.5 hours is 7.5 hours: one day, not more
    with pytest.raises(ValidationError):
        log(consultant, days=str(services.to_days(Decimal("0.25"), "hours", Decimal("7.5"))))


def test_another_consultants_time_on_the_same_date_does_not_count(consultant, colleague):
    log(consultant, days="1")
    assert log(colleague, days="1").pk


def test_a_description_is_required(consultant):
    with pytest.raises(ValidationError) as refused:
        log(consultant, description="  ")

    assert _errors(refused.value)["description"] == ["Describe the work done."]


def test_someone_without_a_grade_is_told_to_ask_for_it(consultant):
    consultant.grade = None
    consultant.save()

    with pytest.raises(ValidationError) as refused:
        log(consultant)

    assert "has no grade on the rate card" in refused.value.messages[0]


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_an_unknown_cluster_is_refused_on_the_form(consultant, contract):
    response = client_for(consultant).post(
        reverse("timesheets:entry_create"),
        {
            "date": "2024-06-03",
            "cluster": "99999",
            "requirement": "R2",
            "activity": "coaching",
            "duration": "1",
            "unit": "days",
            "description": "Coaching",
        },
    )

    assert response.status_code == 200
    assert "Choose a cluster from the list, or programme-wide." in response.content.decode()
    assert not TimeEntry.objects.exists()


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_the_form_shows_a_rule_broken_on_its_field_and_saves_nothing(consultant, contract):
    response = client_for(consultant).post(
        reverse("timesheets:entry_create"),
        {
            "date": "2022-01-10",
            "requirement": "R2",
            "activity": "coaching",
            "duration": "1",
            "unit": "days",
            "description": "Coaching",
        },
    )

    body = response.content.decode()
    assert 'href="#id_date"' in body and "Enter a date within the contract" in body
    assert not TimeEntry.objects.exists()


def test_cost_uses_the_rate_valid_on_the_entrys_date(consultant):
    before = log(consultant, day=RATE_RISE - datetime.timedelta(days=1))
    after = log(consultant, day=RATE_RISE)

    assert before.cost == Decimal("800.00") and after.cost == Decimal("900.00")


def test_approved_time_keeps_its_rate_when_a_new_rate_is_added(consultant, pm, senior):
    entry = approved(consultant, pm, day=datetime.date(2024, 8, 1))

    add_day_rate(grade=senior, valid_from=datetime.date(2024, 8, 1), rate=Decimal("1000"))
    entry.refresh_from_db()

    assert entry.cost == Decimal("900.00")
    assert DayRate.objects.filter(grade=senior).count() == 3


def test_a_rate_added_before_approval_applies_when_the_entry_is_approved(consultant, pm, senior):
    entry = log(consultant, day=datetime.date(2024, 8, 1))
    services.submit_entry(entry_id=entry.pk, by=consultant)

    add_day_rate(grade=senior, valid_from=datetime.date(2024, 8, 1), rate=Decimal("1000"))
    entry = services.approve_entry(entry_id=entry.pk, by=pm)

    assert entry.cost == Decimal("1000.00")


def test_only_a_draft_is_changed_and_only_by_its_consultant(consultant, colleague, pm):
    entry = approved(consultant, pm)

    with pytest.raises(ValidationError, match="only a draft can be changed"):
        log(consultant, days="0.5", entry=entry)
    draft = log(colleague)
    assert (
        client_for(consultant).get(reverse("timesheets:entry_edit", args=[draft.pk])).status_code
        == 404
    )
