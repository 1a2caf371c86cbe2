"""Issue 6's "how we will check it", in a browser on the demo: a consultant logs a risk for
the North East and escalates it; DfE sees it escalated; the North East's lead sees it but not
another cluster's risk; every role finds a published lesson by a word in its body. Every page
visited is checked with axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"
TITLE = "Hub website down in a campaign week"


def test_a_north_east_risk_is_logged_escalated_and_read_by_dfe_and_the_lead(
    browser, live_server, demo
):
    from datetime import timedelta

    from django.utils import timezone

    from insights.models import RaidItem

    review = (timezone.localdate() + timedelta(days=30)).isoformat()
    context, page = signed_in(browser, live_server, "consultant@example.org")
    page.goto(f"{live_server.url}/insights/raid/")
    assert_accessible(page)
    page.get_by_role("link", name="Log a risk, issue, assumption or dependency").click()
    assert_accessible(page)
    page.get_by_label("Cluster").select_option(label="North East")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Cause").fill("The hub website runs on one hosting plan.")
    page.get_by_label("Event", exact=True).fill("The site goes down while adverts run.")
    page.get_by_label("Effect").fill("Enquiries are lost at the busiest time.")
    page.get_by_label("Owner").select_option(label="Callum Okafor")
    page.get_by_label("4: Major").check()
    page.get_by_label("Response").select_option(label="Transfer")
    page.get_by_label("Review date").fill(review)
    page.get_by_role("button", name="Save").click()
    # no likelihood: the message names the field and what was typed is kept
    expect(page.locator(".govuk-error-summary")).to_contain_text("Likelihood must be")
    assert_accessible(page)
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    page.get_by_label("3: Possible").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(page)

    page.get_by_role("link", name="Add a mitigation action").click()
    page.get_by_label("Action").fill("Move the site to the lead LA's resilient hosting")
    page.get_by_label("Owner").select_option(label="Callum Okafor")
    page.get_by_label("Due date").fill(review)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action added.")

    page.get_by_role("link", name="Escalate to DfE").click()
    page.get_by_role("button", name="Escalate to DfE").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why this item is escalated")
    assert_accessible(page)
    page.get_by_label("Why is it escalated to DfE?").fill("Hosting is bought nationally.")
    page.get_by_role("button", name="Escalate to DfE").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Escalated to DfE")
    expect(page.locator("main")).to_contain_text("Hosting is bought nationally.")
    assert_accessible(page)
    item = RaidItem.objects.get(title=TITLE)
    context.close()

    context, page = signed_in(browser, live_server, "dfe@example.org")
    page.goto(f"{live_server.url}/insights/raid/?escalated=on&cluster={item.cluster_id}")
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("main")).to_contain_text("Escalated to DfE")
    expect(page.locator("main")).to_contain_text("Awaiting DfE's decision.")
    expect(page.get_by_role("link", name="Escalate to DfE")).to_have_count(0)
    assert_accessible(page)
    context.close()

    other = RaidItem.objects.filter(cluster__slug="foster4").first()
    context, page = signed_in(browser, live_server, "lead.northeast@example.org")
    page.goto(f"{live_server.url}/insights/raid/?sort=-item")
    assert_accessible(page)
    main = page.locator("main")
    expect(main).to_contain_text(TITLE)
    expect(main).not_to_contain_text("Foster4")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(page)
    assert page.goto(f"{live_server.url}/insights/raid/{other.pk}/").status == 404
    context.close()


WORD = (
    "nomination"  # in the body of "Mockingbird hub homes found through existing carers' networks"
)
LESSON = "Mockingbird hub homes found through existing carers' networks"


@pytest.mark.parametrize(
    "email",
    [
        "pm@example.org",
        "consultant@example.org",
        "lead.northeast@example.org",
        "dfe@example.org",
    ],
)
def test_every_role_finds_a_published_lesson_by_a_word_in_its_body(
    browser, live_server, demo, email
):
    context, page = signed_in(browser, live_server, email)
    page.goto(f"{live_server.url}/insights/learning/")
    assert_accessible(page)
    page.get_by_role("link", name="Search", exact=True).first.click()
    assert_accessible(page)
    page.get_by_label("Search for").fill(WORD)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("1 result")
    assert_accessible(page)
    page.get_by_role("link", name=LESSON).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSON)
    expect(page.locator("main")).to_contain_text("Peer nomination")
    assert_accessible(page)
    context.close()


def test_the_learning_and_risk_pages_are_accessible(browser, live_server, demo):
    from insights.models import LearningEvent

    event = LearningEvent.objects.exclude(attendances=None).first()
    context, page = signed_in(browser, live_server, "pm@example.org")
    for path in [
        "/",
        "/insights/raid/heat-map/",
        "/insights/raid/top/",
        "/insights/raid/?overdue=on",
        "/insights/learning/events/",
        f"/insights/learning/events/{event.pk}/",
        f"/insights/learning/events/{event.pk}/attendance/",
        "/insights/learning/events/not-attended/",
        "/insights/learning/new/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert_accessible(page)
    context.close()
