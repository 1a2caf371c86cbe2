"""Issue 9's check for technical support, in a browser on the demo: the North East lead
raises a request; a consultant diagnoses it; the programme manager approves 3 days; 2 days
of R3 time logged against it leave 1, shown on the request page. Every page is checked
with axe."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"
WHAT = "Match enquiries across the LAs' case management systems"


def _free_days(email: str, n: int) -> list[datetime.date]:
    """Recent past dates on which the consultant has logged nothing yet."""
    from timesheets.models import TimeEntry

    taken = set(TimeEntry.objects.filter(consultant__email=email).values_list("date", flat=True))
    day, free = timezone.localdate() - datetime.timedelta(days=1), []
    while len(free) < n:
        if day not in taken:
            free.append(day)
        day -= datetime.timedelta(days=1)
    return free


def test_a_north_east_request_is_diagnosed_approved_and_drawn_down(browser, live_server, demo):
    needed = (timezone.localdate() + datetime.timedelta(days=45)).isoformat()

    # the North East lead raises a request
    lead, page = signed_in(browser, live_server, "lead.northeast@example.org")
    page.goto(f"{live_server.url}/engagement/support/")
    assert_accessible(page)
    page.get_by_role("link", name="Request technical support").click()
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what support is needed.")
    assert_accessible(page)
    page.get_by_label("Data sharing between LAs").check()
    page.get_by_label("What is needed").fill(WHAT)
    page.get_by_label("Why it is needed").fill("Enquirers who contact two LAs count twice.")
    page.get_by_label("Needed by").fill(needed)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(WHAT)
    request_url = page.url
    reference = re.search(r"TS-\d+", page.get_by_role("heading", level=1).inner_text())[0]
    assert_accessible(page)

    # a consultant diagnoses it
    consultant, page = signed_in(browser, live_server, "consultant@example.org")
    page.goto(request_url)
    page.get_by_role("link", name="Diagnose and propose days").click()
    assert_accessible(page)
    page.get_by_label("Diagnosis").fill("A common extract and a weekly matching job.")
    page.get_by_label("Days proposed").fill("3")
    page.get_by_role("button", name="Propose these days").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Diagnosed")

    # the programme manager approves 3 days
    pm, page = signed_in(browser, live_server, "pm@example.org")
    page.goto(f"{live_server.url}/")
    # on the home page it waits for approval (and shows under what changed as well)
    page.get_by_role("link", name=re.compile(reference)).first.click()
    page.get_by_role("link", name="Approve days").click()
    assert_accessible(page)
    expect(page.get_by_label("Days approved")).to_have_value("3.00")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#draw-down")).to_contain_text("3 days (22.50 hours)")
    pm.close()

    # two days of R3 time logged against it
    page = consultant.pages[0]
    for day in _free_days("consultant@example.org", 2):
        page.goto(request_url)
        page.get_by_role("link", name="Log R3 time against it").click()
        expect(page.get_by_label("R3: technical expertise")).to_be_checked()
        page.get_by_label("Date").fill(day.isoformat())
        page.get_by_label("Duration", exact=True).fill("1")
        page.get_by_label("What you did").fill("Matching job with the LAs' data leads")
        page.get_by_role("button", name="Save as a draft").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Time saved")
    assert_accessible(page)
    consultant.close()

    # the request page shows 1 day left, to the lead, with no money
    page = lead.pages[0]
    page.goto(request_url)
    row = page.locator("#draw-down .govuk-summary-list__row")
    expect(row.filter(has_text="Days used")).to_contain_text("2 days (15.00 hours)")
    expect(row.filter(has_text="Days left")).to_contain_text("1 day (7.50 hours)")
    expect(page.locator("main")).not_to_contain_text("£")
    assert_accessible(page)
    lead.close()
