"""Bids in a browser on the demo: a programme manager adds a criterion (after a refusal with
its message), sees it on the comparison of the wave-2 bids, and opens a bid; Foster4's lead
sees only Foster4's bid, with its grant. Every page visited is checked with axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"


def test_a_criterion_is_added_and_compared_and_a_lead_sees_only_their_bid(
    browser, live_server, demo
):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "pm@example.org", DEMO)
    page.goto(f"{live_server.url}/engagement/bids/criteria/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the criterion.")
    assert_accessible(page)
    page.get_by_label("Name").fill("Sufficiency plan")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Criterion added")

    page.goto(f"{live_server.url}/engagement/bids/compare/")
    assert_accessible(page)
    row = page.get_by_role("row", name="Sufficiency plan")
    # every demo bid was decided before the criterion existed
    expect(row).to_contain_text("Not tested (added after the decision)")
    page.get_by_role("link", name="Foster4 (Cheshire and Merseyside)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foster4 (Cheshire and Merseyside)")
    assert_accessible(page)
    context.close()

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "lead.foster4@example.org", DEMO)
    page.goto(f"{live_server.url}/engagement/bids/")
    assert_accessible(page)
    table = page.locator("table")
    expect(table).to_contain_text("Foster4")
    expect(table).not_to_contain_text("East Midlands")
    page.get_by_role("link", name="Foster4 (Cheshire and Merseyside)").click()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("£2,300,000")
    context.close()
