"""A consultant fills a week, the programme manager approves until the cap refuses and
issues an invoice; a cluster lead sees their cluster's hours and no money. Every page is
checked with axe."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"


def _first_blank_row() -> int:
    from accounts.models import User
    from timesheets.models import Status, TimeEntry

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    drafts = TimeEntry.objects.filter(
        consultant=User.objects.get(email="consultant@example.org"),
        status=Status.DRAFT,
        adjusts__isnull=True,
        date__gte=monday,
        date__lt=monday + datetime.timedelta(days=7),
    ).count()
    return drafts + 1


def _fill(page, row, *, duration, unit="Days", description="Coaching the hub manager"):
    page.get_by_label(f"Row {row}: Cluster").select_option(label="North East")
    page.get_by_label(f"Row {row}: Requirement").select_option(label="R2 coaching")
    page.get_by_label(f"Row {row}: Activity").select_option(label="Coaching")
    page.get_by_label(f"Row {row}: Duration").fill(duration)
    page.get_by_label(f"Row {row}: Unit").select_option(label=unit)
    page.get_by_label(f"Row {row}: What you did").fill(description)


def test_a_week_is_filled_approved_up_to_the_cap_and_invoiced(browser, page, live_server, demo):
    row = _first_blank_row()
    sign_in(page, live_server, "consultant@example.org", DEMO)
    page.goto(f"{live_server.url}/timesheets/week/")
    assert_accessible(page)

    # one bad row: nothing is saved and the row is named
    _fill(page, row, duration="0.5")
    _fill(page, row + 1, duration="6", unit="Hours", description="Data-sharing workshop")
    page.get_by_role("button", name="Save and submit the week for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"Row {row + 1}: That would make")
    assert_accessible(page)

    page.get_by_label(f"Row {row + 1}: Duration").fill("3.75")
    page.get_by_role("button", name="Save and submit the week for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "saved and submitted for approval"
    )
    assert_accessible(page)

    context = browser.new_context()
    try:
        _approve_until_refused_and_invoice(context.new_page(), live_server)
    finally:
        context.close()  # no keep-alive connection left holding the live server's database


def _approve_until_refused_and_invoice(manager, live_server):
    sign_in(manager, live_server, "pm@example.org", DEMO)
    expect(manager.locator("main")).to_contain_text("Approved cost has passed 90%")
    assert_accessible(manager)
    manager.goto(f"{live_server.url}/timesheets/approvals/")
    assert_accessible(manager)
    banner = manager.locator(".govuk-notification-banner").first
    for _ in range(80):
        manager.locator("button[name=only]").first.click()
        manager.wait_for_load_state()
        if "Not approved" in (banner.text_content() or ""):
            break
    expect(banner).to_contain_text(
        re.compile(r"Headroom left in \d{4}-\d{2}: £[\d,]+\.\d\d, which is [\d.]+ days? at £")
    )
    assert_accessible(manager)

    manager.goto(f"{live_server.url}/timesheets/invoices/")
    assert_accessible(manager)
    manager.get_by_role("link", name=re.compile("Prepare the invoice for")).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Invoice for")
    assert_accessible(manager)
    manager.get_by_role("link", name="Issue this invoice").click()
    expect(manager.locator("main")).to_contain_text("cannot be undone")
    assert_accessible(manager)
    manager.get_by_role("button", name="Issue the invoice").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text("issued")
    assert_accessible(manager)

    # an invoiced entry offers no change to anyone, only an adjustment
    from timesheets.models import Invoice

    entry = Invoice.objects.order_by("-month").first().entries.first()
    manager.goto(f"{live_server.url}/timesheets/entries/{entry.pk}/")
    expect(manager.locator("main")).to_contain_text("Invoiced time never changes")
    expect(manager.get_by_role("link", name="Return to draft")).to_have_count(0)
    assert_accessible(manager)


def test_a_cluster_lead_sees_their_clusters_hours_and_no_money(page, live_server, demo):
    sign_in(page, live_server, "lead.northeast@example.org", DEMO)
    expect(page.locator("main")).to_contain_text("Support your cluster received")
    page.get_by_role("link", name="Support received").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Days of support against the plan")
    main = page.locator("main")
    expect(main).to_contain_text("North East")
    expect(main).not_to_contain_text("£")
    expect(main).not_to_contain_text("Foster4")
    assert_accessible(page)
    page.get_by_role("link", name="Time received").click()
    expect(main).to_contain_text("Hours")
    expect(main).not_to_contain_text("£")
    expect(main).not_to_contain_text("Cost")
    assert_accessible(page)
    assert page.goto(f"{live_server.url}/timesheets/invoices/").status == 403
    assert page.goto(f"{live_server.url}/timesheets/burn-up/").status == 403
