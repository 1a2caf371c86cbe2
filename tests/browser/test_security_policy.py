"""The Content-Security-Policy holds in a real browser: the service's own pages run their
scripts (GOV.UK Frontend starts, the js-enabled class is set) while a script written into
the page is refused and reported, which is what every browser test's accessibility check
now also asserts did not happen on any page it visits (tests/browser/conftest.py)."""

import pytest

from .conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.browser


def test_the_policy_runs_the_services_scripts_and_refuses_an_injected_one(page, live_server, demo):
    sign_in(page, live_server, "pm@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/pipeline/")
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    assert page.evaluate("window.__cspBlocked") == []
    page.evaluate(
        """() => {
        const s = document.createElement("script");
        s.textContent = "window.injected = true";
        document.body.append(s);
    }"""
    )
    page.wait_for_function("() => window.__cspBlocked.length > 0")
    assert page.evaluate("window.injected") is None
    assert page.evaluate("window.__cspBlocked")[0].startswith("script-src")
