"""The hub evaluation through the API (issue 19): the same figures as the web pages, every
cluster and each hub for a DfE token, its own cluster and the pooled effect for an LA
token."""

# ruff: noqa: F811 - the fixtures imported below are parameters of the tests

import pytest

from tests.api.conftest import api_client
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.pipeline.test_evaluation import figures  # noqa: F401 - a fixture
from tests.pipeline.test_projection import pipelines  # noqa: F401 - a fixture

pytestmark = pytest.mark.time_machine(FIXED_DAY)


def test_dfe_reads_every_clusters_projection_as_the_page_shows_it(
    users,
    pipelines,
    dfe_token,  # noqa: F811
):
    body = api_client(dfe_token[1]).get("/api/v1/projections").json()
    assert body["as_of"] == FIXED_DAY.date().isoformat() and body["level"] == 90
    names = [c["name"] for c in body["clusters"]]
    assert "North East" in names and "Foster4" in names
    north_east = next(c for c in body["clusters"] if c["name"] == "North East")
    assert north_east["target"] == 90 and len(north_east["back_tests"]) == 2
    year = north_east["financial_year"]
    assert year["low"] <= year["expected"] <= year["high"]
    page = client_for(users["dfe"]).get("/pipeline/projections/?format=csv").content.decode()
    line = next(x for x in page.splitlines() if x.startswith("North East"))
    assert line.split(",")[1:3] == [str(year["so_far"]), str(round(year["total"]))]


def test_an_la_token_reads_its_own_clusters_projection_only(pipelines, gateshead_token):  # noqa: F811
    body = api_client(gateshead_token[1]).get("/api/v1/projections").json()
    assert [c["name"] for c in body["clusters"]] == ["North East"]


def test_the_hub_effect_is_pooled_for_an_la_token_and_per_hub_for_dfe(
    figures,
    dfe_token,
    gateshead_token,  # noqa: F811
):
    dfe = api_client(dfe_token[1]).get("/api/v1/hub-effect").json()
    enquiries = next(o for o in dfe["outcomes"] if o["outcome"] == "enquiries")
    assert enquiries["refused"] is None
    assert enquiries["low"] < 60 < enquiries["high"]  # the planted 60 a year
    assert "12 LAs in hubs and 141 in none" in enquiries["rests_on"]
    assert any(e["years_since_go_live"] == -1 for e in enquiries["events"])
    assert [h["hub"] for h in enquiries["hubs"]] == ["Foster with North East"]
    la = api_client(gateshead_token[1]).get("/api/v1/hub-effect").json()
    la_enquiries = next(o for o in la["outcomes"] if o["outcome"] == "enquiries")
    assert la_enquiries["estimate"] == enquiries["estimate"] and la_enquiries["hubs"] == []


def test_while_the_projections_are_worked_out_the_api_says_so(
    pipelines,
    dfe_token,
    settings,
    monkeypatch,  # noqa: F811
):
    from core import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks, "enqueue", lambda *args, **kwargs: True)
    response = api_client(dfe_token[1]).get("/api/v1/projections")
    assert response.status_code == 202 and response["Retry-After"] == "60"
    assert response.json()["status"] == "working"
