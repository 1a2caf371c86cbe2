"""The monthly report reads like a report: the executive summary's figures agree with the
sections and its nouns with its numbers, the web page has a contents list that jumps to
every section and styles the summary as GOV.UK body text, and the spreadsheet's sheets
are named in whole words that Excel accepts."""

import datetime
import io
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insights import services as insights
from insights.models import LearningEvent
from programme.models import Milestone
from reports import services
from reports.render import SHEET_NAME_LIMIT, sheet_name
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import ClusterFactory
from tests.insights.conftest import write_lesson

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)


def _section(snapshot, key):
    return next(s for s in snapshot["sections"] if s["key"] == key)


def _blocks(snapshot, key):
    """Every available block with this key, in every section."""
    return [
        b for s in snapshot["sections"] for b in s["blocks"] if b["key"] == key and b["available"]
    ]


@pytest.fixture
def busy_may(programme_data, pm):
    """May 2024 with milestones met, due and missed in the clusters and programme-wide
    (the programme-wide ones alone would give other counts), one learning event held in
    May and one in April, two lessons published in May."""
    ne, foster4 = programme_data["north_east"], programme_data["other"]
    Milestone.objects.create(
        cluster=ne,
        title="Hub website live",
        baseline_date=datetime.date(2024, 4, 1),
        forecast_date=datetime.date(2024, 4, 20),  # overdue when May began, not met
    )
    Milestone.objects.create(
        cluster=foster4,
        title="Hub lead appointed",
        baseline_date=datetime.date(2024, 5, 3),
        forecast_date=datetime.date(2024, 5, 3),
        actual_date=datetime.date(2024, 5, 9),
        status="complete",
    )
    Milestone.objects.create(
        title="Evaluation framework agreed",
        baseline_date=datetime.date(2024, 5, 28),
        forecast_date=datetime.date(2024, 5, 28),
    )
    Milestone.objects.create(  # met before May: in no section and in no count
        cluster=ne,
        title="Cluster agreement signed",
        baseline_date=datetime.date(2024, 3, 1),
        forecast_date=datetime.date(2024, 3, 1),
        actual_date=datetime.date(2024, 3, 1),
        status="complete",
    )
    for topic, held_on in (
        ("May masterclass", datetime.date(2024, 5, 20)),
        ("April event", datetime.date(2024, 4, 20)),
    ):
        insights.save_event(
            event=LearningEvent(kind="masterclass", topic=topic, held_on=held_on, facilitator="A"),
            by=pm,
        )
    for title, day in (("Call back within a day", 14), ("Weekend open days", 21)):
        lesson = write_lesson(by=pm, title=title)
        insights.publish_lesson(lesson=lesson, published_on=datetime.date(2024, 5, day), by=pm)
    return programme_data


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def test_every_figure_in_the_executive_summary_agrees_with_the_sections(busy_may, pm, build):
    report = build(user=pm)
    snapshot = report.snapshot
    summary = services.key_figures_text(report)  # the summary's first draft
    lines = snapshot["key_figures"]
    assert summary == "\n\n".join(lines) and lines
    clusters = [s for s in snapshot["sections"] if s["cluster"]]
    checked = set()

    # milestones: the sections' count tables, and the states their lists show
    counts, states = Counter(), Counter()
    for b in _blocks(snapshot, "milestones"):
        due, met, missed = b["tables"][0]["rows"][0]
        counts.update({"Due": due, "Met": met, "Missed": missed})
        states.update(row[-1] for row in b["tables"][1]["rows"])
    assert counts == states == Counter({"Met": 2, "Due": 2, "Missed": 2})
    line = next(x for x in lines if x.startswith("Milestones"))
    assert line == (
        "Milestones in May 2024, programme-wide and in 2 clusters: "
        f"{counts['Met']} met, {counts['Due']} due and {counts['Missed']} missed."
    )
    checked.add(line)

    # learning: one event held in May, two lessons published
    (learning,) = _blocks(snapshot, "learning")
    lessons, events = learning["tables"]
    assert (len(lessons["rows"]), len(events["rows"])) == (2, 1)
    line = next(x for x in lines if x.startswith("Learning"))
    assert line == "Learning: 2 lessons published and 1 learning event held."
    checked.add(line)

    # delivery confidence: each cluster's rating this month
    ratings = Counter(b["tables"][0]["rows"][0][0] for b in _blocks(snapshot, "confidence"))
    line = next(x for x in lines if x.startswith("Delivery confidence"))
    shown = ", ".join(f"{n} {label}" for label, n in sorted(ratings.items()))
    assert line == f"Delivery confidence across {len(clusters)} clusters: {shown}."
    checked.add(line)

    # enquiries and applications: the clusters' rows for the month
    month_rows = [b["tables"][0]["rows"][0] for b in _blocks(snapshot, "pipeline")]
    line = next(x for x in lines if x.startswith("Enquiries"))
    stated = re.match(
        r"Enquiries across the clusters in May 2024: ([\d,]+), of which ([\d,]+) ", line
    )
    assert _int(stated[1]) == sum(r[1] for r in month_rows) == 125
    assert _int(stated[2]) == sum(r[2] for r in month_rows) == 22
    assert "22 became applications" in line
    checked.add(line)

    # support: the programme section's days per cluster and programme-wide work
    support_lines = [x for x in lines if x.startswith(("Support in", "Approved cost"))]
    if support_lines:  # the timesheets area gives these
        support = _section(snapshot, "programme-support")["blocks"][0]
        per_place = support["tables"][0]["rows"]
        days = sum(r[1] for r in per_place)
        hours = sum(r[2] for r in per_place)
        assert support_lines[0].startswith(
            f"Support in May 2024: {days:.1f} days ({hours:.1f} hours) across 2 clusters"
        )
        spend = _section(snapshot, "programme-support")["blocks"][1]["tables"][0]["rows"]
        for line in support_lines[1:]:
            year = next(r for r in spend if r[0] == "Financial year 2024-25")
            assert f"£{year[2]:,.0f} of the £{year[1]:,.0f} cap ({year[3]}%)" in line
        checked.update(support_lines)

    # no figure in the summary goes unchecked
    assert set(lines) == checked


