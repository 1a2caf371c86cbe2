import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"


def test_the_north_east_lead_updates_harmonisation_and_the_month_progress(page, live_server, demo):
    sign_in(page, live_server, "lead.northeast@example.org", DEMO)
    page.goto(f"{live_server.url}/clusters/north-east/")
    assert_accessible(page)
    page.get_by_role("link", name="Change Standard enquiry script for Gateshead").click()
    assert_accessible(page)
    page.get_by_label("Not started").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Gateshead: Standard enquiry script updated."
    )

    from clusters.models import ProgressUpdate, Rating

    latest = ProgressUpdate.objects.filter(cluster__slug="north-east").order_by("-month").first()
    other = Rating.RED if latest.rating != Rating.RED else Rating.GREEN
    # the demo seeds every month up to the last; this month's update is the lead's to write
    this_month = timezone.localdate().replace(day=1)
    assert latest.month < this_month
    page.goto(f"{live_server.url}/clusters/north-east/progress/new/")
    page.get_by_label("Month", exact=True).fill(this_month.isoformat())
    page.get_by_label(other.label, exact=True).check()
    page.get_by_label("Progress of design and delivery").fill("Interim cover arranged.")
    page.get_by_role("button", name="Save").click()
    # a rating change needs a reason: the error is named and what was typed is kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("say what changed")
    assert_accessible(page)
    expect(page.get_by_label("Progress of design and delivery")).to_have_value(
        "Interim cover arranged."
    )
    page.get_by_label("What changed since last month").fill("Hub manager left last month.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Progress update saved.")
    assert_accessible(page)

    response = page.goto(f"{live_server.url}/clusters/foster4/hub/")
    assert response.status == 404


def test_the_programme_manager_rebaselines_a_milestone_and_sees_the_slip(page, live_server, demo):
    sign_in(page, live_server, "pm@example.org", DEMO)
    for path in [
        "/programme/",
        "/programme/contract/",
        "/programme/kpis/",
        "/programme/milestones/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.get_by_label("Title contains").fill("Year-three")
    page.get_by_role("button", name="Apply filters").click()
    assert_accessible(page)
    page.get_by_role("link", name="Year-three review with DfE").first.click()
    page.get_by_role("link", name="Re-baseline").click()
    assert_accessible(page)
    new_baseline = timezone.localdate() + datetime.timedelta(days=120)
    page.get_by_label("New baseline date").fill(new_baseline.isoformat())
    page.get_by_label("Reason").fill("DfE moved the review")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "the old baseline is kept in its history"
    )
    expect(page.locator("main")).to_contain_text("Re-baselined: DfE moved the review")
    assert_accessible(page)


def test_the_dfe_reader_sees_everything_and_no_edit_buttons(page, live_server, demo):
    sign_in(page, live_server, "dfe@example.org", DEMO)
    page.goto(f"{live_server.url}/clusters/foster4/")
    assert page.get_by_role("link", name="Change the hub").count() == 0
    assert page.get_by_role("link", name="Write a progress update").count() == 0
    assert "Members and harmonisation" in page.content()
    assert_accessible(page)
