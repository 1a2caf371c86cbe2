"""Reminders in a browser on the demo: the North East's lead reads a reminder (a late
return's, from the 11th of the month) as it was sent; the programme manager filters every reminder down to the weekly
digest. Every page visited is checked with axe."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name):
    # REMINDER_SCREENSHOTS=/some/dir keeps what the pages looked like
    folder = os.environ.get("REMINDER_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_a_lead_reads_their_late_return_reminder_and_the_pm_filters_to_the_digest(
    browser, live_server, demo
):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "lead.northeast@example.org", "fostering-demo")
    page.goto(f"{live_server.url}/engagement/reminders/")
    assert_accessible(page)
    _shot(page, "lead-list")
    # a late return's reminder when there is one (the demo's are late from the 11th)
    late = page.get_by_role("link", name=re.compile("monthly return for .* is late"))
    first = late.first if late.count() else page.locator("tbody a").first
    subject = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    expect(page.locator(".app-email-body")).to_contain_text("Dear Joanne,")
    assert_accessible(page)
    _shot(page, "lead-detail")
    context.close()

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, "pm@example.org", "fostering-demo")
    page.goto(f"{live_server.url}/engagement/reminders/")
    page.get_by_label("Reminder", exact=True).select_option(label="Weekly digest")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("What is late across the programme")
    for text in rows.all_inner_texts():
        assert "Weekly digest" in text
    assert_accessible(page)
    _shot(page, "pm-digests")
    context.close()
