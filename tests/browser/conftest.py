"""Headless Chromium (Debian's) driven by Playwright against the live test server.

Every page a browser test visits is checked with axe-core for WCAG 2.2 A/AA violations.
Without Chromium the tests are skipped with the reason, except in CI, where they fail.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (run `make system-packages` as root)"
    if not AXE.exists():
        return "axe-core is not installed (run `make setup`)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot be skipped in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        # every page records what its Content-Security-Policy blocked, for assert_accessible
        new_context = browser.new_context

        def recording_context(**kwargs):
            context = new_context(**kwargs)
            context.add_init_script(CSP_RECORDER)
            return context

        browser.new_context = recording_context
        yield browser
        browser.close()


CSP_RECORDER = """
window.__cspBlocked = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspBlocked.push(`${e.effectiveDirective}: ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now, WCAG 2.2 A/AA rules only; a page still being
    replaced by the one a click asked for is waited for, then checked."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        page.wait_for_load_state()
        try:
            # evaluated, not added as a script tag: the policy forbids inline scripts
            page.evaluate(AXE.read_text())
            result = page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                WCAG_TAGS,
            )
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(250)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page):
    """No WCAG 2.2 A/AA violation found by axe, and nothing the Content-Security-Policy
    blocked (an inline script or style, anything from elsewhere)."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {json.dumps(violations, indent=1)}"
    blocked = page.evaluate("window.__cspBlocked || []")
    assert blocked == [], f"{page.url}: the Content-Security-Policy blocked {blocked}"


def sign_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/account/sign-in/")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # wait until the sign-in page has been left, or shows why not
    page.wait_for_function(
        "() => !location.pathname.startsWith('/account/sign-in/')"
        " || document.querySelector('.govuk-error-summary')"
    )


DEMO_PASSWORD = "fostering-demo"


@pytest.fixture
def demo(transactional_db):
    """The demo programme, as `make run` seeds it (seeded once per test process and day,
    then put back from a copy: tests/snapshot.py)."""
    from tests.snapshot import demo_snapshot

    demo_snapshot.seed()


def signed_in(browser, live_server, email, password=DEMO_PASSWORD):
    """A browser context of its own (so several people can be signed in at once) and its
    page, signed in as ``email``; close the context when done."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server, email, password)
    return context, page
