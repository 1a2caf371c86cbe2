"""Monthly returns through the API: an LA token creates, updates and submits its own LA's
returns, meeting the same rules (and messages) as the web form."""

import pytest

from pipeline.models import MonthlyReturn, ReturnStatus
from pipeline.services import accept_return, save_return
from pipeline.services.returns import ReturnCounts
from tests.api.conftest import api_client, error
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import authorities

# the months below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)

MAY = {
    "month": "2024-05",
    "stages": {"enquiry": 40, "conversation": 15, "application": 4},
    "exits": [{"stage": "enquiry", "reason": "no-contact", "count": 10}],
    "channels": {"hub-website": 25, "regional-campaign": 15},
}


def post(secret, body, url="/api/v1/returns"):
    return api_client(secret).post(url, body, format="json")


def state():
    """Everything a refused request must leave as it was."""
    return [
        (
            r.local_authority_id,
            r.month,
            r.status,
            sorted(r.stage_counts.values_list("count", flat=True)),
        )
        for r in MonthlyReturn.objects.order_by("pk")
    ]


def test_an_la_token_creates_its_month_as_a_draft(gateshead_token):
    token, secret = gateshead_token
    response = post(secret, MAY)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["local_authority"]["gss_code"] == "E08000037"
    assert (body["month"], body["status"]) == ("2024-05", "draft")
    assert body["stages"] == {"enquiry": 40, "conversation": 15, "application": 4}
    assert body["exits"] == [{"stage": "enquiry", "reason": "no-contact", "count": 10}]
    assert body["channels"] == {"hub-website": 25, "regional-campaign": 15}
    assert response["Location"].endswith(f"/api/v1/returns/{body['id']}")
    saved = MonthlyReturn.objects.get()
    # made by the token's service account, so the return's history says which token
    assert saved.created_by == token.account
    assert saved.history.first().history_user == token.account


