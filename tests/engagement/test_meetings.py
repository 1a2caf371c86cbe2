"""The meeting log and its actions: the rules a user would run into, every page and CSV for
every role, and a fixed number of queries per page."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.models import Action, ActionStatus, Meeting, MeetingKind, MeetingStatus
from engagement.services import meetings as services
from insights.models import Kind, RaidItem
from programme.models import Milestone
from tests.conftest import client_for
from tests.engagement.factories import ActionFactory, MeetingFactory, attended_meeting
from tests.factories import UserFactory

TODAY = timezone.localdate()
ROLES = ["pm", "consultant", "lead", "dfe"]


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def raid(cluster, owner, title="Hub staff leave") -> RaidItem:
    return RaidItem.objects.create(
        kind=Kind.RISK,
        cluster=cluster,
        title=title,
        owner=owner,
        likelihood=3,
        impact=3,
        raised_on=TODAY,
        review_date=days(30),
    )


def milestone(cluster=None, title="Hub live") -> Milestone:
    return Milestone.objects.create(
        cluster=cluster, title=title, baseline_date=days(30), forecast_date=days(30)
    )


# -- rules ------------------------------------------------------------------------------


def test_a_meeting_in_the_future_cannot_be_marked_as_held(consultant):
    meeting = Meeting(kind=MeetingKind.DFE_WEEKLY, held_on=days(3), status=MeetingStatus.HELD)
    with pytest.raises(ValidationError) as error:
        services.save_meeting(meeting=meeting, attendees=[], by=consultant)
    assert "has not happened yet" in error.value.message_dict["status"][0]
    assert not Meeting.objects.exists()


def test_a_planned_meeting_in_the_future_is_logged_with_its_history(consultant, lead):
    meeting = Meeting(kind=MeetingKind.STEERING_GROUP, held_on=days(3), cluster=lead.cluster)
    services.save_meeting(meeting=meeting, attendees=[lead], by=consultant)
    assert list(meeting.attendees.all()) == [lead]
    assert meeting.created_by == consultant
    meeting.notes = "Agreed the enquiry script."
    services.save_meeting(meeting=meeting, attendees=[lead], by=consultant)
    assert meeting.history.count() == 2
    assert meeting.history.first().history_user == consultant


def test_only_the_delivery_partner_keeps_the_meeting_log(lead, dfe):
    for user in (lead, dfe):
        with pytest.raises(ValidationError):
            services.save_meeting(
                meeting=Meeting(kind=MeetingKind.DCS, held_on=TODAY), attendees=[], by=user
            )


@pytest.mark.parametrize(
    ("missing", "field", "message"),
    [
        ("owner", "owner", "Choose who owns this action."),
        ("due_date", "due_date", "Enter the date the action is due."),
    ],
)
def test_an_action_needs_an_owner_and_a_due_date(consultant, missing, field, message):
    meeting = MeetingFactory()
    values = {"description": "Send the minutes", "owner": consultant, "due_date": days(7)}
    values[missing] = None
    with pytest.raises(ValidationError) as error:
        services.add_action(meeting=meeting, by=consultant, **values)
    assert error.value.message_dict[field] == [message]
    assert not Action.objects.exists()


def test_an_action_links_a_risk_or_a_milestone_not_both(consultant, north_east):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError) as error:
        services.add_action(
            meeting=meeting,
            by=consultant,
            description="Review the risk",
            owner=consultant,
            due_date=days(7),
            raid_item=raid(north_east, consultant),
            milestone=milestone(),
        )
    assert "not both" in error.value.message_dict["milestone"][0]


def test_a_lead_cannot_own_an_action_linked_to_another_clusters_risk(
    consultant, lead, other_cluster
):
    meeting = MeetingFactory(kind=MeetingKind.PROGRAMME_BOARD)
    other_risk = raid(other_cluster, consultant, "Foster4 website late")
    with pytest.raises(ValidationError) as error:
        services.add_action(
            meeting=meeting,
            by=consultant,
            description="Chase the website",
            owner=lead,
            due_date=days(7),
            raid_item=other_risk,
        )
    assert "cannot see" in error.value.message_dict["raid_item"][0]
    with pytest.raises(ValidationError) as error:
        services.add_action(
            meeting=meeting,
            by=consultant,
            description="Chase the hub",
            owner=lead,
            due_date=days(7),
            milestone=milestone(other_cluster, "Foster4 hub live"),
        )
    assert "cannot see" in error.value.message_dict["milestone"][0]
    # their own cluster's risk and a programme-wide milestone are fine
    own = services.add_action(
        meeting=meeting,
        by=consultant,
        description="Review the staffing risk",
        owner=lead,
        due_date=days(7),
        raid_item=raid(lead.cluster, consultant),
    )
    assert own.raid_item.cluster == lead.cluster


def test_a_lead_of_another_cluster_cannot_own_a_steering_group_action(
    consultant, north_east, other_cluster
):
    other_lead = UserFactory(role="cluster_lead", cluster=other_cluster)
    meeting = MeetingFactory(kind=MeetingKind.STEERING_GROUP, cluster=north_east)
    with pytest.raises(ValidationError) as error:
        services.add_action(
            meeting=meeting,
            by=consultant,
            description="Share the script",
            owner=other_lead,
            due_date=days(7),
        )
    assert "leads North East" in error.value.message_dict["owner"][0]


def test_done_records_the_day_and_reopening_clears_it(lead, consultant):
    action = ActionFactory(owner=lead)
    services.update_action_status(action=action, status=ActionStatus.DONE, by=lead)
    action.refresh_from_db()
    assert (action.status, action.done_on) == (ActionStatus.DONE, TODAY)
    services.update_action_status(action=action, status=ActionStatus.IN_PROGRESS, by=consultant)
    action.refresh_from_db()
    assert (action.status, action.done_on) == (ActionStatus.IN_PROGRESS, None)
    assert action.history.count() == 3


def test_only_the_owner_or_the_delivery_partner_updates_an_action(lead, dfe, north_east):
    action = ActionFactory(owner=UserFactory(role="cluster_lead", cluster=north_east))
    for user in (lead, dfe):
        with pytest.raises(ValidationError):
            services.update_action_status(action=action, status=ActionStatus.DONE, by=user)


# -- pages for every role ---------------------------------------------------------------


@pytest.fixture
def log(users, north_east, other_cluster):
    """A NE steering group the lead attended with an action of theirs and one of the
    consultant's, a programme board they did not attend with an action the lead owns, and a
    Foster4 meeting."""
    lead, consultant = users["lead"], users["consultant"]
    attended = attended_meeting(
        lead, consultant, kind=MeetingKind.STEERING_GROUP, cluster=north_east
    )
    board = attended_meeting(consultant, kind=MeetingKind.PROGRAMME_BOARD)
    foster4 = attended_meeting(consultant, kind=MeetingKind.STEERING_GROUP, cluster=other_cluster)
    return {
        "attended": attended,
        "board": board,
        "foster4": foster4,
        "lead_action": ActionFactory(meeting=attended, owner=lead, description="Lead action"),
        "their_action": ActionFactory(
            meeting=attended, owner=consultant, description="Consultant action"
        ),
        "board_action": ActionFactory(
            meeting=board, owner=lead, description="Board action for the lead"
        ),
        "foster4_action": ActionFactory(
            meeting=foster4, owner=consultant, description="Foster4 action"
        ),
    }


ALL, DP = set(ROLES), {"pm", "consultant"}


def _pages(log):
    attended, board, foster4 = (log[k].pk for k in ("attended", "board", "foster4"))
    lead_action, their_action = log["lead_action"].pk, log["their_action"].pk
    return [
        ("/engagement/meetings/", ALL, None),
        ("/engagement/meetings/?format=csv", ALL, None),
        ("/engagement/actions/", ALL, None),
        ("/engagement/actions/?format=csv", ALL, None),
        ("/engagement/meetings/new/", DP, 403),
        (f"/engagement/meetings/{attended}/", ALL, None),
        (f"/engagement/meetings/{board}/", DP | {"dfe"}, 404),
        (f"/engagement/meetings/{foster4}/", DP | {"dfe"}, 404),
        (f"/engagement/meetings/{attended}/edit/", DP, 403),
        (f"/engagement/meetings/{board}/edit/", DP, {"lead": 404, "dfe": 403}),
        (f"/engagement/meetings/{attended}/actions/new/", DP, 403),
        (f"/engagement/actions/{lead_action}/", DP | {"lead"}, 403),
        (f"/engagement/actions/{their_action}/", DP, {"lead": 404, "dfe": 403}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(role, users, log):
    client = client_for(users[role])
    for url, allowed, refused in _pages(log):
        response = client.get(url)
        expected = (
            200
            if role in allowed
            else (refused.get(role) if isinstance(refused, dict) else refused)
        )
        assert response.status_code == expected, (role, url)


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_lead_sees_only_the_meetings_they_attended_and_the_actions_they_own(users, log):
    client = client_for(users["lead"])
    meetings = _csv(client.get("/engagement/meetings/?format=csv"))
    assert [m["Meeting"] for m in meetings] == ["Cluster steering group"]
    assert meetings[0]["Open actions"] == "1"  # theirs, not the consultant's
    actions = {a["Action"] for a in _csv(client.get("/engagement/actions/?format=csv"))}
    assert actions == {"Lead action", "Board action for the lead"}
    page = client.get(f"/engagement/meetings/{log['attended'].pk}/").content.decode()
    assert "Lead action" in page and "Consultant action" not in page
    # the action from a meeting they did not attend is theirs, but the meeting stays closed
    listing = client.get("/engagement/actions/").content.decode()
    assert f"/engagement/meetings/{log['board'].pk}/" not in listing


@pytest.mark.parametrize("role", ["pm", "consultant", "dfe"])
def test_the_delivery_partner_and_dfe_read_every_meeting_and_action(role, users, log):
    client = client_for(users[role])
    assert len(_csv(client.get("/engagement/meetings/?format=csv"))) == 3
    assert len(_csv(client.get("/engagement/actions/?format=csv"))) == 4


def test_the_meeting_list_counts_open_actions_and_filters(users, log):
    services.update_action_status(
        action=log["their_action"], status=ActionStatus.DONE, by=users["consultant"]
    )
    client = client_for(users["pm"])
    rows = _csv(client.get("/engagement/meetings/?format=csv"))
    by_cluster = {r["Cluster"]: r["Open actions"] for r in rows}
    assert by_cluster == {"North East": "1", "Programme-wide": "1", "Foster4": "1"}
    rows = _csv(client.get("/engagement/meetings/?format=csv&cluster=programme"))
    assert [r["Type"] for r in rows] == ["Monthly programme board"]


def test_the_action_list_puts_overdue_first_and_filters(users, log):
    late = ActionFactory(
        meeting=log["board"], owner=users["pm"], due_date=days(-3), description="Late one"
    )
    client = client_for(users["pm"])
    rows = _csv(client.get("/engagement/actions/?format=csv"))
    assert rows[0]["Action"] == late.description
    page = client.get("/engagement/actions/").content.decode()
    assert "Overdue" in page
    only_late = _csv(client.get("/engagement/actions/?format=csv&overdue=on"))
    assert [r["Action"] for r in only_late] == ["Late one"]
    mine = _csv(client.get(f"/engagement/actions/?format=csv&owner={users['lead'].pk}"))
    assert {r["Action"] for r in mine} == {"Lead action", "Board action for the lead"}


def test_logging_a_held_meeting_in_the_future_shows_the_error_on_the_field(users, north_east):
    client = client_for(users["consultant"])
    response = client.post(
        "/engagement/meetings/new/",
        {"kind": "dfe_weekly", "held_on": days(2).isoformat(), "status": "held"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "has not happened yet" in page
    assert 'id="id_status-error"' in page
    assert not Meeting.objects.exists()


def test_a_consultant_logs_a_meeting_and_adds_an_action(users, north_east):
    client = client_for(users["consultant"])
    response = client.post(
        "/engagement/meetings/new/",
        {
            "kind": "steering_group",
            "cluster": north_east.pk,
            "held_on": TODAY.isoformat(),
            "status": "held",
            "attendees": [users["lead"].pk],
            "notes": "Reviewed the enquiry script.",
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == f"/engagement/meetings/{meeting.pk}/"
    url = f"/engagement/meetings/{meeting.pk}/actions/new/"
    response = client.post(url, {"description": "Share the script"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose who owns this action." in page
    response = client.post(
        url,
        {"description": "Share the script", "owner": users["lead"].pk, "due_date": days(7)},
    )
    assert response.status_code == 302
    assert Action.objects.get().owner == users["lead"]


def test_a_lead_marks_their_action_done(users, log):
    client = client_for(users["lead"])
    response = client.post(f"/engagement/actions/{log['lead_action'].pk}/", {"status": "done"})
    assert response.status_code == 302
    log["lead_action"].refresh_from_db()
    assert log["lead_action"].done_on == TODAY


def test_dfe_cannot_change_an_action(users, log):
    client = client_for(users["dfe"])
    response = client.post(f"/engagement/actions/{log['lead_action'].pk}/", {"status": "done"})
    assert response.status_code == 403
    log["lead_action"].refresh_from_db()
    assert log["lead_action"].status == ActionStatus.OPEN


def test_the_navigation_offers_meetings_and_actions(users):
    page = client_for(users["lead"]).get("/engagement/meetings/").content.decode()
    assert reverse("engagement:action_list") in page


# -- query budget -----------------------------------------------------------------------


def _grow(users, north_east, n):
    lead, consultant = users["lead"], users["consultant"]
    for i in range(n):
        meeting = attended_meeting(
            lead, consultant, kind=MeetingKind.STEERING_GROUP, cluster=north_east
        )
        ActionFactory(meeting=meeting, owner=lead, due_date=days(i - n // 2))
        ActionFactory(
            meeting=meeting,
            owner=consultant,
            raid_item=raid(north_east, consultant),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_pages_keep_their_query_count_as_the_log_grows(role, users, north_east):
    client = client_for(users[role])
    _grow(users, north_east, 2)
    meeting = Meeting.objects.first()
    urls = [
        "/engagement/meetings/",
        "/engagement/meetings/?format=csv",
        "/engagement/actions/",
        "/engagement/actions/?format=csv",
        f"/engagement/meetings/{meeting.pk}/",
    ]
    if role != "dfe":  # DfE may not update an action (403)
        action = Action.objects.filter(owner=users["lead"]).first()
        urls.append(f"/engagement/actions/{action.pk}/")
    few = [_queries(client, url) for url in urls]
    _grow(users, north_east, 12)
    many = [_queries(client, url) for url in urls]
    assert few == many


# -- linked actions on the RAID item and milestone pages --------------------------------


def test_linked_meeting_actions_show_on_the_risk_and_milestone_pages(users, north_east):
    consultant, lead = users["consultant"], users["lead"]
    risk = raid(north_east, consultant)
    goal = milestone(north_east, "North East hub live")
    meeting = MeetingFactory(kind=MeetingKind.STEERING_GROUP, cluster=north_east)
    services.add_action(
        meeting=meeting,
        by=consultant,
        description="Recruit two enquiry officers",
        owner=lead,
        due_date=days(10),
        raid_item=risk,
    )
    services.add_action(
        meeting=meeting,
        by=consultant,
        description="Book the launch event",
        owner=consultant,
        due_date=days(10),
        milestone=goal,
    )
    page = client_for(consultant).get(f"/insights/raid/{risk.pk}/").content.decode()
    assert "Actions from meetings" in page and "Recruit two enquiry officers" in page
    page = client_for(lead).get(f"/programme/milestones/{goal.pk}/").content.decode()
    # the lead sees the milestone but not an action they do not own
    assert "Actions from meetings" in page and "Book the launch event" not in page
    page = client_for(consultant).get(f"/programme/milestones/{goal.pk}/").content.decode()
    assert "Book the launch event" in page


@pytest.mark.parametrize(
    ("url", "columns"),
    [
        ("/engagement/meetings/", ["held_on", "meeting", "kind", "cluster", "status"]),
        ("/engagement/actions/", ["description", "owner", "due_date", "status", "meeting"]),
    ],
)
def test_lists_sort_by_each_column_and_page(url, columns, users, log):
    client = client_for(users["pm"])
    for column in columns:
        for sort in (column, f"-{column}"):
            assert client.get(f"{url}?sort={sort}").status_code == 200, sort
            assert client.get(f"{url}?sort={sort}&format=csv").status_code == 200, sort
    for _ in range(30):
        ActionFactory(meeting=log["board"], owner=users["pm"])
    MeetingFactory.create_batch(30)
    page = client.get(f"{url}?page=2").content.decode()
    assert "govuk-pagination" in page


def test_an_empty_log_says_so(users):
    client = client_for(users["dfe"])
    assert "No meetings match." in client.get("/engagement/meetings/").content.decode()
    assert "No actions match." in client.get("/engagement/actions/").content.decode()


def test_only_those_who_may_update_an_action_get_a_link_to_do_it(users, log):
    url = f"/engagement/actions/{log['lead_action'].pk}/"
    assert url not in client_for(users["dfe"]).get("/engagement/actions/").content.decode()
    assert url in client_for(users["lead"]).get("/engagement/actions/").content.decode()
    assert url in client_for(users["consultant"]).get("/engagement/actions/").content.decode()


def test_dfe_readers_change_nothing_so_own_no_action(users):
    with pytest.raises(ValidationError) as error:
        services.add_action(
            meeting=MeetingFactory(),
            by=users["consultant"],
            description="Confirm the grant letter",
            owner=users["dfe"],
            due_date=days(7),
        )
    assert "cannot own this action" in error.value.message_dict["owner"][0]


def test_the_action_page_shows_who_changed_its_status(users, log):
    services.update_action_status(
        action=log["lead_action"], status=ActionStatus.IN_PROGRESS, by=users["lead"]
    )
    page = client_for(users["pm"]).get(f"/engagement/actions/{log['lead_action'].pk}/")
    text = page.content.decode()
    assert "History of the action" in text and "Open → In progress" in text
