"""The shared-learning log: drafts and publishing, who reads what, adoption, history."""

import pytest
from django.core.exceptions import ValidationError

from insights import services
from insights.models import Adoption, Lesson, LessonStatus
from insights.selectors import lessons_for_user

from .conftest import client_for, days, write_lesson


def _titles(user) -> set[str]:
    return set(lessons_for_user(user).values_list("title", flat=True))


def test_drafts_are_seen_only_by_their_author_and_the_delivery_partner(users, learning):
    everything = {
        "Answer within one working day",
        "Consultant's draft on fees",
        "Lead's draft on texts",
    }
    assert _titles(users["pm"]) == everything
    assert _titles(users["consultant"]) == everything
    assert _titles(users["lead"]) == {"Answer within one working day", "Lead's draft on texts"}
    assert _titles(users["dfe"]) == {"Answer within one working day"}


def test_a_published_entry_is_seen_by_every_cluster(users, learning, other_cluster):
    from tests.factories import UserFactory

    other_lead = UserFactory(role="cluster_lead", cluster=other_cluster)
    assert _titles(other_lead) == {"Answer within one working day"}
    body = client_for(other_lead).get("/insights/learning/").content.decode()
    assert "Answer within one working day" in body
    assert "Consultant&#x27;s draft" not in body and "Lead&#x27;s draft" not in body


def test_publishing_makes_a_draft_visible_to_dfe_and_keeps_the_history(users, learning):
    draft = learning["draft"]
    client = client_for(users["pm"])
    confirm = client.get(f"/insights/learning/{draft.pk}/publish/").content.decode()
    assert "every cluster and DfE" in confirm
    draft.refresh_from_db()
    assert draft.status == LessonStatus.DRAFT  # the confirmation page changes nothing
    assert client.post(f"/insights/learning/{draft.pk}/publish/").status_code == 302
    assert "Consultant's draft on fees" in _titles(users["dfe"])
    page = client.get(f"/insights/learning/{draft.pk}/").content.decode()
    assert "Status: Draft → Published" in page and "Published" in page


def test_publishing_twice_is_refused_with_a_message(users, learning):
    response = client_for(users["pm"]).post(
        f"/insights/learning/{learning['published'].pk}/publish/"
    )
    assert "There is a problem" in response.content.decode()
    assert "was already published" in response.content.decode()


def test_a_lead_writes_a_draft_for_their_own_cluster(users, north_east, other_cluster):
    client = client_for(users["lead"])
    form = client.get("/insights/learning/new/").content.decode()
    assert "Source clusters" not in form  # fixed to their own
    response = client.post(
        "/insights/learning/new/",
        {
            "kind": "lesson",
            "title": "Texts get replies",
            "what_happened": "We texted enquirers who missed two calls.",
            "what_learned": "They replied.",
            "recommendation": "Text after two missed calls.",
            "themes": ["enquiry_handling", "communications"],
            "stage": "hub_live",
        },
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get(title="Texts get replies")
    assert lesson.author == users["lead"] and lesson.status == LessonStatus.DRAFT
    assert list(lesson.source_clusters.all()) == [north_east]
    assert sorted(lesson.themes.values_list("theme", flat=True)) == [
        "communications",
        "enquiry_handling",
    ]


def test_a_lead_cannot_change_an_entry_once_published(users, learning):
    lesson = learning["lead_draft"]
    services.publish_lesson(lesson=lesson, by=users["pm"])
    response = client_for(users["lead"]).get(f"/insights/learning/{lesson.pk}/change/")
    assert response.status_code == 403


def test_an_entry_needs_a_theme_and_the_message_is_on_the_field(users):
    response = client_for(users["consultant"]).post(
        "/insights/learning/new/",
        {
            "kind": "lesson",
            "title": "No theme",
            "what_happened": "a",
            "what_learned": "b",
            "recommendation": "c",
        },
    )
    body = response.content.decode()
    assert 'href="#id_themes_0"' in body and "Choose at least one theme." in body
    assert not Lesson.objects.exists()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "not a link", "ftp://example.org/x"])
def test_evidence_links_must_be_web_addresses(users, link):
    with pytest.raises(ValidationError) as error:
        write_lesson(by=users["consultant"], evidence_links=f"https://example.org/a\n{link}")
    assert "Line 2" in error.value.message_dict["evidence_links"][0]
    assert not Lesson.objects.exists()


