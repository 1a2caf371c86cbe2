"""Headless Chromium (Debian's) driven by Playwright against the live test server.

Every page a browser test visits is checked with axe-core for WCAG 2.2 A/AA violations.
Without Chromium the tests are skipped with the reason, except in CI, where they fail.
"""

import json
import os
import re
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
    """No WCAG 2.2 A/AA violation found by axe, nothing the Content-Security-Policy
    blocked (an inline script or style, anything from elsewhere), and the page reflows
    (``assert_reflows``)."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {json.dumps(violations, indent=1)}"
    blocked = page.evaluate("window.__cspBlocked || []")
    assert blocked == [], f"{page.url}: the Content-Security-Policy blocked {blocked}"
    assert_reflows(page)


# What sticks out of the window, other than inside a table's own scroll region.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".app-table-wrapper")) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      out.push(`${el.tagName.toLowerCase()}.${(el.getAttribute("class") || "").split(" ")[0]} to ${Math.round(box.right)}px`);
    }
  }
  return {page: document.documentElement.scrollWidth, width, out: out.slice(0, 5)};
}"""
ARTIFACTS = ROOT / "test-artifacts" / "screens"
_shots = {"n": 0}


def assert_reflows(page):
    """WCAG 2.2 SC 1.4.10: at 1280 px nothing scrolls sideways; at 320 px only a data
    table does, inside its own labelled scroll region. Each width is screenshotted into
    test-artifacts/screens/ for people to look at."""
    size = page.viewport_size
    try:
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            found = page.evaluate(OVERFLOW)
            _shots["n"] += 1
            name = re.sub(r"[^a-z0-9]+", "-", page.url.split("//", 1)[-1].split("/", 1)[-1].lower())
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            # the whole page unless it is very tall (a report at 320 px): then what a
            # reader sees first, as a capture of a page that tall takes minutes
            tall = page.evaluate("document.documentElement.scrollHeight") > 6000
            shot = f"{os.getpid()}-{_shots['n']:04d}-{name.strip('-')[:80] or 'home'}-{width}"
            page.screenshot(
                path=str(ARTIFACTS / f"{shot}.jpeg"), full_page=not tall, type="jpeg", quality=60
            )
            assert found["page"] <= found["width"] or (width == 320 and not found["out"]), (
                f"{page.url} at {width}px is {found['page']}px wide: {found['out']}"
            )
            assert not found["out"], f"{page.url} at {width}px: {found['out']} stick out"
    finally:
        if size:
            page.set_viewport_size(size)


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
