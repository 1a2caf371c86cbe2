"""The monthly report carries the timesheet figures: days and hours of support per cluster
against the planning figure, and spend against each cap with the forecast; a cluster
lead's copy keeps their hours and loses every £."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from programme.models import DayRate, Grade
from reports import services
from reports.gather import gather_monthly
from tests.conftest import client_for
from tests.factories import UserFactory
from timesheets import services as time
from timesheets.models import Activity, Status, TimeEntry

from .conftest import MAY
from .helpers import main_content, pdf_text, xlsx_text

pytestmark = pytest.mark.dates


def _approve(consultant, approver, day, days, cluster, requirement="R2"):
    entry = time.save_entry(
        consultant=consultant,
        date=day,
        cluster=cluster,
        requirement=requirement,
        activity=Activity.COACHING,
        days=Decimal(days),
        description="Support",
    )
    time.submit_entry(entry_id=entry.pk, by=consultant)
    return time.approve_entry(entry_id=entry.pk, by=approver)


@pytest.fixture
def time_logged(programme_data, pm):
    """May 2024: the North East 1.5 days of R2 and 1 of R3; Foster4 half a day; April a day
    for the North East (in the year to date)."""
    grade = Grade.objects.create(name="Senior consultant")
    DayRate.objects.create(grade=grade, valid_from=datetime.date(2023, 6, 1), rate=Decimal("800"))
    consultant = UserFactory(role=Role.CONSULTANT, grade=grade)
    ne, other = programme_data["north_east"], programme_data["other"]
    _approve(consultant, pm, datetime.date(2024, 5, 6), "1", ne)
    _approve(consultant, pm, datetime.date(2024, 5, 7), "0.5", ne)
    _approve(consultant, pm, datetime.date(2024, 5, 8), "1", ne, "R3")
    _approve(consultant, pm, datetime.date(2024, 5, 9), "0.5", other)
    _approve(consultant, pm, datetime.date(2024, 4, 10), "1", ne)
    return consultant


def _block(data, section, key):
    section = next(s for s in data["sections"] if s["key"] == section)
    return next(b for b in section["blocks"] if b["key"] == key)


def test_each_cluster_gets_its_days_and_hours_by_requirement_against_the_plan(time_logged):
    support = _block(gather_monthly(MAY), "cluster-north-east", "support")

    assert support["available"] and not support["money"]
    rows = {r[0]: r[1:] for r in support["tables"][0]["rows"]}
    assert rows["R2: coaching and change management"] == [1.5, 11.2, 2.5, 18.8, 2.5, 18.8]
    assert rows["R3: technical expertise"] == [1.0, 7.5, 1.0, 7.5, 1.0, 7.5]
    assert rows["All requirements"][:4] == [2.5, 18.8, 3.5, 26.2]
    assert rows["Planning figure"][:4] == [4.0, 30.0, 8.0, 60.0]  # April and May
    assert "2.5 days (18.8 hours) of support in May 2024" in support["text"][0]
    assert "under" in support["text"][0]


def test_the_programme_section_has_spend_against_each_cap_flagged_as_money(time_logged):
    data = gather_monthly(MAY)
    spend = _block(data, "programme-support", "spend")
    days = _block(data, "programme-support", "support")

    assert spend["money"] is True and days["money"] is False
    year = next(r for r in spend["tables"][0]["rows"] if r[0] == "Financial year 2024-25")
    assert year[1:5] == [350000.0, 3200.0, 0.9, 346800.0]
    whole = next(r for r in spend["tables"][0]["rows"] if r[0] == "Whole contract")
    assert whole[2] == 3200.0
    assert spend["chart"]["rows"][0] == ["Financial year 2024-25", 0.9]
    assert any("£3,200 of the £350,000 cap" in line for line in data["key_figures"])


def test_the_report_reads_a_fixed_number_of_queries_however_much_time_is_logged(time_logged, pm):
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as few:
        gather_monthly(MAY)
    TimeEntry.objects.bulk_create(
        TimeEntry(
            consultant=time_logged,
            date=datetime.date(2024, 5, 1) + datetime.timedelta(days=i % 28),
            cluster=None,
            requirement="R1",
            activity=Activity.REPORTING,
            days=Decimal("0.1"),
            description="Bulk",
            status=Status.APPROVED,
            grade_id=time_logged.grade_id,
            day_rate=Decimal("800"),
            cost=Decimal("80"),
            approved_by=pm,
            approved_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC),
        )
        for i in range(300)
    )
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as many:
        gather_monthly(MAY)

    assert len(many) == len(few)


def test_the_issued_report_shows_the_figures_and_the_leads_copy_has_no_money(
    time_logged, build, pm, lead
):
    report = build(user=pm)
    services.save_summary(report_id=report.pk, summary="May.", user=pm)
    report = services.issue_report(report_id=report.pk, user=pm)

    full = client_for(pm).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Spend against the caps" in full and "£350,000" in full
    client = client_for(lead)
    web = main_content(client.get(reverse("reports:detail", args=[report.pk])).content.decode())
    pdf = pdf_text(client.get(reverse("reports:pdf", args=[report.pk])).content)
    xlsx = xlsx_text(client.get(reverse("reports:xlsx", args=[report.pk])).content)
    for text in (web, pdf, xlsx):
        assert "Days and hours of support to North East" in text
        assert "£" not in text and "Spend against the caps" not in text
        assert "Foster4" not in text
    assert "18.8" in web
