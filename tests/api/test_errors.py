"""The API's answers when things go wrong: always JSON with a stable code, and every call
in the use log (token, time, endpoint, outcome)."""

import pytest
from django.core.cache import cache

from api.throttling import PerTokenThrottle
from tests.api.conftest import api_client, error
from tests.clock import FIXED_DAY

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)


def test_an_unknown_endpoint_is_a_json_404(gateshead_token):
    _, secret = gateshead_token
    response = api_client(secret).get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert api_client(None).get("/api/v1/returns/").status_code == 404  # no trailing slash


def test_a_method_an_endpoint_does_not_take_is_a_json_405(gateshead_token):
    _, secret = gateshead_token
    response = api_client(secret).delete("/api/v1/returns")
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/returns"),
        ("post", "/api/v1/returns"),
        ("post", "/api/v1/imports"),
        ("get", "/api/v1/funnel"),
        ("get", "/api/v1/reports"),
        ("get", "/api/v1/reports/1/pdf"),
    ],
)
def test_every_endpoint_needs_a_token(db, method, url):
    response = getattr(api_client(None), method)(url)
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused_by_every_endpoint_and_the_refusals_are_logged(
    gateshead_token, pm
):
    from api.services import revoke_token

    token, secret = gateshead_token
    revoke_token(token=token, by=pm)
    client = api_client(secret)
    for response in (
        client.post("/api/v1/returns", {"month": "2024-05", "stages": {}}, format="json"),
        client.get("/api/v1/funnel"),
    ):
        assert response.status_code == 401
        assert error(response)["message"] == "The token has been revoked."
    uses = list(token.uses.order_by("at").values_list("method", "path", "status", "outcome"))
    assert uses == [
        ("POST", "/api/v1/returns", 401, "unauthenticated"),
        ("GET", "/api/v1/funnel", 401, "unauthenticated"),
    ]


def test_every_use_is_logged_with_its_endpoint_and_outcome(gateshead_token):
    token, secret = gateshead_token
    client = api_client(secret)
    client.get("/api/v1/funnel?period=month&month=2024-05")
    client.post("/api/v1/returns", {"month": "2024-05", "stages": {"x": 1}}, format="json")
    client.get("/api/v1/reports")
    uses = list(token.uses.order_by("at").values_list("method", "path", "status", "outcome"))
    assert uses == [
        ("GET", "/api/v1/funnel?period=month&month=2024-05", 200, "ok"),
        ("POST", "/api/v1/returns", 400, "invalid"),
        ("GET", "/api/v1/reports", 403, "forbidden"),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_server_error_is_logged_too(gateshead_token, monkeypatch):
    token, secret = gateshead_token

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("pipeline.selectors.funnel_comparison", broken)
    client = api_client(secret)
    client.raise_request_exception = False
    response = client.get("/api/v1/funnel")
    assert response.status_code == 500
    assert token.uses.get().outcome == "server_error"


def test_writes_are_throttled_per_token_with_a_json_429(gateshead_token, sunderland_token):
    PerTokenThrottle.THROTTLE_RATES = {"token": "2/min"}
    try:
        _, secret = gateshead_token
        client = api_client(secret)
        body = {"month": "2024-05", "stages": {"enquiry": 1}}
        statuses = [
            client.post("/api/v1/returns", body, format="json").status_code for _ in range(3)
        ]
        assert statuses == [201, 409, 429]
        throttled = client.get("/api/v1/returns")
        assert error(throttled)["code"] == "throttled"
        assert int(throttled["Retry-After"]) > 0
        # another token has its own budget
        _, other = sunderland_token
        assert api_client(other).get("/api/v1/returns").status_code == 200
    finally:
        from rest_framework.settings import api_settings

        PerTokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()
