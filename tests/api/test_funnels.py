"""Funnel figures through the API: the web funnel page's selectors, so the same numbers;
an LA token reads its own LA only, a DfE token every area."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import Region
from pipeline.exportgen import as_record_rows, synthetic_records
from pipeline.services import save_return, submit_return
from pipeline.services.records import upsert_records
from pipeline.services.returns import ReturnCounts
from tests.api.conftest import api_client, error
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import authorities

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)

START, END = datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)


def add_records(names, n, seed=1):
    upsert_records(
        as_record_rows(synthetic_records(authorities(*names), n, start=START, end=END, seed=seed)),
        batch_id=None,
    )


@pytest.fixture
def data(north_east, other_cluster, lead):
    add_records(["Gateshead", "Sunderland"], 300)
    add_records(["Warrington"], 100, seed=2)
    darlington, _ = save_return(
        local_authority=authorities("Darlington")[0],
        month=datetime.date(2024, 5, 1),
        counts=ReturnCounts(
            stages={"enquiry": 80, "application": 5},
            exits={("enquiry", "no-contact"): 20},
            channels={"hub-website": 80},
        ),
        user=lead,
    )
    submit_return(monthly_return=darlington, user=lead)


def web_funnel(user, scope_key, period_key):
    response = client_for(user).get(f"/pipeline/?scope={scope_key}&period={period_key}")
    assert response.status_code == 200
    return response.context["funnel"], response.context["rates"]


def same_figures(web, rates, api):
    """Every number the web page shows, as the API gives it."""
    assert [(s["code"], s["count"], s["conversion"], s["year_earlier"]) for s in web["stages"]] == [
        (s["code"], s["count"], s["conversion"], s["year_earlier"]) for s in api["stages"]
    ]
    for key in (
        "enquiries",
        "enquiries_from_records",
        "enquiries_from_returns",
        "enquiries_deduplicated",
        "enquiry_to_application",
        "enquiry_to_approval",
        "medians",
        "exits",
        "channels",
    ):
        assert web[key] == api[key], key
    assert web["year_earlier"]["enquiries"] == api["year_earlier"]["enquiries"]
    benchmarks = [
        (b["area"], b["enquiry_to_application"], b["enquiry_to_approval"])
        for b in api["benchmarks"]
    ]
    assert benchmarks == [
        (r["label"], r["enquiry_to_application"], r["enquiry_to_approval"]) for r in rates[1:-1]
    ]


@pytest.mark.parametrize(
    "query, scope_key, period_key",
    [
        ("area=england&period=fy&month=2024-07", "england", "fy:2024-04"),
        (
            "area=region&code=E12000001&period=quarter&month=2024-05",
            "region:{region}",
            "quarter:2024-04",
        ),
        (
            "area=cluster&code=north-east&period=month&month=2024-05",
            "cluster:{cluster}",
            "month:2024-05",
        ),
        ("area=la&code=E08000037&period=fy&month=2024-04", "la:{gateshead}", "fy:2024-04"),
        ("area=la&code=390&period=quarter&month=2024-12", "la:{gateshead}", "quarter:2024-10"),
        ("area=la&code=E06000005&period=month&month=2024-05", "la:{darlington}", "month:2024-05"),
    ],
)
def test_a_dfe_token_reads_any_area_with_the_web_pages_figures(
    dfe_token, data, pm, north_east, query, scope_key, period_key
):
    _, secret = dfe_token
    keys = {
        "region": Region.objects.get(code="E12000001").pk,
        "cluster": north_east.pk,
        "gateshead": authorities("Gateshead")[0].pk,
        "darlington": authorities("Darlington")[0].pk,
    }
    response = api_client(secret).get(f"/api/v1/funnel?{query}")
    assert response.status_code == 200, response.json()
    api = response.json()
    web, rates = web_funnel(pm, scope_key.format(**keys), period_key)
    assert api["enquiries"] > 0
    same_figures(web, rates, api)
    assert api["period"]["first_day"] == web["start"].isoformat()


def test_an_la_token_reads_its_own_funnel_as_the_cluster_lead_sees_it(gateshead_token, data, lead):
    _, secret = gateshead_token
    api = api_client(secret).get("/api/v1/funnel?period=month&month=2024-06").json()
    assert api["area"] == {"area": "la", "code": "E08000037", "name": "Gateshead"}
    assert api["period"] == {
        "type": "month",
        "label": "June 2024",
        "first_day": "2024-06-01",
        "last_day": "2024-06-30",
    }
    gateshead = authorities("Gateshead")[0]
    web, rates = web_funnel(lead, f"la:{gateshead.pk}", "month:2024-06")
    same_figures(web, rates, api)


@pytest.mark.parametrize(
    "query",
    [
        "area=la&code=E08000024",  # Sunderland, in the same cluster
        "area=la&code=394",
        "area=la&code=E06000007",  # Warrington, in another cluster
        "area=cluster&code=north-east",
        "area=region&code=E12000001",
        "area=england",
    ],
)
def test_an_la_token_cannot_read_any_other_area(gateshead_token, data, query):
    _, secret = gateshead_token
    response = api_client(secret).get(f"/api/v1/funnel?{query}")
    assert response.status_code == 403
    assert error(response) | {"details": None} == {
        "code": "forbidden",
        "message": "This token reads Gateshead's funnel only.",
        "field": None,
        "row": None,
        "details": None,
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ("area=la&code=E99999999", "code"),
        ("area=cluster&code=nowhere", "code"),
        ("area=region", "code"),
        ("area=england&code=E92000001", "code"),
        ("area=county", "area"),
        ("period=week", "period"),
        ("month=2024-13", "month"),
        ("month=1999-01", "month"),
        ("month=2024-05&month=2024-06", "month"),
        ("scope=england", "scope"),
    ],
)
def test_bad_funnel_parameters_are_refused_naming_the_parameter(dfe_token, query, field):
    _, secret = dfe_token
    response = api_client(secret).get(f"/api/v1/funnel?{query}")
    assert response.status_code == 400
    assert error(response)["field"] == field


@pytest.mark.parametrize("token", ["gateshead_token", "dfe_token"])
def test_funnel_queries_do_not_grow_with_the_data(request, data, token):
    _, secret = request.getfixturevalue(token)
    client = api_client(secret)
    url = "/api/v1/funnel?period=fy&month=2024-05" + (
        "&area=cluster&code=north-east" if token == "dfe_token" else ""
    )
    client.get(url)
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_records(["Gateshead", "Hartlepool"], 600, seed=9)
    for month in (6, 7, 8):
        save_return(
            local_authority=authorities("Middlesbrough")[0],
            month=datetime.date(2024, month, 1),
            counts=ReturnCounts(stages={"enquiry": 10}),
            user=request.getfixturevalue("pm"),
        )
    client.get(url)  # people counted once are counted again once the records change
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_a_nul_byte_in_the_address_is_a_json_400_in_the_apis_own_shape(dfe_token):
    response = api_client(dfe_token[1]).get("/api/v1/funnel", {"area": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert error(response)["code"] == "invalid"
    assert "NUL" in error(response)["message"]


def test_an_empty_page_number_is_a_400_naming_the_parameter(dfe_token):
    response = api_client(dfe_token[1]).get("/api/v1/reports", {"page": ""})
    assert response.status_code == 400
    assert error(response)["field"] == "page"


def test_an_address_under_the_api_with_a_line_break_is_a_json_404(dfe_token):
    response = api_client(dfe_token[1]).get("/api/v1/returns/%27x%0Ay")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