def test_evidence_links_are_shown_as_links_and_only_web_addresses(users):
    lesson = write_lesson(by=users["consultant"], evidence_links="https://example.org/report")
    Lesson.objects.filter(pk=lesson.pk).update(
        evidence_links="https://example.org/report\njavascript:alert(1)"
    )
    page = client_for(users["pm"]).get(f"/insights/learning/{lesson.pk}/").content.decode()
    assert 'href="https://example.org/report"' in page and "javascript:" not in page


def test_changes_to_themes_and_clusters_are_named_in_the_history(users, north_east, other_cluster):
    lesson = write_lesson(by=users["consultant"], clusters=[north_east])
    lesson.title = "Call back within a working day"
    services.save_lesson(
        lesson=lesson,
        themes=["enquiry_handling", "workforce"],
        source_clusters=[north_east, other_cluster],
        by=users["pm"],
    )
    page = client_for(users["pm"]).get(f"/insights/learning/{lesson.pk}/").content.decode()
    assert "Themes: Enquiry handling → Enquiry handling, Workforce" in page
    assert "Source clusters: North East → Foster4, North East" in page
    assert "Title: Call back within a day → Call back within a working day" in page


def test_a_lead_records_that_their_cluster_adopted_a_published_practice(users, learning):
    lesson = learning["published"]
    client = client_for(users["lead"])
    response = client.post(
        f"/insights/learning/{lesson.pk}/adopt/",
        {"cluster": users["lead"].cluster_id, "adopted_on": days(-3).isoformat(), "note": "Board"},
    )
    assert response.status_code == 302
    assert Adoption.objects.get().cluster == users["lead"].cluster
    again = client.post(
        f"/insights/learning/{lesson.pk}/adopt/",
        {"cluster": users["lead"].cluster_id, "adopted_on": days(-1).isoformat()},
    )
    assert "has already recorded adopting it" in again.content.decode()
    assert Adoption.objects.count() == 1


def test_a_lead_cannot_record_adoption_for_another_cluster(users, learning, other_cluster):
    response = client_for(users["lead"]).post(
        f"/insights/learning/{learning['published'].pk}/adopt/",
        {"cluster": other_cluster.pk, "adopted_on": days(-3).isoformat()},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Adoption.objects.exists()


def test_a_draft_cannot_be_adopted(users, learning, north_east):
    with pytest.raises(ValidationError) as error:
        services.record_adoption(
            lesson=learning["draft"], cluster=north_east, adopted_on=days(-1), by=users["pm"]
        )
    assert "Only a published entry" in error.value.message_dict["cluster"][0]


def test_a_published_entry_hides_a_linked_item_the_reader_may_not_see(users, raid, other_cluster):
    from tests.factories import UserFactory

    lesson = write_lesson(
        by=users["consultant"], title="Fees lesson", publish_by=users["pm"], raid_item=raid["other"]
    )
    pm_page = client_for(users["pm"]).get(f"/insights/learning/{lesson.pk}/").content.decode()
    lead_page = client_for(users["lead"]).get(f"/insights/learning/{lesson.pk}/").content.decode()
    assert "Foster4 fees formula stalls" in pm_page
    assert "Foster4 fees formula stalls" not in lead_page
    other_lead = UserFactory(role="cluster_lead", cluster=other_cluster)
    assert (
        "Foster4 fees"
        in client_for(other_lead).get(f"/insights/learning/{lesson.pk}/").content.decode()
    )


def test_the_log_filters_by_theme_cluster_and_type(users, learning, north_east):
    client = client_for(users["pm"])
    body = client.get("/insights/learning/?theme=hub_design").content.decode()
    assert "Answer within one working day" in body and "Consultant&#x27;s draft" not in body
    body = client.get(f"/insights/learning/?cluster={north_east.pk}").content.decode()
    assert "Answer within one working day" in body and "Consultant&#x27;s draft" not in body
    body = client.get("/insights/learning/?status=draft").content.decode()
    assert "Answer within one working day" not in body and "Consultant&#x27;s draft" in body
    csv = client.get("/insights/learning/?format=csv&theme=hub_design").content.decode()
    assert "Enquiry handling, Recruitment hub design" in csv
