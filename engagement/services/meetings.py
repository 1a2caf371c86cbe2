"""Every write to the meeting log and its actions, with its rules: a meeting in the future
cannot be held; an action needs an owner and a due date, links one thing at most, and only
to something its owner can see; marking an action done records when."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import is_delivery_partner
from core.history import changed_by
from engagement.models import Action, ActionStatus, Meeting, MeetingStatus


def _check_held_date(meeting: Meeting, today: datetime.date) -> None:
    if meeting.status == MeetingStatus.HELD and meeting.held_on and meeting.held_on > today:
        raise ValidationError(
            {
                "status": f"A meeting dated {meeting.held_on:%-d %B %Y} has not happened yet: "
                "it cannot be marked as held. Keep it planned, or correct the date."
            }
        )


@transaction.atomic
def save_meeting(*, meeting: Meeting, attendees, by) -> Meeting:
    """Log a meeting or change one (with its attendees). A meeting dated after today
    cannot be marked as held."""
    if not is_delivery_partner(by):
        raise ValidationError("Only the delivery partner keeps the meeting log.")
    if meeting.pk:
        Meeting.objects.select_for_update().get(pk=meeting.pk)
    else:
        meeting.created_by = by
    _check_held_date(meeting, timezone.localdate())
    meeting.full_clean(exclude=["attendees"])
    changed_by(meeting, by)
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


def can_own(owner, meeting: Meeting) -> bool:
    """Delivery-partner staff own any action; a cluster lead those of programme-wide
    meetings and of their own cluster's."""
    if not owner.is_active or User.objects.filter(pk=owner.pk, api_token__isnull=False).exists():
        return False  # a deactivated person or an API token's service account
    if owner.role in (Role.PROGRAMME_MANAGER, Role.CONSULTANT):
        return True
    return owner.role == Role.CLUSTER_LEAD and meeting.cluster_id in (None, owner.cluster_id)


def _check_links(*, owner, raid_item, milestone) -> None:
    """An action links a risk or issue or a milestone, not both, and only one its owner can
    see (a cluster lead: their own cluster's or a programme-wide milestone)."""
    from insights.selectors import raid_for_user
    from programme.selectors import milestones_for_user

    if raid_item is not None and milestone is not None:
        raise ValidationError(
            {"milestone": "Link the action to a risk or issue or to a milestone, not both."}
        )
    if raid_item is not None and not raid_for_user(owner).filter(pk=raid_item.pk).exists():
        raise ValidationError(
            {
                "raid_item": f"{owner} cannot see {raid_item.reference}: link a risk or "
                "issue the owner can see, or choose another owner."
            }
        )
    if milestone is not None and not milestones_for_user(owner).filter(pk=milestone.pk).exists():
        raise ValidationError(
            {
                "milestone": f"{owner} cannot see the milestone “{milestone}”: link one the "
                "owner can see, or choose another owner."
            }
        )


@transaction.atomic
def add_action(
    *,
    meeting: Meeting,
    description: str,
    owner,
    due_date: datetime.date | None,
    raid_item=None,
    milestone=None,
    by,
) -> Action:
    """Add an action to a meeting: it needs a description, an owner who may own it and a
    due date, and may link one RAID item or one milestone the owner can see."""
    if not is_delivery_partner(by):
        raise ValidationError("Only the delivery partner adds actions to meetings.")
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the action."})
    if owner is None:
        raise ValidationError({"owner": "Choose who owns this action."})
    if due_date is None:
        raise ValidationError({"due_date": "Enter the date the action is due."})
    if not can_own(owner, meeting):
        raise ValidationError(
            {
                "owner": f"{owner} cannot own this action: an owner is on the delivery "
                "partner's team"
                + (f" or leads {meeting.cluster}." if meeting.cluster_id else " or a cluster lead.")
            }
        )
    _check_links(owner=owner, raid_item=raid_item, milestone=milestone)
    action = Action(
        meeting=meeting,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        raid_item=raid_item,
        milestone=milestone,
    )
    action.full_clean()
    changed_by(action, by)
    action.save()
    return action


@transaction.atomic
def update_action_status(*, action: Action, status: str, by) -> Action:
    """The owner or the delivery partner moves an action on: done records today as done_on;
    reopening clears it."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not (is_delivery_partner(by) or action.owner_id == by.pk):
        raise ValidationError("Only the action's owner or the delivery partner can update it.")
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose the action's status."})
    if status == action.status:
        return action
    action.status = status
    action.done_on = timezone.localdate() if status == ActionStatus.DONE else None
    changed_by(action, by)
    action.save(update_fields=["status", "done_on"])
    return action
