import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.periods import add_months
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"


def test_the_programme_manager_builds_summarises_and_issues_a_report(page, live_server, demo):
    sign_in(page, live_server, "pm@example.org", DEMO)
    page.goto(f"{live_server.url}/reports/")
    assert_accessible(page)
    page.get_by_role("link", name="Ask for a report").click()
    assert_accessible(page)
    page.get_by_label("Monthly progress report").check()
    next_year = add_months(timezone.localdate().replace(day=1), 12)
    page.get_by_label("Month", exact=True).fill(f"{next_year:%Y-%m}")
    page.get_by_role("button", name="Build the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("is in the future")
    assert_accessible(page)
    # six months back: past, and before the months the demo has reports for
    month = add_months(timezone.localdate().replace(day=1), -6)
    page.get_by_label("Month", exact=True).fill(f"{month:%Y-%m}")
    page.get_by_role("button", name="Build the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{month:%B %Y}")
    expect(page.get_by_text("Draft: not yet issued")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Issue this report").click()
    page.get_by_role("button", name="Issue the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write the executive summary")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Write the executive summary").click()
    assert_accessible(page)
    page.get_by_label("Executive summary").fill("Every hub answering calls.")
    page.get_by_role("button", name="Save the summary").click()
    page.get_by_role("link", name="Issue this report").click()
    assert_accessible(page)
    page.get_by_role("button", name="Issue the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The report is issued.")
    expect(page.get_by_text("Every hub answering calls.")).to_be_visible()
    assert_accessible(page)


def test_the_north_east_lead_reads_only_their_section_of_an_issued_report(page, live_server, demo):
    from reports.models import Report

    issued = Report.objects.filter(kind="monthly", status="issued").first()
    sign_in(page, live_server, "lead.northeast@example.org", DEMO)
    page.goto(f"{live_server.url}/reports/{issued.pk}/")
    assert_accessible(page)
    main = page.locator("main")
    expect(main).to_contain_text("North East")
    expect(main).not_to_contain_text("£")
    other = Report.objects.filter(kind="monthly", status="draft").first()
    assert page.goto(f"{live_server.url}/reports/{other.pk}/").status == 404
