"""The demo's RAID log, shared learning and learning programme, and the home page panel."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from clusters.models import Cluster
from insights import models
from insights.demo import DEMO_CLUSTERS
from insights.selectors import members_without_attendance
from tests.snapshot import demo_snapshot

from .conftest import client_for, days, log_risk

pytestmark = pytest.mark.dates


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            models.RaidItem,
            models.MitigationAction,
            models.Lesson,
            models.LessonTheme,
            models.Adoption,
            models.LearningEvent,
            models.Attendance,
        )
    } | {
        "raid history": models.RaidItem.history.count(),
        "lesson history": models.Lesson.history.count(),
    }


def test_the_demo_is_believable_and_a_second_run_changes_nothing(db):
    demo_snapshot.seed()
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first

    today = timezone.localdate()
    items = models.RaidItem.objects.all()
    for slug in DEMO_CLUSTERS:
        cluster = Cluster.objects.get(slug=slug)
        kinds = set(items.filter(cluster=cluster).values_list("kind", flat=True))
        assert kinds >= {"risk", "assumption", "dependency"}, slug
        assert items.filter(cluster=cluster, actions__isnull=False).exists(), slug
    assert items.filter(kind="issue").values("cluster").distinct().count() >= 4
    assert items.filter(escalated_on__isnull=False).count() >= 4
    assert items.exclude(dfe_decision="").exists()
    assert items.filter(review_date__lt=today, status__in=["open", "mitigating"]).count() >= 5
    assert items.filter(became_issue_on__isnull=False).exists()
    assert items.filter(cluster=None).count() >= 5

    lessons = models.Lesson.objects.all()
    assert lessons.count() >= 30
    assert set(models.LessonTheme.objects.values_list("theme", flat=True)) == set(
        models.Theme.values
    )
    assert lessons.filter(status="draft").exists() and models.Adoption.objects.exists()

    events = models.LearningEvent.objects.filter(
        held_on__gte=today - datetime.timedelta(days=365), held_on__lte=today
    )
    assert events.count() >= 12
    assert set(events.values_list("kind", flat=True)) == set(models.EventKind.values)
    pm = User.objects.get(email="pm@example.org")
    assert 0 < members_without_attendance(pm).count() < 15


def test_the_demo_home_pages_point_to_what_needs_attention(db):
    demo_snapshot.seed()
    lead = client_for(User.objects.get(email="lead.northeast@example.org"))
    body = lead.get("/").content.decode()
    assert "past its review date" in body or "past their review date" in body
    dfe = client_for(User.objects.get(email="dfe@example.org")).get("/").content.decode()
    assert "Escalated to DfE and awaiting a decision" in dfe


def test_the_home_panel_lists_the_users_own_items_past_review(users, north_east):
    consultant = users["consultant"]
    log_risk(by=consultant, title="Mine and overdue", review_date=days(-3))
    log_risk(by=consultant, title="Someone else's", owner=users["pm"], review_date=days(-3))
    log_risk(by=consultant, title="Mine, not yet due", review_date=days(3))
    body = client_for(consultant).get("/").content.decode()
    assert "Mine and overdue" in body
    assert "Someone else" not in body and "Mine, not yet due" not in body
    assert "2 open items past their review date" in body
