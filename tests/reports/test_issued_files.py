"""An issued report's PDF and XLSX are rendered once, at issue, and stored with their
checksums: every download is those bytes, never rendered again, with the checksum as the
ETag so a reader who has the file gets 304. A lead's cut is stored apart from the whole."""

import hashlib

import pytest
from django.urls import reverse

from reports import render, services
from reports.models import IssuedFile

from .conftest import client_for


@pytest.fixture
def issued_now(build, pm, programme_data, django_capture_on_commit_callbacks):
    report = build(user=pm)
    services.save_summary(report_id=report.pk, summary="May went well: hub live.", user=pm)
    with django_capture_on_commit_callbacks(execute=True):
        return services.issue_report(report_id=report.pk, user=pm)


def no_rendering(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(render, "render_pdf", refuse)
    monkeypatch.setattr(render, "render_xlsx", refuse)


def test_issuing_renders_the_files_once_and_downloads_serve_them(issued_now, pm, monkeypatch):
    stored = {f.fmt: f for f in IssuedFile.objects.filter(report=issued_now)}
    assert set(stored) == {"pdf", "xlsx"}
    for f in stored.values():
        assert f.sha256 == hashlib.sha256(bytes(f.content)).hexdigest()

    no_rendering(monkeypatch)  # from now on a download that renders fails
    client = client_for(pm)
    for fmt in ("pdf", "xlsx"):
        url = reverse(f"reports:{fmt}", args=[issued_now.pk])
        first, second = client.get(url), client.get(url)
        assert first.status_code == 200 and first.content == second.content
        assert first.content == bytes(stored[fmt].content)
        assert first["ETag"] == f'"{stored[fmt].sha256}"'


def test_a_reader_who_has_the_file_gets_not_modified(issued_now, pm):
    url = reverse("reports:pdf", args=[issued_now.pk])
    etag = client_for(pm).get(url)["ETag"]

    again = client_for(pm).get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client_for(pm).get(url, HTTP_IF_NONE_MATCH='"something else"').status_code == 200


def test_a_leads_cut_is_stored_apart_and_never_served_to_others(issued_now, pm, lead):
    url = reverse("reports:xlsx", args=[issued_now.pk])
    whole = client_for(pm).get(url)
    cut = client_for(lead).get(url)

    assert cut.status_code == 200 and cut.content != whole.content
    assert cut["ETag"] != whole["ETag"]
    assert IssuedFile.objects.filter(report=issued_now, fmt="xlsx").count() == 2
    # the lead's own file, again: the same bytes, not the whole report's
    assert client_for(lead).get(url).content == cut.content


def test_two_first_downloads_at_once_keep_one_file(issued_now, pm):
    IssuedFile.objects.all().delete()
    snapshot = render.snapshot_for(issued_now, pm)
    first = services.issued_file(issued_now, snapshot, "pdf")
    second = services.issued_file(issued_now, snapshot, "pdf")
    assert first.pk == second.pk and IssuedFile.objects.count() == 1


def test_a_draft_is_rendered_each_time_and_not_stored(build, pm, programme_data):
    report = build(user=pm)
    response = client_for(pm).get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and "ETag" not in response
    assert not IssuedFile.objects.exists()
