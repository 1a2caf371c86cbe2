"""The engagement home panels: each role's open actions, what is due or late, and what
changed since they last looked, within their scope and in a fixed number of queries."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.models import ActionStatus, LastLook, MeetingKind, MeetingStatus
from engagement.selectors.home import changes_since
from engagement.services.home import record_look
from engagement.services.meetings import update_action_status
from insights.models import Kind, RaidItem
from pipeline.models import MonthlyReturn
from programme.models import Milestone
from tests.conftest import client_for
from tests.engagement.factories import ActionFactory, MeetingFactory, attended_meeting
from timesheets.models import TimeEntry

pytestmark = pytest.mark.dates

TODAY = timezone.localdate()
ROLES = ["pm", "consultant", "lead", "dfe"]


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def home(user) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def panel(page: str, heading: str) -> str:
    """One engagement panel of the home page, from its heading to the next panel's."""
    start = page.index(heading)
    end = page.find('<h2 class="govuk-heading-m"', start + 1)
    return page[start : end if end != -1 else None]


def raid(cluster, owner, title, by=None) -> RaidItem:
    item = RaidItem(
        kind=Kind.RISK,
        cluster=cluster,
        title=title,
        owner=owner,
        likelihood=3,
        impact=3,
        raised_on=TODAY,
        review_date=days(30),
    )
    item._history_user = by
    item.save()
    return item


# -- your actions -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pm", "consultant", "lead"])
def test_open_actions_show_on_their_owners_home_page_overdue_first_until_done(role, users):
    user = users[role]
    soon = ActionFactory(owner=user, due_date=days(5), description="Send the hub budget")
    late = ActionFactory(owner=user, due_date=days(-4), description="Chase the DCS sign-off")
    ActionFactory(owner=users["pm" if role != "pm" else "consultant"], description="Not mine")
    mine = panel(home(user), "Your actions")
    assert "Not mine" not in mine
    assert mine.index(late.description) < mine.index(soon.description)
    assert "1 overdue" in mine and "Due soon" in mine
    update_action_status(action=late, status=ActionStatus.DONE, by=user)
    mine = panel(home(user), "Your actions")
    assert late.description not in mine and soon.description in mine


def test_dfe_readers_have_no_actions_panel(users):
    assert "Your actions" not in home(users["dfe"])


# -- due and late -----------------------------------------------------------------------


def test_a_lead_sees_their_member_las_late_returns_and_their_clusters_milestones(
    users, other_cluster
):
    lead = users["lead"]
    Milestone.objects.create(
        cluster=lead.cluster,
        title="North East website live",
        baseline_date=days(-20),
        forecast_date=days(-2),
    )
    Milestone.objects.create(
        cluster=other_cluster,
        title="Foster4 phone line",
        baseline_date=days(3),
        forecast_date=days(3),
    )
    due = panel(home(lead), "Due and late")
    # no return was ever keyed in: every member LA is late, the longest overdue first
    assert "monthly returns late</a> for your member LAs" in due and "County Durham" in due
    assert "Warrington" not in due  # another cluster's LA
    assert "North East website live" in due and "Past forecast" in due
    assert "Foster4 phone line" not in due


def test_a_consultant_is_told_whether_last_weeks_time_is_submitted(users):
    consultant = users["consultant"]
    assert "no time submitted" in panel(home(consultant), "Due and late")
    monday = TODAY - datetime.timedelta(days=TODAY.weekday() + 7)
    for day, status in ((monday, "submitted"), (monday + datetime.timedelta(days=1), "draft")):
        TimeEntry.objects.create(
            consultant=consultant,
            date=day,
            requirement="R1",
            activity="coaching",
            days=1,
            description="Coaching the hub manager",
            status=status,
        )
    due = panel(home(consultant), "Due and late")
    assert "1 day submitted" in due and "1 still in draft" in due


def test_the_next_meetings_you_attend_are_listed(users):
    meeting = attended_meeting(
        users["dfe"], kind=MeetingKind.DFE_WEEKLY, held_on=days(3), status=MeetingStatus.PLANNED
    )
    attended_meeting(users["pm"], kind=MeetingKind.DCS, held_on=days(4), status="planned")
    due = panel(home(users["dfe"]), "Due and late")
    assert f"/engagement/meetings/{meeting.pk}/" in due
    assert "DCS meeting" not in due


# -- what changed -----------------------------------------------------------------------


def test_reloading_keeps_showing_the_same_changes_until_a_pause(pm):
    start = timezone.now()
    assert record_look(user=pm, now=start) is None
    assert record_look(user=pm, now=start + datetime.timedelta(minutes=10)) is None
    later = start + datetime.timedelta(minutes=10 + 45)
    assert record_look(user=pm, now=later) == start + datetime.timedelta(minutes=10)
    # reloading within the visit keeps the same point of comparison
    assert record_look(user=pm, now=later + datetime.timedelta(minutes=5)) == (
        start + datetime.timedelta(minutes=10)
    )
    assert LastLook.objects.get(user=pm).latest == later + datetime.timedelta(minutes=5)


