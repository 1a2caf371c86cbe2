"""The demo's time tells the story it is meant to: a year and more of time across the
clusters, rejections, invoiced months, and the current year close to its cap."""

from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from accounts.models import User
from timesheets import selectors, services
from timesheets.models import Invoice, Status, StatusChange, TimeEntry


def test_the_demo_has_a_year_of_time_rejections_invoices_and_a_year_near_its_cap(db):
    call_command("seed_demo", verbosity=0)
    counts = (TimeEntry.objects.count(), StatusChange.objects.count(), Invoice.objects.count())
    call_command("seed_demo", verbosity=0)

    assert (
        TimeEntry.objects.count(),
        StatusChange.objects.count(),
        Invoice.objects.count(),
    ) == counts  # a second run changes nothing
    today = timezone.localdate()
    span = TimeEntry.objects.aggregate(first=Min("date"), last=Max("date"))
    assert (span["last"] - span["first"]).days > 365
    assert TimeEntry.objects.values("consultant").distinct().count() >= 4
    assert TimeEntry.objects.values("cluster").distinct().count() >= 8
    assert TimeEntry.objects.filter(status=Status.DRAFT).exclude(rejection_reason="").exists()
    assert Invoice.objects.count() >= 12
    assert TimeEntry.objects.filter(status=Status.SUBMITTED).exists()
    assert TimeEntry.objects.filter(adjusts__isnull=False).exists()
    # the current year's cap is close: a warning, and last week's time cannot all fit
    warning = next(w for w in selectors.cap_warnings(today) if "cap" in w["label"])
    assert warning["level"] == 90
    waiting = sum(e.cost for e in TimeEntry.objects.filter(status=Status.SUBMITTED, cost__gt=0))
    assert waiting > warning["headroom"]
    # last month is approved and waiting for its invoice
    assert selectors.next_invoice_month(today) == selectors.add_months(today.replace(day=1), -1)


def test_approving_the_demos_waiting_time_runs_into_the_cap(db):
    call_command("seed_demo", verbosity=0)
    pm = User.objects.get(email="pm@example.org")
    refusals = []
    for entry in selectors.awaiting_approval().exclude(consultant=pm):
        try:
            services.approve_entry(entry_id=entry.pk, by=pm)
        except services.ValidationError as error:
            refusals.append(error.messages[0])

    assert refusals and "Headroom left in" in refusals[0]
