"""The second step of signing in, in a browser: a person who is not a demo user signs in,
sets up an authenticator app from the key the page shows, keeps the recovery codes, signs
out, and signs in again with the app's code. Every page is checked with axe and for
anything the Content-Security-Policy blocked."""

import base64

import pytest
from django_otp.oath import totp

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def app_code(key: str, later: int = 0) -> str:
    """What an authenticator app given this typed key shows now."""
    raw = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    return f"{totp(raw, t0=-30 * later):06d}"


def test_a_person_sets_up_the_app_then_signs_in_with_its_code(page, live_server, demo):
    UserFactory(email="new.pm@example.gov.uk", role=Role.PROGRAMME_MANAGER)
    sign_in(page, live_server, "new.pm@example.gov.uk", PASSWORD)
    page.wait_for_url("**/account/two-factor/set-up/**")
    assert_accessible(page)
    assert page.locator(".app-qr svg").is_visible()
    key = page.locator("#secret").inner_text()
    page.get_by_label("Code").fill("123456" if app_code(key) != "123456" else "654321")
    page.get_by_role("button", name="Continue").click()
    assert "That code is not right" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.wait_for_timeout(1100)  # a wrong code makes the next wait a second
    page.get_by_label("Code").fill(app_code(key))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Keep your recovery codes").wait_for()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "new.pm@example.gov.uk", PASSWORD)
    page.wait_for_url("**/account/two-factor/?next=*")
    assert_accessible(page)
    page.get_by_label("Code").fill(app_code(key, later=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).is_visible()