@pytest.mark.parametrize(
    "events, lessons, words",
    [
        (0, 0, "0 lessons published and 0 learning events held"),
        (1, 1, "1 lesson published and 1 learning event held"),
        (3, 2, "2 lessons published and 3 learning events held"),
    ],
)
def test_the_summary_puts_its_nouns_in_the_plural_only_when_there_are_several(
    contract, other_cluster, pm, build, events, lessons, words
):
    for n in range(events):
        insights.save_event(
            event=LearningEvent(
                kind="masterclass",
                topic=f"Event {n}",
                held_on=datetime.date(2024, 5, 10 + n),
                facilitator="A",
            ),
            by=pm,
        )
    for n in range(lessons):
        lesson = write_lesson(by=pm, title=f"Lesson {n}")
        insights.publish_lesson(lesson=lesson, published_on=datetime.date(2024, 5, 2), by=pm)

    lines = build(user=pm).snapshot["key_figures"]

    assert f"Learning: {words}." in lines
    assert any(x.startswith("Delivery confidence across 1 cluster: ") for x in lines)
    assert (
        "Milestones in May 2024, programme-wide and in 1 cluster: 0 met, 0 due and 0 missed."
        in lines
    )
    assert not any(
        re.search(r"\b1 [a-z ]*(clusters|lessons|events|days|hours)\b", x) for x in lines
    )


# -- the web page ----------------------------------------------------------------------