def test_changes_by_others_since_the_last_look_are_listed(users, north_east):
    consultant, pm = users["consultant"], users["pm"]
    since = timezone.now() - datetime.timedelta(hours=1)
    mine = raid(north_east, consultant, "My own change", by=pm)
    theirs = raid(north_east, consultant, "Hub staff leave", by=consultant)
    result = changes_since(pm, since)
    risks = next(s for s in result["sections"] if s["title"] == "Risks and issues")
    labels = [r["label"] for r in risks["rows"]]
    assert labels == [f"{theirs.reference}: Hub staff leave"]
    assert mine.reference not in " ".join(labels)
    assert risks["rows"][0]["created"]


def test_a_change_shows_on_the_next_home_page_though_the_last_one_was_kept(users, north_east):
    """The list of changes is kept in the shared cache; any save by anyone moves its key."""
    consultant, pm = users["consultant"], users["pm"]
    raid(north_east, consultant, "Hub staff leave", by=consultant)
    first = panel(home(pm), "What changed since you last looked")
    assert "Hub staff leave" in first and "Panel dates slip" not in first
    assert panel(home(pm), "What changed since you last looked") == first  # kept
    item = raid(north_east, consultant, "Panel dates slip", by=consultant)
    assert "Panel dates slip" in panel(home(pm), "What changed since you last looked")
    item.title = "Panel dates slip to March"
    item._history_user = consultant
    item.save()
    assert "Panel dates slip to March" in panel(home(pm), "What changed since you last looked")


def test_nothing_before_the_last_look_is_listed(users, north_east):
    raid(north_east, users["consultant"], "Old news", by=users["consultant"])
    result = changes_since(users["pm"], timezone.now() + datetime.timedelta(seconds=1))
    assert result["sections"] == []


def test_a_lead_never_sees_another_clusters_changes(users, north_east, other_cluster):
    consultant, lead = users["consultant"], users["lead"]
    raid(north_east, consultant, "North East risk", by=consultant)
    raid(other_cluster, consultant, "Foster4 risk", by=consultant)
    Milestone.objects.create(
        cluster=other_cluster,
        title="Foster4 milestone",
        baseline_date=days(60),
        forecast_date=days(60),
    )
    other_meeting = MeetingFactory(kind=MeetingKind.STEERING_GROUP, cluster=other_cluster)
    ActionFactory(meeting=other_meeting, owner=consultant, description="Foster4 action")
    MonthlyReturn.objects.create(
        local_authority=other_cluster.memberships.first().local_authority,
        month=days(-40).replace(day=1),
    )
    page = home(lead)
    assert "North East risk" in page
    for foreign in (
        "Foster4 risk",
        "Foster4 milestone",
        "Foster4 action",
        "Warrington",
        "Cheshire",
        "Halton",
    ):
        assert foreign not in page, foreign


# -- query budget -----------------------------------------------------------------------


def _grow(users, north_east, other_cluster, n):
    consultant = users["consultant"]
    for user in users.values():
        for i in range(n):
            if user.role != "dfe_reader":
                ActionFactory(owner=user, due_date=days(i - n // 2))
    for i in range(n):
        raid(north_east, consultant, f"Risk {i}", by=consultant)
        raid(other_cluster, consultant, f"Other risk {i}", by=consultant)
        Milestone.objects.create(
            cluster=north_east,
            title=f"Milestone {i}",
            baseline_date=days(i),
            forecast_date=days(i - 3),
        )
        attended_meeting(
            users["lead"],
            users["dfe"],
            consultant,
            kind=MeetingKind.STEERING_GROUP,
            cluster=north_east,
            held_on=days(i % 10),
            status=MeetingStatus.PLANNED,
        )


def _queries(user) -> int:
    """Queries of the home page computed afresh (nothing kept in the cache)."""
    cache.clear()
    client = client_for(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_keeps_its_query_count_as_data_grows(role, users, north_east, other_cluster):
    user = users[role]
    _grow(users, north_east, other_cluster, 1)
    few = _queries(user)
    _grow(users, north_east, other_cluster, 12)
    many = _queries(user)
    assert few == many


def test_dfe_sees_changes_only_to_risks_escalated_to_them(users, north_east):
    consultant = users["consultant"]
    raid(north_east, consultant, "Not escalated", by=consultant)
    escalated = raid(north_east, consultant, "Escalated to DfE", by=consultant)
    RaidItem.objects.filter(pk=escalated.pk).update(escalated_on=TODAY, escalation_reason="x")
    changed = panel(home(users["dfe"]), "What changed since you last looked")
    assert "Escalated to DfE" in changed and "Not escalated" not in changed


def test_a_bids_changes_show_to_its_lead_without_money(users, north_east, other_cluster):
    from decimal import Decimal

    from engagement.models import Bid

    for cluster in (north_east, other_cluster):
        bid = Bid(
            cluster=cluster, grant_amount=Decimal("1234567"), outcome="funded", outcome_on=TODAY
        )
        bid._history_user = users["pm"]
        bid.save()
    changed = panel(home(users["lead"]), "What changed since you last looked")
    assert "Bid: North East" in changed and "Foster4" not in changed
    assert "1234567" not in changed and "1,234,567" not in changed and "£" not in changed
