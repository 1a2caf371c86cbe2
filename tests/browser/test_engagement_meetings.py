"""Meetings and actions in a browser on the demo: a consultant logs a held North East
steering group with an action owned by the North East lead; the lead finds it on their home
page and marks it done. Every page visited is checked with axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"
ACTION = "Share the agreed enquiry script with every member LA"


def test_a_consultant_logs_a_meeting_and_the_lead_marks_their_action_done(
    browser, live_server, demo
):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    context, page = signed_in(browser, live_server, "consultant@example.org")
    page.goto(f"{live_server.url}/engagement/meetings/")
    assert_accessible(page)
    page.get_by_role("link", name="Log a meeting").click()
    assert_accessible(page)
    page.get_by_label("Cluster steering group").check()
    page.get_by_label("Title").fill("North East steering group (extra)")
    page.get_by_label("Cluster", exact=True).select_option(label="North East")
    page.get_by_label("Date").fill(today)
    page.get_by_label("Held").check()
    page.get_by_label("Joanne Bell (Cluster lead)").check()
    page.get_by_label("Notes").fill("Agreed the shared enquiry script.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("North East steering group")
    assert_accessible(page)

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action").fill(ACTION)
    page.get_by_role("button", name="Save").click()
    # no owner and no due date: each is refused with a message on its field
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who owns this action.")
    assert_accessible(page)
    page.get_by_label("Owner").select_option(label="Joanne Bell (Cluster lead)")
    page.get_by_label("Due date").fill(today)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added.")
    context.close()

    context, page = signed_in(browser, live_server, "lead.northeast@example.org")
    page.goto(f"{live_server.url}/")
    actions = page.locator("h2#your-actions + p + ul")
    expect(actions).to_contain_text(ACTION)
    assert_accessible(page)
    actions.get_by_role("link", name=ACTION).click()
    assert_accessible(page)
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action updated.")
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    expect(page.locator("h2#your-actions ~ ul").first).not_to_contain_text(ACTION)
    # the lead's own actions, done ones included when asked for
    page.goto(f"{live_server.url}/engagement/actions/?status=done")
    expect(page.locator("table")).to_contain_text(ACTION)
    assert_accessible(page)
    context.close()