class _Page(HTMLParser):
    """The ids on a page, the contents list's links, the section headings, and the tags
    inside the executive summary with their classes."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.headings, self.summary_tags = [], [], [], []
        self._in_contents = self._in_summary = False
        self._link = self._heading = None
        self._section_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "nav" and attrs.get("aria-labelledby") == "contents-heading":
            self._in_contents = True
        elif tag == "a" and self._in_contents:
            self._link = [attrs.get("href"), ""]
        elif tag == "section":
            self._in_summary = attrs.get("id") == "summary"
        elif tag == "h2" and attrs.get("id", "").endswith("-heading"):
            self._heading = [attrs["id"], ""]
        elif self._in_summary and tag in ("p", "ul", "ol", "li"):
            self.summary_tags.append((tag, attrs.get("class") or ""))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_contents = False
        elif tag == "a" and self._link:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None
        elif tag == "section":
            self._in_summary = False
        elif tag == "h2" and self._heading:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None

    def handle_data(self, data):
        if self._link:
            self._link[1] += data
        if self._heading:
            self._heading[1] += data


@pytest.fixture
def issued_with_a_long_summary(build, pm, dfe, busy_may):
    report = build(user=pm)
    summary = (
        "May was the month the North East hub went live.\n"
        "Calls are answered across the region.\n\n"
        "What DfE should note:\n\n"
        "- Foster4's campaign launch is late\n"
        "- The evaluation framework is due on 28 May\n\n"
        "<script>alert(1)</script> is shown as text."
    )
    services.save_summary(report_id=report.pk, summary=summary, user=pm)
    return services.issue_report(report_id=report.pk, user=pm)


def test_the_web_page_has_contents_that_jump_to_every_section(issued_with_a_long_summary, dfe):
    report = issued_with_a_long_summary
    html = client_for(dfe).get(reverse("reports:detail", args=[report.pk])).content.decode()
    page = _Page()
    page.feed(html)

    assert len(page.ids) == len(set(page.ids)), "an id is on the page twice"
    targets = [href for href, _ in page.links]
    assert targets and all(href.startswith("#") for href in targets)
    assert all(href[1:] in page.ids for href in targets), "a contents link goes nowhere"
    # one link per section, the programme's and every cluster's, named as its heading,
    # after the executive summary, and the contents come before them all
    sections = report.snapshot["sections"]
    assert page.links == [("#summary", "Executive summary")] + [
        (f"#{s['key']}", s["title"]) for s in sections
    ]
    assert {"#cluster-north-east", "#cluster-foster4"} <= set(targets)
    headings = dict(page.headings)
    assert all(headings[f"{s['key']}-heading"] == s["title"] for s in sections)
    assert html.index('id="contents-heading"') < html.index('id="summary"')


def test_the_executive_summary_is_styled_as_gov_uk_body_text(issued_with_a_long_summary, dfe):
    report = issued_with_a_long_summary
    html = client_for(dfe).get(reverse("reports:detail", args=[report.pk])).content.decode()
    page = _Page()
    page.feed(html)

    paragraphs = [c for tag, c in page.summary_tags if tag == "p"]
    lists = [c for tag, c in page.summary_tags if tag in ("ul", "ol")]
    assert len(paragraphs) == 3 and all("govuk-body" in c.split() for c in paragraphs)
    assert lists == ["govuk-list govuk-list--bullet"]
    assert "<li>Foster4&#x27;s campaign launch is late</li>" in html
    assert "the North East hub went live.<br>Calls are answered" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is shown as text." in html


# -- the spreadsheet's sheet names -----------------------------------------------------


def _names(*titles):
    used = set()
    return [sheet_name(t, used) for t in titles]


def test_a_name_that_fits_is_kept_whole():
    assert _names("Foster for Greater Manchester") == ["Foster for Greater Manchester"]


def test_a_long_name_is_shortened_at_a_word_boundary():
    (name,) = _names("Support and spend across the programme as a whole")
    assert name == "Support and spend across"  # not "...across the" nor "...progr"
    assert len(name) <= SHEET_NAME_LIMIT


def test_two_long_names_sharing_their_first_31_characters_are_told_apart():
    a = "Foster for Greater Manchester and Cheshire East"
    b = "Foster for Greater Manchester and Cheshire West"
    assert a[:31] == b[:31]
    first, second = _names(a, b)
    assert first == "Foster for Greater Manchester"
    assert second == "Foster for Greater (2)"
    assert all(len(n) <= SHEET_NAME_LIMIT for n in (first, second))


def test_names_are_unique_ignoring_case_within_the_limit():
    names = _names(*["Programme risks, issues and learning"] * 12, "REPORT", "report")
    assert len({n.lower() for n in names}) == len(names)
    assert names[:3] == [
        "Programme risks, issues",
        "Programme risks, issues (2)",
        "Programme risks, issues (3)",
    ]
    assert names[-2:] == ["REPORT", "report (2)"]
    assert all(len(n) <= SHEET_NAME_LIMIT for n in names)


def test_characters_excel_forbids_are_removed():
    names = _names("Q1/Q2: [draft] *final*? back\\slash", "'Quoted'", "???", "History")
    assert names == ["Q1 Q2 draft final back slash", "Quoted", "Sheet", "History (2)"]
    assert not any(set(n) & set("[]:*?/\\") for n in names)


def test_a_single_word_longer_than_the_limit_is_cut_having_nothing_better():
    (name,) = _names("Supercalifragilisticexpialidocious-and-more")
    assert len(name) == SHEET_NAME_LIMIT


def test_the_issued_spreadsheet_names_its_sheets_in_whole_words(
    contract, north_east, pm, build, dfe
):
    for name in (
        "Foster for Greater Manchester",
        "Foster for Greater Manchester and Cheshire East",
        "Foster for Greater Manchester and Cheshire West",
    ):
        ClusterFactory(name=name)
    report = build(user=pm)
    services.save_summary(report_id=report.pk, summary="May.", user=pm)
    report = services.issue_report(report_id=report.pk, user=pm)

    content = client_for(dfe).get(reverse("reports:xlsx", args=[report.pk])).content
    names = load_workbook(io.BytesIO(content)).sheetnames

    assert "Foster for Greater Manchester" in names
    assert "Foster for Greater Mancheste" not in names
    assert len({n.lower() for n in names}) == len(names) == len(report.snapshot["sections"]) + 1
    assert all(len(n) <= SHEET_NAME_LIMIT for n in names)
