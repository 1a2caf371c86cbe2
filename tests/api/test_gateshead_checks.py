"""The issue's own check, end to end: a token for Gateshead pushes a month's return and
uploads an export; the web funnel (a programme manager's page) and the API funnel agree to
the unit; the same token cannot read Sunderland."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.services import issue_token
from clusters.models import LocalAuthority
from pipeline import example_profiles
from pipeline.exportgen import carefirst_csv, synthetic_records
from pipeline.models import MonthlyReturn, PipelineRecord, ReturnStatus
from tests.api.conftest import api_client, error
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import authorities

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)


def test_gateshead_pushes_a_return_and_an_export_and_both_funnels_agree_to_the_unit(
    north_east, pm, django_capture_on_commit_callbacks
):
    carefirst, _ = example_profiles.load()
    # the programme manager issues the token on the web; it is shown once
    gateshead = LocalAuthority.objects.get(name="Gateshead")
    response = client_for(pm).post(
        "/api-tokens/new/",
        {
            "name": "Gateshead nightly job",
            "kind": "la",
            "local_authority": gateshead.pk,
            "days": "90",
        },
    )
    client = api_client(response.context["secret"])

    # a month's return, created then submitted
    created = client.post(
        "/api/v1/returns",
        {
            "month": "2024-05",
            "stages": {"enquiry": 57, "conversation": 21, "application": 7, "approval": 1},
            "exits": [{"stage": "enquiry", "reason": "no-contact", "count": 12}],
            "channels": {"hub-website": 40, "regional-campaign": 17},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    submitted = client.post(created.json()["links"]["submit"])
    assert submitted.json()["status"] == "submitted"
    assert MonthlyReturn.objects.get().status == ReturnStatus.SUBMITTED

    # an export from the case-management system, validated in the background, committed
    export = carefirst_csv(
        synthetic_records(
            [gateshead], 120, start=datetime.date(2024, 4, 1), end=datetime.date(2025, 3, 31)
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(
            "/api/v1/imports",
            {"profile": carefirst.pk, "file": SimpleUploadedFile("gateshead.csv", export)},
            format="multipart",
        )
    assert uploaded.status_code == 202
    polled = client.get(uploaded.json()["links"]["self"]).json()
    assert polled["status"] == "validated", polled["errors"]
    assert client.post(polled["links"]["commit"]).json()["status"] == "committed"
    assert PipelineRecord.objects.filter(local_authority=gateshead).count() == 120

    # the web funnel and the API funnel agree to the unit, for every period kind
    for period, month, key in (
        ("month", "2024-05", "month:2024-05"),
        ("quarter", "2024-07", "quarter:2024-07"),
        ("fy", "2024-04", "fy:2024-04"),
    ):
        api = client.get(f"/api/v1/funnel?period={period}&month={month}").json()
        web = client_for(pm).get(f"/pipeline/?scope=la:{gateshead.pk}&period={key}")
        funnel = web.context["funnel"]
        assert [(s["name"], s["count"]) for s in api["stages"]] == [
            (s["name"], s["count"]) for s in funnel["stages"]
        ]
        assert api["enquiries"] == funnel["enquiries"] > 0
        assert api["enquiry_to_application"] == funnel["enquiry_to_application"]
        assert api["enquiry_to_approval"] == funnel["enquiry_to_approval"]
        assert api["exits"] == funnel["exits"] and api["channels"] == funnel["channels"]
        assert api["medians"] == funnel["medians"]

    # and the same token cannot read Sunderland, or write for it
    refused = client.get("/api/v1/funnel?area=la&code=E08000024")
    assert refused.status_code == 403
    assert error(refused)["message"] == "This token reads Gateshead's funnel only."
    written = client.post(
        "/api/v1/returns",
        {"local_authority": "E08000024", "month": "2024-05", "stages": {"enquiry": 1}},
        format="json",
    )
    assert written.status_code == 403
    assert not MonthlyReturn.objects.filter(local_authority__name="Sunderland").exists()


def test_a_dfe_token_reads_gateshead_and_sunderland_alike(north_east, pm):
    _, secret = issue_token(name="DfE analysts", kind="dfe", days=30, by=pm)
    client = api_client(secret)
    for la in authorities("Gateshead", "Sunderland"):
        response = client.get(f"/api/v1/funnel?area=la&code={la.gss_code}&period=fy&month=2024-04")
        assert response.status_code == 200
        assert response.json()["area"]["name"] == la.name
    # and writes nothing
    written = client.post(
        "/api/v1/returns",
        {"local_authority": "E08000037", "month": "2024-05", "stages": {"enquiry": 1}},
        format="json",
    )
    assert written.status_code == 403