def test_a_return_is_updated_then_submitted_and_a_second_submit_is_a_conflict(gateshead_token):
    _, secret = gateshead_token
    created = post(secret, MAY).json()
    client = api_client(secret)
    url = f"/api/v1/returns/{created['id']}"
    new_counts = {"stages": {"enquiry": 41, "application": 5}, "exits": [], "channels": {}}
    updated = client.put(url, new_counts, format="json")
    assert updated.status_code == 200, updated.json()
    assert updated.json()["stages"] == {"enquiry": 41, "application": 5}
    assert updated.json()["exits"] == []

    submitted = client.post(f"{url}/submit", format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"]

    before = state()
    again = client.post(f"{url}/submit", {}, format="json")
    assert again.status_code == 409
    assert error(again) | {"details": None} == {
        "code": "conflict",
        "message": "This return is submitted, not draft.",
        "field": "status",
        "row": None,
        "details": None,
    }
    assert state() == before


def test_replaying_a_months_return_is_a_conflict_and_changes_nothing(gateshead_token):
    _, secret = gateshead_token
    first = post(secret, MAY).json()
    api_client(secret).post(f"/api/v1/returns/{first['id']}/submit")
    before = state()
    replay = post(secret, {**MAY, "stages": {"enquiry": 99}})
    assert replay.status_code == 409
    body = error(replay)
    assert body["field"] == "month"
    assert body["message"] == (
        f"Gateshead already has a return for May 2024 (id {first['id']}, submitted): "
        "change it with PUT."
    )
    assert state() == before


def test_an_accepted_return_cannot_be_changed(gateshead_token, pm):
    _, secret = gateshead_token
    created = post(secret, MAY).json()
    api_client(secret).post(f"/api/v1/returns/{created['id']}/submit")
    accept_return(monthly_return=MonthlyReturn.objects.get(), user=pm)
    response = api_client(secret).put(
        f"/api/v1/returns/{created['id']}", {"stages": {"enquiry": 1}}, format="json"
    )
    assert response.status_code == 409
    assert error(response)["message"] == (
        "The return for this month has been accepted and cannot change."
    )
    assert MonthlyReturn.objects.get().stage_counts.get(stage__code="enquiry").count == 40


def test_an_la_token_cannot_write_another_las_return(gateshead_token):
    _, secret = gateshead_token
    for code in ("E08000024", "394"):  # Sunderland, by GSS and by DfE code
        response = post(secret, {**MAY, "local_authority": code})
        assert response.status_code == 403
        body = error(response)
        assert body["code"] == "forbidden" and body["field"] == "local_authority"
        assert body["message"] == "This token acts for Gateshead only, not Sunderland."
    assert not MonthlyReturn.objects.exists()


def test_an_la_token_cannot_see_another_las_return(gateshead_token, lead):
    _, secret = gateshead_token
    theirs, _ = save_return(
        local_authority=authorities("Sunderland")[0],
        month=MonthlyReturn._meta.get_field("month").to_python("2024-05-01"),
        counts=ReturnCounts(stages={"enquiry": 5}),
        user=lead,
    )
    client = api_client(secret)
    assert client.get("/api/v1/returns").json()["count"] == 0
    for response in (
        client.get(f"/api/v1/returns/{theirs.pk}"),
        client.put(f"/api/v1/returns/{theirs.pk}", {"stages": {"enquiry": 1}}, format="json"),
        client.post(f"/api/v1/returns/{theirs.pk}/submit"),
    ):
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.status == ReturnStatus.DRAFT
    assert theirs.stage_counts.get().count == 5


def test_a_dfe_token_cannot_touch_returns(dfe_token):
    _, secret = dfe_token
    assert api_client(secret).get("/api/v1/returns").status_code == 403
    response = post(secret, {**MAY, "local_authority": "E08000037"})
    assert response.status_code == 403 and error(response)["code"] == "forbidden"
    assert not MonthlyReturn.objects.exists()


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({**MAY, "stages": {"enquiry": "40"}}, "stages.enquiry", "A valid integer is required."),
        ({**MAY, "stages": {"enquiry": 4.5}}, "stages.enquiry", "A valid integer is required."),
        ({**MAY, "stages": {"enquiry": True}}, "stages.enquiry", "A valid integer is required."),
        ({**MAY, "month": 202405}, "month", "Not a valid string."),
        ({**MAY, "month": "May 2024"}, "month", "Give the month as YYYY-MM."),
        ({**MAY, "stages": {"enquiries": 4}}, "stages.enquiries", "Unknown field"),
        ({**MAY, "note": "hello"}, "note", "Unknown field"),
        (
            {**MAY, "exits": [{"stage": "enquiry", "reason": "x", "count": 1, "why": ""}]},
            "exits[0].why",
            "Unknown field",
        ),
        ({**MAY, "exits": {"stage": "enquiry"}}, "exits", "Expected a list of items"),
        ({**MAY, "channels": []}, "channels", "Expected a dictionary of items"),
        ({k: v for k, v in MAY.items() if k != "stages"}, "stages", "This field is required."),
        ([MAY], None, "Invalid data. Expected a dictionary"),
        (
            {**MAY, "exits": [MAY["exits"][0], MAY["exits"][0]]},
            "exits",
            "exits[1] repeats the stage and reason of exits[0].",
        ),
    ],
)
def test_wrong_types_and_unknown_fields_are_refused_naming_the_field(
    gateshead_token, body, field, message
):
    _, secret = gateshead_token
    response = post(secret, body)
    assert response.status_code == 400
    found = error(response)
    assert found["code"] == "invalid"
    assert (found["field"], message in found["message"]) == (field, True), found
    assert not MonthlyReturn.objects.exists()


