"""Issue 19 in a browser on the demo: DfE reads where each cluster will end the year and
whether the hubs are working; a cluster lead reads their own cluster's projection only.
Every page is checked with axe and for reflow (tests/browser/conftest.assert_accessible)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_dfe_reads_the_projections_and_the_hub_effect_and_a_lead_their_own(
    browser, live_server, demo
):
    context, page = signed_in(browser, live_server, "dfe@example.org")
    page.goto(f"{live_server.url}/pipeline/")
    page.get_by_role("link", name="Where will the year end?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where will the year end?")
    table = page.get_by_role("region", name="Projected approvals by cluster")
    expect(table).to_contain_text("North East")
    expect(table).to_contain_text("Foster4")
    assert_accessible(page)
    page.get_by_role("link", name="Are the hubs working?").first.click()
    expect(page.get_by_role("heading", name="By year, from the published figures")).to_be_visible()
    expect(page.get_by_role("heading", name="By month, from the tracker's records")).to_be_visible()
    assert_accessible(page)
    context.close()

    context, page = signed_in(browser, live_server, "lead.northeast@example.org")
    page.goto(f"{live_server.url}/pipeline/projections/")
    table = page.get_by_role("region", name="Projected approvals by cluster")
    expect(table).to_contain_text("North East")
    expect(table).not_to_contain_text("Foster4")
    assert_accessible(page)
    context.close()
