import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO = "fostering-demo"


@pytest.mark.parametrize(
    "email,role,sees",
    [
        ("pm@example.org", "Programme manager", "Admin"),
        ("consultant@example.org", "Consultant", "Foster4"),
        ("lead.northeast@example.org", "Cluster lead", "You work for"),
        ("dfe@example.org", "DfE reader", "Foster4"),
    ],
)
def test_each_role_signs_in_and_sees_their_home_page(page, live_server, demo, email, role, sees):
    sign_in(page, live_server, email, DEMO)
    assert page.url == f"{live_server.url}/"
    assert page.locator(".govuk-caption-l").inner_text() == role
    assert sees in page.content()
    assert_accessible(page)


def test_the_lists_and_a_form_error_are_accessible(page, live_server, demo):
    sign_in(page, live_server, "pm@example.org", "wrong-password")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct e-mail address")
    assert_accessible(page)
    sign_in(page, live_server, "pm@example.org", DEMO)
    for path in [
        "/clusters/",
        "/clusters/north-east/",
        "/authorities/?sort=-name&page=2",
        "/account/password/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        assert_accessible(page)


def test_a_cluster_lead_does_not_reach_another_cluster_by_editing_the_url(page, live_server, demo):
    sign_in(page, live_server, "lead.northeast@example.org", DEMO)
    response = page.goto(f"{live_server.url}/clusters/foster4/")
    assert response.status == 404
    assert "Page not found" in page.content()
    assert_accessible(page)