def test_malformed_json_is_refused_as_malformed(gateshead_token):
    _, secret = gateshead_token
    response = api_client(secret).post(
        "/api/v1/returns", '{"month": "2024-05", "stages": {', content_type="application/json"
    )
    assert response.status_code == 400
    assert error(response)["code"] == "malformed"
    assert "JSON parse error" in error(response)["message"]


def test_a_body_that_is_not_json_is_refused_as_unsupported(gateshead_token):
    _, secret = gateshead_token
    response = api_client(secret).post(
        "/api/v1/returns", "month=2024-05", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert error(response)["code"] == "unsupported_media_type"


def test_a_huge_json_body_is_refused_before_it_is_read(gateshead_token):
    _, secret = gateshead_token
    body = {**MAY, "channels": {f"channel-{i}": i for i in range(40_000)}}
    response = post(secret, body)
    assert response.status_code == 413
    assert error(response)["code"] == "too_large"
    assert not MonthlyReturn.objects.exists()


@pytest.mark.parametrize(
    "web_fields, api_body, api_field",
    [
        # a negative count
        (
            {"stage_enquiry": "-3"},
            {"stages": {"enquiry": -3}},
            "stages.enquiry",
        ),
        # a number no LA could have (and more than the database column holds)
        (
            {"channel_hub-website": "5000000000"},
            {"stages": {}, "channels": {"hub-website": 5_000_000_000}},
            "channels.hub-website",
        ),
        # more exits at a stage than entered it to date
        (
            {"stage_application": "2", "exit_application_not-suitable": "5"},
            {
                "stages": {"application": 2},
                "exits": [{"stage": "application", "reason": "not-suitable", "count": 5}],
            },
            "exits[0].count",
        ),
    ],
)
def test_a_return_refused_on_the_web_is_refused_by_the_api_with_the_same_message(
    gateshead_token, lead, web_fields, api_body, api_field
):
    gateshead = authorities("Gateshead")[0]
    web = client_for(lead).post(
        "/pipeline/returns/new/",
        {"local_authority": gateshead.pk, "month": "2024-05", **web_fields},
    )
    assert web.status_code == 200  # the form again, with its errors
    web_errors = {name: list(messages) for name, messages in web.context["form"].errors.items()}
    [(_, [web_message])] = web_errors.items()  # one error, on the field

    _, secret = gateshead_token
    response = post(secret, {"month": "2024-05", **api_body})
    assert response.status_code == 400
    body = error(response)
    assert body["message"] == web_message
    assert body["field"] == api_field
    assert not MonthlyReturn.objects.exists()


def test_a_month_in_the_future_is_refused_with_the_services_message(gateshead_token):
    _, secret = gateshead_token
    response = post(secret, {**MAY, "month": "2099-01"})
    assert response.status_code == 400
    assert (error(response)["field"], error(response)["message"]) == (
        "month",
        "The month cannot be in the future.",
    )


def test_the_list_filters_by_month_and_status_and_refuses_unknown_parameters(gateshead_token):
    _, secret = gateshead_token
    post(secret, MAY)
    post(secret, {**MAY, "month": "2024-06"})
    client = api_client(secret)
    assert client.get("/api/v1/returns").json()["count"] == 2
    assert [r["month"] for r in client.get("/api/v1/returns?month=2024-06").json()["results"]] == [
        "2024-06"
    ]
    assert client.get("/api/v1/returns?status=submitted").json()["count"] == 0
    unknown = client.get("/api/v1/returns?colour=red")
    assert unknown.status_code == 400 and error(unknown)["field"] == "colour"
    assert client.get("/api/v1/returns?status=lost").status_code == 400


def test_listing_returns_takes_the_same_queries_for_few_and_many(
    gateshead_token, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = gateshead_token
    client = api_client(secret)
    post(secret, MAY)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/returns")
    for month in range(6, 13):
        post(secret, {**MAY, "month": f"2024-{month:02d}"})
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/returns").json()["count"] == 8
    assert len(many) == len(few), [q["sql"][:100] for q in many.captured_queries]
