"""Text is escaped wherever it is shown, and every list renders with the same number of
queries however many rows there are."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import services
from insights.models import LearningEvent
from tests.factories import authorities

from .conftest import client_for, days, log_risk, write_lesson

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def hostile(users, north_east):
    """Every free-text field holds a script tag."""
    consultant = users["consultant"]
    risk = log_risk(
        by=consultant,
        cluster=north_east,
        title=f"Risk {SCRIPT}",
        cause=f"Cause {SCRIPT}",
        event=f"Event {SCRIPT} kestrel",
        effect=f"Effect {SCRIPT}",
    )
    services.add_action(
        item=risk, description=f"Act {SCRIPT}", owner=consultant, due_date=days(5), by=consultant
    )
    services.escalate(item=risk, reason=f"Why {SCRIPT}", by=consultant)
    services.record_dfe_decision(item=risk, decision=f"Decided {SCRIPT}", by=consultant)
    issue = log_risk(by=consultant, cluster=north_east, title="Plain title")
    services.become_issue(item=issue, what_happened=f"Happened {SCRIPT}", by=consultant)
    event = services.save_event(
        event=LearningEvent(
            kind="masterclass",
            topic=f"Topic {SCRIPT}",
            held_on=days(-3),
            facilitator=f"Host {SCRIPT}",
            summary=f"Summary {SCRIPT}",
        ),
        by=consultant,
    )
    lesson = write_lesson(
        by=consultant,
        title=f"Lesson {SCRIPT}",
        what_happened=f"Happened {SCRIPT} kestrel",
        what_learned=f"Learned {SCRIPT}",
        recommendation=f"Recommend {SCRIPT}",
        clusters=[north_east],
        publish_by=users["pm"],
        event=event,
        raid_item=risk,
    )
    services.record_adoption(
        lesson=lesson, cluster=north_east, adopted_on=days(-1), note=f"Note {SCRIPT}", by=consultant
    )
    return {"risk": risk, "issue": issue, "lesson": lesson, "event": event}


@pytest.mark.parametrize("role", ["pm", "lead", "dfe"])
def test_script_in_any_text_field_is_shown_escaped(users, hostile, role):
    client = client_for(users[role])
    pages = [
        "/",
        "/insights/raid/",
        "/insights/raid/?format=csv",
        "/insights/raid/top/",
        f"/insights/raid/{hostile['risk'].pk}/",
        "/insights/learning/",
        f"/insights/learning/{hostile['lesson'].pk}/",
        "/insights/learning/search/?q=kestrel",
        "/insights/learning/events/",
        f"/insights/learning/events/{hostile['event'].pk}/",
    ]
    if role != "dfe":
        pages.append(f"/insights/raid/{hostile['issue'].pk}/")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if "csv" in url:
            continue
        assert "<script>alert" not in body, url
    detail = client.get(f"/insights/raid/{hostile['risk'].pk}/").content.decode()
    for text in ("Cause", "Event", "Effect", "Act", "Why", "Decided"):
        assert f"{text} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    lesson = client.get(f"/insights/learning/{hostile['lesson'].pk}/").content.decode()
    for text in ("Happened", "Learned", "Recommend", "Note"):
        assert f"{text} &lt;script&gt;" in lesson


def test_search_excerpts_are_escaped(users, hostile):
    body = client_for(users["pm"]).get("/insights/learning/search/?q=kestrel").content.decode()
    assert "2 results" in body
    assert "&lt;script&gt;" in body and "<script>alert" not in body


def _count(client, url) -> int:
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


LIST_PAGES = [
    "/",
    "/insights/raid/",
    "/insights/raid/?format=csv",
    "/insights/raid/heat-map/",
    "/insights/raid/top/",
    "/insights/learning/",
    "/insights/learning/?format=csv",
    "/insights/learning/search/?q=hub",
    "/insights/learning/events/",
    "/insights/learning/events/not-attended/",
]


def _grow(users, north_east, other_cluster, n: int) -> None:
    consultant = users["consultant"]
    for i in range(n):
        cluster = [north_east, other_cluster, None][i % 3]
        item = log_risk(
            by=consultant,
            cluster=cluster,
            title=f"Hub risk {i}",
            likelihood=1 + i % 5,
            impact=1 + (i * 2) % 5,
            review_date=days(-1 if i % 2 else 10),
        )
        services.add_action(
            item=item, description=f"Act {i}", owner=consultant, due_date=days(9), by=consultant
        )
        if i % 4 == 0:
            services.escalate(item=item, reason="Needs DfE", by=consultant)
        write_lesson(
            by=consultant,
            title=f"Hub lesson {i}",
            clusters=[cluster] if cluster else [],
            themes=["hub_design", "workforce"],
            publish_by=users["pm"] if i % 2 else None,
        )
        event = services.save_event(
            event=LearningEvent(
                kind="masterclass", topic=f"Hub event {i}", held_on=days(-i - 1), facilitator="A"
            ),
            by=consultant,
        )
        services.set_attendance(
            event=event, local_authorities=authorities("Sunderland", "Halton"), by=consultant
        )


@pytest.mark.parametrize("role", ["pm", "lead", "dfe"])
def test_lists_use_the_same_queries_with_few_or_many_rows(users, north_east, other_cluster, role):
    _grow(users, north_east, other_cluster, 3)
    client = client_for(users[role])
    few = {url: _count(client, url) for url in LIST_PAGES}
    _grow(users, north_east, other_cluster, 40)
    many = {url: _count(client, url) for url in LIST_PAGES}
    assert many == few


def test_detail_pages_use_the_same_queries_however_long_the_history(users, north_east):
    consultant = users["consultant"]
    item = log_risk(by=consultant, cluster=north_east)
    lesson = write_lesson(by=consultant, clusters=[north_east], raid_item=item)
    client = client_for(users["pm"])
    pages = [f"/insights/raid/{item.pk}/", f"/insights/learning/{lesson.pk}/"]

    def change(i):
        item.refresh_from_db()
        item.review_date = days(20 + i)
        item.owner = [users["pm"], consultant][i % 2]
        services.save_item(item=item, by=users["pm"])
        services.add_action(
            item=item, description=f"More {i}", owner=consultant, due_date=days(3), by=consultant
        )
        lesson.title = f"Lesson {i}"
        services.save_lesson(
            lesson=lesson, themes=["workforce"], source_clusters=[north_east], by=consultant
        )

    change(0)
    few = [_count(client, url) for url in pages]
    for i in range(1, 15):
        change(i)
    many = [_count(client, url) for url in pages]
    assert many == few
