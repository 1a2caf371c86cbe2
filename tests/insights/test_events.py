"""The learning programme: events, attendance by LA, and the LAs that have attended nothing."""

import pytest
from django.core.exceptions import ValidationError

from insights import services
from insights.models import LearningEvent

from .conftest import client_for, days, write_lesson


def test_attendance_is_shown_by_cluster_with_the_lessons_shared(users, event):
    write_lesson(by=users["consultant"], title="Script lesson", publish_by=users["pm"], event=event)
    write_lesson(by=users["consultant"], title="Hidden draft", event=event)
    body = client_for(users["dfe"]).get(f"/insights/learning/events/{event.pk}/").content.decode()
    assert "North East" in body and "Gateshead, Sunderland" in body
    assert "Script lesson" in body and "Hidden draft" not in body


def test_recording_attendance_replaces_what_was_there_and_is_kept_in_history(users, event):
    from clusters.models import LocalAuthority

    darlington = LocalAuthority.objects.get(name="Darlington")
    client = client_for(users["consultant"])
    response = client.post(
        f"/insights/learning/events/{event.pk}/attendance/",
        {"local_authorities": [darlington.pk]},
    )
    assert response.status_code == 302
    assert list(event.attendances.values_list("local_authority__name", flat=True)) == ["Darlington"]
    page = client.get(f"/insights/learning/events/{event.pk}/").content.decode()
    assert "Attendance: 1 LAs (+1, -2)" in page
    # the history names the LAs, old and new
    assert "LAs attending: Gateshead; Sunderland → Darlington" in page


def test_attendance_cannot_be_recorded_before_the_event(users, north_east):
    from tests.factories import authorities

    event = services.save_event(
        event=LearningEvent(
            kind="learning_event", topic="Next year", held_on=days(10), facilitator="Priya"
        ),
        by=users["pm"],
    )
    with pytest.raises(ValidationError) as error:
        services.set_attendance(
            event=event, local_authorities=authorities("Sunderland"), by=users["pm"]
        )
    assert "once the event has taken place" in error.value.message_dict["local_authorities"][0]


def test_the_not_attended_page_lists_member_las_with_no_attendance(users, event, other_cluster):
    body = client_for(users["pm"]).get("/insights/learning/events/not-attended/").content.decode()
    assert "Darlington" in body and "Warrington" in body
    assert "Sunderland" not in body and "Gateshead" not in body
    assert "13 in all" in body  # 10 North East members and Foster4's 3


def test_a_lead_sees_only_their_own_cluster_on_the_not_attended_page(users, event, other_cluster):
    body = client_for(users["lead"]).get("/insights/learning/events/not-attended/").content.decode()
    assert "Darlington" in body and "Warrington" not in body


def test_the_not_attended_page_filters_by_cluster_and_downloads(users, event, other_cluster):
    client = client_for(users["pm"])
    body = client.get(
        f"/insights/learning/events/not-attended/?cluster={other_cluster.pk}"
    ).content.decode()
    assert "Warrington" in body and "Darlington" not in body
    csv = client.get("/insights/learning/events/not-attended/?format=csv").content.decode()
    assert "Darlington" in csv and "Sunderland" not in csv


def test_the_delivery_partner_adds_an_event(users):
    response = client_for(users["pm"]).post(
        "/insights/learning/events/new/",
        {
            "kind": "live_lesson",
            "topic": "Conversion in the North East",
            "held_on": days(-2).isoformat(),
            "facilitator": "Priya Mistry",
        },
    )
    assert response.status_code == 302
    event = LearningEvent.objects.get()
    assert response.url == f"/insights/learning/events/{event.pk}/"


def test_an_event_needs_a_topic_date_and_facilitator(users):
    body = (
        client_for(users["pm"])
        .post("/insights/learning/events/new/", {"kind": "masterclass"})
        .content.decode()
    )
    for message in (
        "Enter the topic.",
        "Enter the date of the event.",
        "Enter who facilitated it.",
    ):
        assert message in body
    assert not LearningEvent.objects.exists()


def test_the_event_list_counts_las_attending(users, event):
    body = client_for(users["lead"]).get("/insights/learning/events/").content.decode()
    assert "Writing an enquiry script" in body
    csv = client_for(users["lead"]).get("/insights/learning/events/?format=csv").content.decode()
    assert "Writing an enquiry script" in csv and ",2" in csv
