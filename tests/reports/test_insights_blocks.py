"""The monthly report's risks, issues and learning, read from the insights selectors (the
report's fixtures give two clusters' month of May 2024)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights import services
from insights.models import LearningEvent
from reports import gather
from reports import services as reports
from tests.factories import ClusterFactory, authorities
from tests.insights.conftest import client_for, days, log_risk, write_lesson

from .conftest import MAY


def _section(snapshot, key):
    return next(s for s in snapshot["sections"] if s["key"] == key)


def _block(section, key):
    return next(b for b in section["blocks"] if b["key"] == key)


def _insights(users, data):
    consultant, pm = users["consultant"], users["pm"]
    backlog = log_risk(
        by=consultant,
        cluster=data["north_east"],
        title="Assessment backlog",
        likelihood=4,
        impact=5,
        review_date=days(20),
    )
    services.add_action(
        item=backlog,
        description="Agree a ten-day first visit standard",
        owner=consultant,
        due_date=days(12),
        by=consultant,
    )
    services.escalate(item=backlog, reason="Capacity is DfE's lever", by=consultant)
    log_risk(by=consultant, cluster=data["other"], title="Foster4 fees formula stalls")
    closed = log_risk(by=consultant, cluster=data["north_east"], title="Closed long ago")
    services.close_item(item=closed, note="Gone", by=consultant)
    log_risk(by=pm, title="Funding after 2028 unconfirmed", impact=5)
    may_lesson = write_lesson(by=consultant, title="Call back within a day", themes=["workforce"])
    services.publish_lesson(lesson=may_lesson, published_on=datetime.date(2024, 5, 14), by=pm)
    june_lesson = write_lesson(by=consultant, title="Published in June")
    services.publish_lesson(lesson=june_lesson, published_on=datetime.date(2024, 6, 2), by=pm)
    for topic, held_on in (
        ("May masterclass", datetime.date(2024, 5, 20)),
        ("April event", datetime.date(2024, 4, 20)),
    ):
        event = services.save_event(
            event=LearningEvent(kind="masterclass", topic=topic, held_on=held_on, facilitator="A"),
            by=pm,
        )
        services.set_attendance(
            event=event, local_authorities=authorities("Sunderland", "Halton"), by=pm
        )


def test_the_monthly_report_shows_top_risks_with_mitigations_lessons_and_events(
    users, programme_data, build
):
    _insights(users, programme_data)
    report = build(user=users["pm"])
    snapshot = report.snapshot

    ne = _block(_section(snapshot, "cluster-north-east"), "risks")
    assert ne["tables"][0]["rows"] == [
        [
            "Risk",
            "Assessment backlog",
            "20 (high): likelihood 4 x impact 5",
            f"Reduce. Agree a ten-day first visit standard ({users['consultant']}, due "
            f"{days(12):%-d %b %Y})",
            str(users["consultant"]),
            f"{days(20):%-d %b %Y}",
            f"{days(0):%-d %b %Y}",
        ]
    ]  # the closed risk is left out
    foster4 = _block(_section(snapshot, "cluster-foster4"), "risks")
    assert [r[1] for r in foster4["tables"][0]["rows"]] == ["Foster4 fees formula stalls"]
    programme = _section(snapshot, "programme-risks")
    assert [r[1] for r in _block(programme, "risks")["tables"][0]["rows"]] == [
        "Funding after 2028 unconfirmed"
    ]
    lessons, events = _block(programme, "learning")["tables"]
    assert lessons["rows"] == [["Call back within a day", "Workforce", "14 May 2024"]]
    assert events["rows"] == [["May masterclass", "Masterclass", "20 May 2024", 2]]
    assert "Learning: 1 lesson published and 1 learning event held." in snapshot["key_figures"]


def test_a_cluster_leads_cut_of_an_issued_report_shows_only_their_cluster(
    users, programme_data, build
):
    _insights(users, programme_data)
    pm = users["pm"]
    report = build(user=pm)
    reports.save_summary(report_id=report.pk, summary="May.", user=pm)
    reports.issue_report(report_id=report.pk, user=pm)

    page = client_for(users["lead"]).get(reverse("reports:detail", args=[report.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Assessment backlog" in body and "Agree a ten-day first visit standard" in body
    assert "Foster4 fees formula stalls" not in body
    assert "Funding after 2028" not in body and "Call back within a day" not in body
    dfe = client_for(users["dfe"]).get(reverse("reports:detail", args=[report.pk]))
    assert "Foster4 fees formula stalls" in dfe.content.decode()


def test_the_insights_blocks_take_the_same_queries_however_many_clusters(users, programme_data):
    _insights(users, programme_data)

    def queries():
        ctx = gather._context("monthly", MAY)
        with CaptureQueriesContext(connection) as captured:
            gather.insights_provider(ctx)
        return len(captured)

    few = queries()
    for names in (("Leeds", "Bradford"), ("Kent", "Medway"), ("Barnet", "Camden")):
        cluster = ClusterFactory(members=authorities(*names))
        for i in range(7):
            log_risk(by=users["consultant"], cluster=cluster, title=f"Risk {i}")
    assert queries() == few
