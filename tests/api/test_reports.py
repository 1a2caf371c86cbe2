"""Issued reports through the API, for DfE tokens: the frozen snapshot as JSON, and the
same PDF and spreadsheet as the web, downloaded with the token."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from reports.models import Report, Status
from reports.services import correct_report, issue_report, save_summary
from tests.api.conftest import api_client, error
from tests.conftest import client_for


def test_a_dfe_token_lists_and_reads_issued_reports_with_links_that_work(dfe_token, issued_report):
    _, secret = dfe_token
    client = api_client(secret)
    listed = client.get("/api/v1/reports")
    assert listed.status_code == 200
    [item] = listed.json()["results"]
    assert item | {"links": None, "issued_at": None, "data_as_at": None} == {
        "id": issued_report.pk,
        "kind": "monthly",
        "period_start": "2024-05-01",
        "period": "May 2024",
        "version": 1,
        "status": "issued",
        "issued_at": None,
        "data_as_at": None,
        "checksum": issued_report.checksum,
        "replaces": None,
        "replaced_by": None,
        "links": None,
    }
    detail = client.get(item["links"]["self"]).json()
    assert detail["snapshot"] == issued_report.snapshot
    assert detail["snapshot"]["summary"] == "May went well: hub live."

    pdf = client.get(item["links"]["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="monthly-report-2024-05-v1.pdf"' in pdf["Content-Disposition"]

    xlsx = client.get(item["links"]["xlsx"], HTTP_ACCEPT="application/json")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_the_spreadsheet_has_the_figures_the_web_gives_a_dfe_reader(dfe_token, issued_report, dfe):
    _, secret = dfe_token
    by_api = api_client(secret).get(f"/api/v1/reports/{issued_report.pk}/xlsx").content
    by_web = client_for(dfe).get(f"/reports/{issued_report.pk}/report.xlsx").content

    def cells(data):
        book = load_workbook(io.BytesIO(data))
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book}

    assert cells(by_api) == cells(by_web)


def test_an_la_token_cannot_read_reports(gateshead_token, issued_report):
    _, secret = gateshead_token
    client = api_client(secret)
    for url in (
        "/api/v1/reports",
        f"/api/v1/reports/{issued_report.pk}",
        f"/api/v1/reports/{issued_report.pk}/pdf",
        f"/api/v1/reports/{issued_report.pk}/xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert error(response)["code"] == "forbidden"


def test_drafts_are_not_found_and_corrections_point_both_ways(
    dfe_token, issued_report, pm, django_capture_on_commit_callbacks
):
    _, secret = dfe_token
    client = api_client(secret)
    with django_capture_on_commit_callbacks(execute=True):
        draft = correct_report(report_id=issued_report.pk, user=pm)
    for suffix in ("", "/pdf", "/xlsx"):
        response = client.get(f"/api/v1/reports/{draft.pk}{suffix}")
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"
    assert client.get("/api/v1/reports").json()["count"] == 1

    save_summary(report_id=draft.pk, summary="Corrected figures.", user=pm)
    issue_report(report_id=draft.pk, user=pm)
    listed = {r["version"]: r for r in client.get("/api/v1/reports").json()["results"]}
    assert listed[2]["replaces"] == issued_report.pk
    assert listed[1]["replaced_by"] == draft.pk
    assert client.get("/api/v1/reports?kind=quarterly").json()["count"] == 0
    assert client.get("/api/v1/reports?kind=weekly").status_code == 400


def test_listing_reports_takes_the_same_queries_for_few_and_many(dfe_token, issued_report):
    _, secret = dfe_token
    client = api_client(secret)
    client.get("/api/v1/reports")
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/reports").json()["count"] == 1
    for month in range(1, 9):
        Report.objects.create(
            kind=issued_report.kind,
            period_start=datetime.date(2023, month + 4 if month < 9 else 12, 1),
            status=Status.ISSUED,
            summary="Summary.",
            snapshot=issued_report.snapshot,
            checksum=issued_report.checksum,
            data_as_at=issued_report.data_as_at,
            issued_at=issued_report.issued_at,
        )
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/reports").json()["count"] == 9
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


@pytest.mark.parametrize("suffix, accept", [("/pdf", "application/pdf"), ("/xlsx", "*/*")])
def test_a_download_of_an_unknown_report_is_a_json_404_whatever_is_accepted(
    dfe_token, suffix, accept
):
    _, secret = dfe_token
    response = api_client(secret).get(f"/api/v1/reports/999{suffix}", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
