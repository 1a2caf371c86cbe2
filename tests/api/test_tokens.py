import datetime

import pytest
from django.utils import timezone

from api.models import ApiToken, ApiTokenUse
from api.services import revoke_token
from tests.api.conftest import api_client
from tests.conftest import client_for
from tests.factories import authorities


def test_a_token_is_stored_only_as_a_hash(gateshead_token):
    token, secret = gateshead_token
    stored = ApiToken.objects.get()
    assert secret not in (stored.key_hash, stored.prefix, stored.name)
    assert secret.startswith(f"frt_{stored.prefix}_")


def test_a_valid_token_says_who_it_is_and_the_use_is_logged(gateshead_token):
    token, secret = gateshead_token
    response = api_client(secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["local_authority"] == "E08000037"
    use = ApiTokenUse.objects.get()
    assert (use.token, use.path, use.status, use.outcome) == (token, "/api/v1/me", 200, "ok")


@pytest.mark.parametrize(
    "header,message",
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer frt_nope_nope", "The token is not recognised."),
        ("Token abc", "Send the token as"),
    ],
)
def test_a_missing_or_bad_token_gets_401_with_a_json_error(db, header, message):
    from rest_framework.test import APIClient

    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "unauthenticated" and message in body["message"]


def test_a_revoked_or_expired_token_is_refused(gateshead_token, pm):
    token, secret = gateshead_token
    revoke_token(token=token, by=pm)
    response = api_client(secret).get("/api/v1/me")
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]
    ApiToken.objects.filter(pk=token.pk).update(
        revoked_at=None,
        created_at=timezone.now() - datetime.timedelta(days=31),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert "expired" in api_client(secret).get("/api/v1/me").json()["error"]["message"]
    # the refused calls are in the token's own use log, so its owner sees them
    refused = ApiTokenUse.objects.filter(status=401, token=token, outcome="unauthenticated")
    assert refused.count() == 2


def test_a_dfe_token_cannot_write(dfe_token):
    token, secret = dfe_token
    response = api_client(secret).post("/api/v1/me", {}, format="json")
    assert response.status_code in (403, 405)


def test_tokens_are_throttled_per_token(gateshead_token, settings):
    from django.core.cache import cache

    from api.throttling import PerTokenThrottle

    cache.clear()
    PerTokenThrottle.THROTTLE_RATES = {"token": "3/min"}
    try:
        token, secret = gateshead_token
        client = api_client(secret)
        statuses = [client.get("/api/v1/me").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get("/api/v1/me").json()["error"]["code"] == "throttled"
    finally:
        from rest_framework.settings import api_settings

        PerTokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()


def test_a_programme_manager_issues_a_token_seen_once_and_revokes_it(users, reference):
    client = client_for(users["pm"])
    from clusters.models import LocalAuthority

    gateshead = LocalAuthority.objects.get(name="Gateshead")
    response = client.post(
        "/api-tokens/new/",
        {"name": "Gateshead job", "kind": "la", "local_authority": gateshead.pk, "days": "30"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert api_client(secret).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get()
    assert secret not in client.get(f"/api-tokens/{token.pk}/").content.decode()
    assert client.post(f"/api-tokens/{token.pk}/revoke/", {}).status_code == 200  # must confirm
    client.post(f"/api-tokens/{token.pk}/revoke/", {"confirm": "on"})
    assert api_client(secret).get("/api/v1/me").status_code == 401


def test_an_la_token_needs_an_la(users, reference):
    response = client_for(users["pm"]).post(
        "/api-tokens/new/", {"name": "x", "kind": "la", "days": "30"}
    )
    assert 'href="#id_local_authority"' in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["consultant", "lead", "dfe"])
def test_only_programme_managers_manage_tokens(users, role, gateshead_token):
    client = client_for(users[role])
    token, _ = gateshead_token
    for url in [
        "/api-tokens/",
        "/api-tokens/new/",
        f"/api-tokens/{token.pk}/",
        f"/api-tokens/{token.pk}/revoke/",
    ]:
        assert client.get(url).status_code == 403, url


def test_the_schema_and_offline_docs_are_served_to_a_signed_in_person(users):
    from tests.conftest import client_for

    client = client_for(users["pm"])
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/me" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


def test_a_token_acts_through_an_account_that_cannot_sign_in(gateshead_token):
    from django.test import Client

    token, secret = gateshead_token
    assert token.account.role == "cluster_lead" and token.account.cluster.slug == "north-east"
    assert not token.account.has_usable_password()
    response = Client().post(
        "/account/sign-in/", {"username": token.account.email, "password": secret}
    )
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


def test_an_la_outside_any_cluster_gets_no_token(users, reference, pm):
    from django.core.exceptions import ValidationError

    from api.services import issue_token

    with pytest.raises(ValidationError) as error:
        issue_token(name="x", kind="la", local_authority=authorities("Kent")[0], days=5, by=pm)
    assert "not in a cluster" in error.value.message_dict["local_authority"][0]


def test_the_use_log_page_shows_every_call_including_unrecognised_tokens(users, gateshead_token):
    token, secret = gateshead_token
    api_client(secret).get("/api/v1/me")
    api_client("frt_deadbeef_nope").get("/api/v1/me")
    client = client_for(users["pm"])
    page = client.get("/api-tokens/uses/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gateshead export job" in html and "Not recognised (deadbeef)" in html
    assert 'href="/api/docs/"' in html
    assert ApiTokenUse.objects.count() == 2
    for role in ("consultant", "lead", "dfe"):
        assert client_for(users[role]).get("/api-tokens/uses/").status_code == 403
    detail = client.get(f"/api-tokens/{token.pk}/").content.decode()
    assert "/api/v1/me" in detail and 'href="/api/docs/"' in detail
    listing = client.get("/api-tokens/").content.decode()
    assert 'href="/api/docs/"' in listing and 'href="/api-tokens/uses/"' in listing


def test_the_use_log_pages_are_paginated(users, gateshead_token):
    token, _ = gateshead_token
    ApiTokenUse.objects.bulk_create(
        ApiTokenUse(token=token, method="GET", path=f"/api/v1/me?n={i}", status=200, outcome="ok")
        for i in range(120)
    )
    client = client_for(users["pm"])
    for url in (f"/api-tokens/{token.pk}/", "/api-tokens/uses/"):
        first = client.get(url).content.decode()
        assert first.count("/api/v1/me?n=") == 50, url
        assert "govuk-pagination" in first
        assert client.get(f"{url}?page=3").content.decode().count("/api/v1/me?n=") == 20
