"""draft -> submitted -> approved -> invoiced, back to draft with a reason, and the log of
who changed what when."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.conftest import client_for
from timesheets import services
from timesheets.models import Status, TimeEntry

from .conftest import JUNE, approved, log, submitted


def _history(entry):
    return [
        (c.from_status, c.to_status, c.by_id, c.reason)
        for c in TimeEntry.objects.get(pk=entry.pk).status_changes.all()
    ]


def test_every_status_change_is_kept_with_who_and_why(consultant, pm):
    entry = submitted(consultant)
    services.reject_entry(entry_id=entry.pk, by=pm, reason="Split out the travel.")
    services.submit_entry(entry_id=entry.pk, by=consultant)
    services.approve_entry(entry_id=entry.pk, by=pm)
    services.return_to_draft(entry_id=entry.pk, by=pm, reason="Wrong cluster.")

    assert _history(entry) == [
        ("", "draft", consultant.pk, ""),
        ("draft", "submitted", consultant.pk, ""),
        ("submitted", "draft", pm.pk, "Split out the travel."),
        ("draft", "submitted", consultant.pk, ""),
        ("submitted", "approved", pm.pk, ""),
        ("approved", "draft", pm.pk, "Wrong cluster."),
    ]
    assert all(c.at for c in entry.status_changes.all())


def test_a_rejection_reaches_the_consultant_with_its_reason(consultant, pm, contract):
    entry = submitted(consultant)
    client_for(pm).post(
        reverse("timesheets:entry_reject", args=[entry.pk]), {"reason": "Split out the travel."}
    )

    entry.refresh_from_db()
    assert entry.status == Status.DRAFT
    mine = client_for(consultant).get(reverse("timesheets:entry_list")).content.decode()
    assert "Split out the travel." in mine and "Draft (sent back)" in mine


def test_a_rejection_needs_a_reason(consultant, pm):
    entry = submitted(consultant)

    with pytest.raises(ValidationError) as refused:
        services.reject_entry(entry_id=entry.pk, by=pm, reason=" ")

    assert refused.value.message_dict == {"reason": ["Say why the time is rejected."]}


def test_a_programme_manager_never_approves_their_own_time(pm, second_pm):
    entry = submitted(pm)

    with pytest.raises(ValidationError, match="cannot approve your own time"):
        services.approve_entry(entry_id=entry.pk, by=pm)
    assert services.approve_entry(entry_id=entry.pk, by=second_pm).status == Status.APPROVED


def test_the_database_refuses_an_approval_by_the_entrys_own_consultant(pm):
    entry = submitted(pm)

    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.filter(pk=entry.pk).update(
            status=Status.APPROVED, approved_by=pm, approved_at=entry.created_at
        )


def test_a_consultant_cannot_approve(consultant, colleague, contract):
    entry = submitted(colleague)

    with pytest.raises(PermissionDenied):
        services.approve_entry(entry_id=entry.pk, by=consultant)
    response = client_for(consultant).post(
        reverse("timesheets:entry_action", args=[entry.pk, "approve"])
    )
    assert response.status_code == 404  # they cannot even see a colleague's time
    assert TimeEntry.objects.get(pk=entry.pk).status == Status.SUBMITTED


def test_a_draft_is_not_approved(consultant, pm):
    entry = log(consultant)

    with pytest.raises(ValidationError, match="only submitted time is approved"):
        services.approve_entry(entry_id=entry.pk, by=pm)


def test_the_consultant_withdraws_submitted_time_to_change_it(consultant):
    entry = submitted(consultant)

    services.withdraw_entry(entry_id=entry.pk, by=consultant)

    assert TimeEntry.objects.get(pk=entry.pk).status == Status.DRAFT


def test_approved_time_returns_to_draft_until_it_is_invoiced(consultant, pm):
    entry = approved(consultant, pm)
    services.return_to_draft(entry_id=entry.pk, by=pm, reason="Wrong requirement.")
    services.submit_entry(entry_id=entry.pk, by=consultant)
    services.approve_entry(entry_id=entry.pk, by=pm)
    services.issue_invoice(month=JUNE, by=pm)

    with pytest.raises(ValidationError, match="Invoiced time never changes"):
        services.return_to_draft(entry_id=entry.pk, by=pm, reason="Too late.")


def test_invoiced_time_cannot_be_changed_by_anyone_even_directly_in_the_database(consultant, pm):
    entry = approved(consultant, pm)
    services.issue_invoice(month=JUNE, by=pm)

    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.filter(pk=entry.pk).update(days=Decimal("0.5"))
    with pytest.raises(ValidationError):
        log(consultant, days="0.5", entry=entry)
    assert TimeEntry.objects.get(pk=entry.pk).days == 1


def test_an_adjustment_corrects_invoiced_time_in_an_open_month(consultant, pm):
    entry = approved(consultant, pm)
    services.issue_invoice(month=JUNE, by=pm)

    adjustment = services.record_adjustment(
        adjusts_id=entry.pk,
        by=consultant,
        days=Decimal("-0.5"),
        reason="Half the day was another client's.",
        date=datetime.date(2024, 7, 10),
    )

    assert adjustment.status == Status.SUBMITTED
    assert adjustment.cost == Decimal("-400.00")  # at the rate of the entry it corrects
    services.approve_entry(entry_id=adjustment.pk, by=pm)
    assert TimeEntry.objects.get(pk=entry.pk).days == 1  # the original never changes


def test_an_adjustment_needs_a_reason_an_open_month_and_cannot_take_away_too_much(consultant, pm):
    entry = approved(consultant, pm)
    services.issue_invoice(month=JUNE, by=pm)

    with pytest.raises(ValidationError) as refused:
        services.record_adjustment(
            adjusts_id=entry.pk, by=consultant, days=Decimal("-1.5"), reason="", date=JUNE
        )

    errors = refused.value.message_dict
    assert errors["reason"] == ["Say why the invoiced time is adjusted."]
    assert "June 2024 has been invoiced" in errors["date"][0]
    assert not TimeEntry.objects.filter(adjusts=entry).exists()


def test_a_positive_adjustment_counts_on_the_date_it_corrects(consultant, pm):
    entry = approved(consultant, pm, days="0.5")
    services.issue_invoice(month=JUNE, by=pm)
    july = datetime.date(2024, 7, 10)

    services.record_adjustment(
        adjusts_id=entry.pk, by=consultant, days=Decimal("0.5"), reason="Forgot half", date=july
    )
    with pytest.raises(ValidationError, match="on 3 June 2024"):
        services.record_adjustment(
            adjusts_id=entry.pk, by=consultant, days=Decimal("0.25"), reason="More", date=july
        )


def test_only_draft_time_is_deleted(consultant, pm):
    draft = log(consultant)
    services.delete_entry(entry_id=draft.pk, by=consultant)
    entry = approved(consultant, pm)

    with pytest.raises(ValidationError):
        services.delete_entry(entry_id=entry.pk, by=consultant)
    assert list(TimeEntry.objects.all()) == [entry]
