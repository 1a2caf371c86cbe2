"""The headers every page is served with (issue 16): a strict Content-Security-Policy that
allows no inline script or style and nothing from elsewhere, a Permissions-Policy that turns
off every device feature, and a Referrer-Policy; and the markup to match: no page of the
service holds an inline script, an event-handler attribute or a style attribute."""

import re

import pytest

from tests.conftest import client_for
from tests.core.test_hostile_queries import PAGES

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_every_page_is_served_with_a_strict_policy_and_no_inline_script_or_style(
    users, north_east, other_cluster
):
    from programme.demo import seed

    seed()
    checked, failures = 0, []
    for role in ("pm", "lead", "consultant", "dfe"):
        client = client_for(users[role])
        for path in PAGES:
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            checked += 1
            policy = directives(response)
            if path in ("/api/docs/", "/api/redoc/"):  # they draw their styles into the page
                assert policy["style-src"] == ["'self'", "'unsafe-inline'"], path
                assert policy["script-src"] == ["'self'"], path
                assert not INLINE_SCRIPT.search(response.content.decode()), path
                continue
            assert policy["script-src"] == ["'self'"], path
            assert policy["style-src"] == ["'self'"], path
            assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
            assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
            assert "camera=()" in response["Permissions-Policy"], path
            assert response["Referrer-Policy"] == "same-origin", path
            body = response.content.decode()
            for pattern in (INLINE_SCRIPT, INLINE_STYLE):
                found = pattern.search(body)
                if found:
                    failures.append((role, path, body[found.start() : found.start() + 80]))
    assert failures == []
    assert checked > 150  # the pages of every area, for each role that may open them


@pytest.mark.django_db
def test_the_sign_in_page_and_errors_carry_the_policy_too(client):
    for path in ("/account/sign-in/", "/no-such-page/"):
        response = client.get(path)
        assert directives(response)["script-src"] == ["'self'"], path


@pytest.mark.django_db
def test_the_api_schema_and_its_documentation_need_a_token_or_a_signed_in_person(client, users):
    assert client.get("/api/schema/?format=json").status_code in (401, 403)
    for page in ("/api/docs/", "/api/redoc/"):
        response = client.get(page)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    signed_in = client_for(users["lead"])
    assert "/api/v1/me" in signed_in.get("/api/schema/?format=json").json()["paths"]
    docs = signed_in.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and not INLINE_SCRIPT.search(docs)
