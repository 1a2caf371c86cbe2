"""Issue 18's walk-throughs of the daily jobs, in a browser on the demo: a cluster lead keys
and submits this month's return; a programme manager accepts returns in bulk from the home
page's count; DfE reads the latest report by its contents. Every page is checked with axe
and for reflow at 1280 and 320 px (tests/browser/conftest.assert_accessible), and
screenshotted into test-artifacts/screens/."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_lead_submits_a_return_and_the_manager_accepts_returns_in_bulk(
    browser, live_server, demo
):
    from pipeline.models import MonthlyReturn, ReturnStatus

    today = timezone.localdate()
    month = f"{today:%B %Y}"
    context, page = signed_in(browser, live_server, "lead.northeast@example.org")
    page.goto(f"{live_server.url}/pipeline/returns/")
    assert_accessible(page)
    page.get_by_role("link", name="Key in a return").click()
    assert_accessible(page)
    taken = set(
        MonthlyReturn.objects.filter(month=today.replace(day=1)).values_list(
            "local_authority__name", flat=True
        )
    )
    options = page.get_by_label("Local authority").locator("option").all_text_contents()
    la = next(o for o in options if o and o not in taken and o != "Choose")
    page.get_by_label("Local authority").select_option(label=la)
    page.get_by_label("Month").select_option(label=month)
    page.get_by_label("Initial enquiry", exact=True).first.fill("14")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(la)
    assert_accessible(page)
    page.get_by_role("link", name="Submit").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Return submitted.")
    context.close()

    waiting = MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).count()
    assert waiting >= 2
    context, page = signed_in(browser, live_server, "pm@example.org")
    link = page.get_by_role("link", name=f"{waiting} monthly returns submitted")
    expect(link).to_be_visible()
    assert_accessible(page)
    link.click()
    assert_accessible(page)
    boxes = page.locator('input[name="return"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Accept the ticked returns").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Accepted 2 returns.")
    assert_accessible(page)
    assert MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED).count() == waiting - 2
    context.close()


def test_dfe_reads_the_latest_report_by_its_contents(browser, live_server, demo):
    context, page = signed_in(browser, live_server, "dfe@example.org")
    page.goto(f"{live_server.url}/reports/")
    assert_accessible(page)
    page.locator("main table tbody a").first.click()
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents).to_be_visible()
    assert_accessible(page)
    contents.get_by_role("link", name="Executive summary").click()
    expect(page).to_have_url(re.compile(r"#summary$"))
    context.close()
