"""The demo's time tells the story it is meant to: a year and more of time across the
clusters, rejections, invoiced months, and (from the autumn) the current year close to its
cap."""

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from accounts.models import User
from tests.clock import FIXED_DAY
from tests.snapshot import demo_snapshot
from timesheets import selectors, services
from timesheets.models import Invoice, Status, StatusChange, TimeEntry

pytestmark = pytest.mark.dates


def test_the_demo_has_a_year_of_time_rejections_and_invoices_seeded_once(db):
    demo_snapshot.seed()
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
    # last month is approved and waiting for its invoice
    assert selectors.next_invoice_month(today) == selectors.add_months(today.replace(day=1), -1)


# Four consultants spend about £70,000 a month, so only from the autumn has a year's time
# come near its £450,000 cap; before then (on 1 April nothing at all is approved in the
# new year) the demo has no cap to run into. These two tests take such a day.
@pytest.mark.time_machine(FIXED_DAY)
def test_in_the_autumn_the_demos_year_is_close_to_its_cap(db):
    demo_snapshot.seed()
    # the current year's cap is close: a warning, and last week's time cannot all fit
    warning = next(w for w in selectors.cap_warnings(timezone.localdate()) if "cap" in w["label"])
    assert warning["level"] == 90
    waiting = sum(e.cost for e in TimeEntry.objects.filter(status=Status.SUBMITTED, cost__gt=0))
    assert waiting > warning["headroom"]


@pytest.mark.time_machine(FIXED_DAY)
def test_approving_the_demos_waiting_time_runs_into_the_cap(db):
    demo_snapshot.seed()
    pm = User.objects.get(email="pm@example.org")
    refusals = []
    for entry in selectors.awaiting_approval().exclude(consultant=pm):
        try:
            services.approve_entry(entry_id=entry.pk, by=pm)
        except services.ValidationError as error:
            refusals.append(error.messages[0])

    assert refusals and "Headroom left in" in refusals[0]
