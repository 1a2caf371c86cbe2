"""Reads of the meeting log and its actions, scoped to the user who asks.

The delivery partner and DfE read every meeting and action; a cluster lead the meetings
they attended and the actions they own, and nothing else (anything else is not found).
"""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import is_cluster_lead, is_delivery_partner, is_dfe_reader
from engagement.models import Action, ActionStatus, Meeting

OPEN = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]


def _reads_all(user) -> bool:
    return is_delivery_partner(user) or is_dfe_reader(user)


def meetings_for_user(user) -> QuerySet:
    """The meetings a user may see, each with its number of open actions that the user may
    see (a cluster lead: their own) (one query)."""
    meetings = Meeting.objects.select_related("cluster")
    actions = Action.objects.filter(meeting=OuterRef("pk"), status__in=OPEN)
    if is_cluster_lead(user):
        meetings = meetings.filter(attendees=user)
        actions = actions.filter(owner=user)
    elif not _reads_all(user):
        return meetings.none()
    open_actions = actions.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return meetings.annotate(
        open_action_count=Coalesce(Subquery(open_actions, output_field=IntegerField()), 0)
    )


def actions_for_user(user, *, today: datetime.date | None = None) -> QuerySet:
    """The actions a user may see, overdue first then by due date, each annotated with
    ``overdue`` and ``meeting_visible`` (whether the user may open its meeting)."""
    today = today or timezone.localdate()
    actions = Action.objects.select_related(
        "meeting", "meeting__cluster", "owner", "raid_item", "milestone"
    )
    if is_cluster_lead(user):
        actions = actions.filter(owner=user)
        visible = Exists(
            Meeting.attendees.through.objects.filter(
                meeting_id=OuterRef("meeting_id"), user_id=user.pk
            )
        )
    elif _reads_all(user):
        visible = Value(True)
    else:
        return actions.none()
    return actions.annotate(
        overdue=Case(
            When(Q(status__in=OPEN) & Q(due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        meeting_visible=visible,
    ).order_by("-overdue", "due_date", "pk")


def meeting_detail(meeting: Meeting, user) -> dict:
    """A meeting's attendees and the actions of it the user may see (two queries)."""
    return {
        "attendees": list(meeting.attendees.order_by("first_name", "last_name", "email")),
        "actions": list(actions_for_user(user).filter(meeting=meeting)),
    }


def my_open_actions(user, *, limit: int = 10, today: datetime.date | None = None) -> dict:
    """The user's own open actions, overdue first, capped at ``limit`` with the total
    (one query: the total is a window count over the same rows)."""
    today = today or timezone.localdate()
    late = Case(When(due_date__lt=today, then=Value(1)), default=Value(0))
    rows = list(
        actions_for_user(user, today=today)
        .filter(owner=user, status__in=OPEN)
        .annotate(total=Window(Count("pk")), overdue_total=Window(Sum(late)))[:limit]
    )
    total = rows[0].total if rows else 0
    return {
        "actions": rows,
        "total": total,
        "more": max(total - len(rows), 0),
        "overdue": rows[0].overdue_total if rows else 0,
        "soon": today + datetime.timedelta(days=14),
    }


def linked_actions(*, raid_item=None, milestone=None, user) -> list[Action]:
    """Meeting actions linked to a RAID item or a milestone that the user may see (one
    query), for the item's own page."""
    actions = actions_for_user(user)
    if raid_item is not None:
        return list(actions.filter(raid_item=raid_item))
    return list(actions.filter(milestone=milestone))
