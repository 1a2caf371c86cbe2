"""A month's invoice: its lines, totals and cap position; issuing locks the time; one per
month, in order, in arrears; late time goes into the next; every format shows the same."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import client_for
from timesheets import services
from timesheets.models import Invoice, Status, TimeEntry

from .conftest import JUNE, approved, submitted

pytestmark = pytest.mark.dates

JULY = datetime.date(2024, 7, 1)


@pytest.fixture
def june_time(consultant, colleague, pm, north_east):
    """June: the consultant 1.5 days for the North East (R2) and 0.5 programme-wide (R1);
    the colleague a day; one entry still waiting for approval."""
    approved(consultant, pm, JUNE, cluster=north_east)
    approved(consultant, pm, JUNE + datetime.timedelta(days=1), days="0.5", cluster=north_east)
    approved(consultant, pm, JUNE + datetime.timedelta(days=2), days="0.5", requirement="R1")
    approved(colleague, pm, JUNE, cluster=north_east)
    return submitted(colleague, JUNE + datetime.timedelta(days=3))


def _lines(invoice_or_data):
    snapshot = getattr(invoice_or_data, "snapshot", invoice_or_data)
    return [
        (
            person["name"],
            line["kind"],
            line["cluster"],
            line["requirement"],
            line["days"],
            line["cost"],
        )
        for person in snapshot["consultants"]
        for line in person["lines"]
    ]


def test_an_invoice_has_lines_per_consultant_cluster_and_requirement_with_totals(june_time, pm):
    invoice = services.issue_invoice(month=JUNE, by=pm)

    assert invoice.number == "FRRP-0001" and invoice.month == datetime.date(2024, 6, 1)
    assert _lines(invoice) == [
        ("Alex Colleague", "June 2024", "North East", "R2", "1.000", "800.00"),
        ("Callum Consultant", "June 2024", "North East", "R2", "1.500", "1200.00"),
        ("Callum Consultant", "June 2024", "Programme-wide", "R1", "0.500", "400.00"),
    ]
    consultants = invoice.snapshot["consultants"]
    assert [(p["name"], p["days"], p["cost"]) for p in consultants] == [
        ("Alex Colleague", "1.000", "800.00"),
        ("Callum Consultant", "2.000", "1600.00"),
    ]
    assert invoice.total == Decimal("2400.00") and invoice.snapshot["total"] == "2400.00"
    assert invoice.snapshot["hours"] == "22.50"


def test_the_invoice_shows_the_cap_position_after_it(june_time, pm):
    invoice = services.issue_invoice(month=JUNE, by=pm)

    year, whole = invoice.snapshot["caps"]
    assert year == {
        "label": "2024-25",
        "cap": "350000.00",
        "before": "0",
        "this": "2400.00",
        "after": "2400.00",
        "headroom": "347600.00",
        "percent": "0.7",
    }
    assert whole["label"] == "Whole contract" and whole["headroom"] == "997600.00"


def test_issuing_locks_the_months_entries_and_leaves_waiting_time_out(june_time, pm):
    invoice = services.issue_invoice(month=JUNE, by=pm)

    assert invoice.entries.count() == 4
    assert set(invoice.entries.values_list("status", flat=True)) == {Status.INVOICED}
    assert TimeEntry.objects.get(pk=june_time.pk).status == Status.SUBMITTED
    entry = invoice.entries.first()
    assert entry.status_changes.last().reason == "Invoice FRRP-0001"


def test_a_second_invoice_for_the_same_month_is_refused(june_time, pm):
    services.issue_invoice(month=JUNE, by=pm)

    with pytest.raises(ValidationError, match="June 2024 has already been invoiced"):
        services.issue_invoice(month=JUNE, by=pm)
    assert Invoice.objects.count() == 1


def test_late_time_goes_into_the_next_invoice_as_late_time(june_time, colleague, pm):
    services.issue_invoice(month=JUNE, by=pm)
    services.approve_entry(entry_id=june_time.pk, by=pm)  # June time approved after June's invoice
    approved(colleague, pm, datetime.date(2024, 7, 2))

    july = services.issue_invoice(month=JULY, by=pm)

    assert _lines(july) == [
        ("Alex Colleague", "July 2024", "Programme-wide", "R2", "1.000", "900.00"),
        ("Alex Colleague", "Late time from June 2024", "Programme-wide", "R2", "1.000", "800.00"),
    ]


def test_an_adjustment_goes_into_the_invoice_of_the_month_it_is_booked_in(
    june_time, consultant, pm
):
    june = services.issue_invoice(month=JUNE, by=pm)
    original = june.entries.filter(consultant=consultant, days=1).get()
    adjustment = services.record_adjustment(
        adjusts_id=original.pk, by=pm, days=Decimal("-0.5"), reason="Travel", date=JULY
    )
    services.approve_entry(entry_id=adjustment.pk, by=pm)

    july = services.issue_invoice(month=JULY, by=pm)

    assert _lines(july) == [
        ("Callum Consultant", "Adjustment to June 2024", "North East", "R2", "-0.500", "-400.00"),
    ]
    assert july.total == Decimal("-400.00")


def test_months_are_invoiced_in_order_and_in_arrears(june_time, colleague, pm):
    approved(colleague, pm, datetime.date(2024, 7, 2))
    services.issue_invoice(month=JULY, by=pm)

    with pytest.raises(ValidationError, match="July 2024 has already been invoiced: months"):
        services.issue_invoice(month=JUNE, by=pm)
    with pytest.raises(ValidationError, match="has not ended yet"):
        services.issue_invoice(
            month=datetime.date(2024, 8, 1), by=pm, today=datetime.date(2024, 8, 20)
        )


def test_a_month_without_approved_time_is_not_invoiced(contract, pm):
    with pytest.raises(ValidationError, match="no approved time to invoice for June 2024"):
        services.issue_invoice(month=JUNE, by=pm)


def test_an_issued_invoice_never_changes(june_time, pm):
    invoice = services.issue_invoice(month=JUNE, by=pm)
    services.approve_entry(entry_id=june_time.pk, by=pm)

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total=Decimal("1"))
    invoice.refresh_from_db()
    assert invoice.total == Decimal("2400.00") and invoice.entries.count() == 4


def test_issuing_asks_for_confirmation_first(june_time, pm):
    client = client_for(pm)
    url = reverse("timesheets:invoice_issue", args=["2024-06"])

    page = client.get(url).content.decode()
    assert "Issue the invoice for June 2024?" in page and "cannot be undone" in page
    assert not Invoice.objects.exists()

    response = client.post(url)
    invoice = Invoice.objects.get()
    assert response.url == reverse("timesheets:invoice_detail", args=[invoice.pk])
    again = client.post(url)
    assert again.status_code == 400 and "already been invoiced" in again.content.decode()


def test_the_preview_warns_of_time_still_waiting(june_time, pm):
    page = client_for(pm).get(reverse("timesheets:invoice_preview", args=["2024-06"]))

    body = page.content.decode()
    assert "1 entry from June 2024 (1 day) is still in draft or waiting for approval" in body
    assert "£2,400.00" in body


def test_pdf_csv_and_xlsx_carry_the_same_lines_and_total(june_time, pm, dfe):
    invoice = services.issue_invoice(month=JUNE, by=pm)
    client = client_for(dfe)  # DfE reads invoices too

    def get(fmt):
        response = client.get(reverse("timesheets:invoice_download", args=[invoice.pk, fmt]))
        assert response.status_code == 200
        return response.content

    rows = list(csv.reader(io.StringIO(get("csv").decode("utf-8-sig"))))
    assert [
        "Callum Consultant",
        "Senior consultant",
        "June 2024",
        "North East",
        "R2",
        "1.500",
        "11.25",
        "800.00",
        "1200.00",
    ] in rows
    assert ["Total excluding VAT", "", "", "", "", "3.000", "22.50", "", "2400.00"] in rows
    sheet = load_workbook(io.BytesIO(get("xlsx"))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Total excluding VAT", None, None, None, None, 3.0, 22.5, None, 2400.0] in values
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(get("pdf"))).pages)
    assert "Invoice FRRP-0001: June 2024" in text
    for figure in ("£2,400.00", "£1,200.00", "£347,600.00", "Total excluding VAT"):
        assert figure in text
