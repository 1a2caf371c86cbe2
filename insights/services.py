"""Every write to the RAID log, the shared-learning log and the learning programme, with
its rules. Each service is atomic, locks the row it changes (so two people acting at once
cannot both pass a check), names the field a refusal is about, and records who acted in
the history."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from core.history import changed_by

from .models import (
    Adoption,
    Attendance,
    Kind,
    LearningEvent,
    Lesson,
    LessonStatus,
    LessonTheme,
    MitigationAction,
    RaidItem,
    Status,
    Theme,
)


def _locked(item: RaidItem) -> RaidItem:
    return RaidItem.objects.select_for_update().get(pk=item.pk)


def _not_future(day: datetime.date | None, field: str, what: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _check_owner(owner, cluster, field: str) -> None:
    """An owner is on the delivery partner's team or leads the item's cluster."""
    if owner is None:
        raise ValidationError({field: "Choose who owns this."})
    if owner.is_delivery_partner:
        return
    if owner.role == Role.CLUSTER_LEAD and cluster is not None and owner.cluster_id == cluster.pk:
        return
    raise ValidationError(
        {
            field: f"{owner} cannot own this: an owner is on the delivery partner's team"
            + (f" or leads {cluster}." if cluster is not None else ".")
        }
    )


def _refuse_if_closed(item: RaidItem, doing: str) -> None:
    if item.status == Status.CLOSED:
        raise ValidationError(f"{item.reference} is closed: reopen it before {doing}.")


# -- RAID log --------------------------------------------------------------------------


@transaction.atomic
def save_item(*, item: RaidItem, by) -> RaidItem:
    """Log a new RAID item or change one. Closing goes through ``close_item`` (which checks
    the actions) and a risk becomes an issue through ``become_issue`` (which records when)."""
    if item.pk:
        current = _locked(item)
        _refuse_if_closed(current, "changing it")
        if item.kind != current.kind:
            raise ValidationError(
                {
                    "kind": "The type cannot be changed here: a risk that has happened is "
                    "recorded with “It has become an issue”."
                }
            )
    else:
        item.created_by = by
        item.raised_on = item.raised_on or timezone.localdate()
    if item.status == Status.CLOSED:
        raise ValidationError({"status": "Close an item with “Close”, which checks its actions."})
    _check_owner(item.owner if item.owner_id else None, item.cluster, "owner")
    item.full_clean()
    changed_by(item, by)
    item.save()
    return item


@transaction.atomic
def add_action(
    *,
    item: RaidItem,
    description: str,
    owner,
    due_date: datetime.date | None,
    by,
) -> MitigationAction:
    """Add a mitigation action: every action has an owner and a due date."""
    item = _locked(item)
    _refuse_if_closed(item, "adding actions")
    errors = {}
    if not (description or "").strip():
        errors["description"] = "Describe the action."
    if owner is None:
        errors["owner"] = "Choose who owns this action."
    if due_date is None:
        errors["due_date"] = "Enter the date the action is due."
    if errors:
        raise ValidationError(errors)
    _check_owner(owner, item.cluster, "owner")
    action = MitigationAction(
        item=item, description=description.strip(), owner=owner, due_date=due_date
    )
    action.full_clean()
    changed_by(action, by)
    action.save()
    return action


@transaction.atomic
def complete_action(
    *, action: MitigationAction, by, done_on: datetime.date | None = None
) -> MitigationAction:
    """Mark an action done (today unless a date is given)."""
    _refuse_if_closed(_locked(action.item), "changing its actions")
    action = MitigationAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        raise ValidationError(f"This action was already done on {action.done_on:%-d %B %Y}.")
    done_on = done_on or timezone.localdate()
    _not_future(done_on, "done_on", "The date it was done")
    action.done_on = done_on
    changed_by(action, by)
    action.save()
    return action


@transaction.atomic
def escalate(*, item: RaidItem, reason: str, by, escalated_on: datetime.date | None = None):
    """Escalate a live item to DfE, saying why. An item is escalated once."""
    if not (reason or "").strip():
        raise ValidationError({"escalation_reason": "Say why this item is escalated to DfE."})
    item = _locked(item)
    _refuse_if_closed(item, "escalating it")
    if item.escalated_on:
        raise ValidationError(
            f"{item.reference} was already escalated to DfE on {item.escalated_on:%-d %B %Y}."
        )
    escalated_on = escalated_on or timezone.localdate()
    _not_future(escalated_on, "escalated_on", "The escalation date")
    item.escalated_on = escalated_on
    item.escalation_reason = reason.strip()
    item.full_clean()
    changed_by(item, by, "Escalated to DfE")
    item.save()
    return item


@transaction.atomic
def record_dfe_decision(
    *, item: RaidItem, decision: str, by, decided_on: datetime.date | None = None
) -> RaidItem:
    """Record what DfE decided about an escalated item (a later decision replaces it; the
    history keeps the earlier one)."""
    if not (decision or "").strip():
        raise ValidationError({"dfe_decision": "Write down DfE's decision."})
    item = _locked(item)
    if not item.escalated_on:
        raise ValidationError({"dfe_decision": "Only an item escalated to DfE has a decision."})
    decided_on = decided_on or timezone.localdate()
    _not_future(decided_on, "dfe_decision_on", "The date of the decision")
    if decided_on < item.escalated_on:
        raise ValidationError(
            {"dfe_decision_on": "DfE cannot decide before the item was escalated."}
        )
    item.dfe_decision = decision.strip()
    item.dfe_decision_on = decided_on
    item.full_clean()
    changed_by(item, by, "DfE's decision recorded")
    item.save()
    return item


@transaction.atomic
def become_issue(
    *, item: RaidItem, what_happened: str, by, happened_on: datetime.date | None = None
) -> RaidItem:
    """A risk has happened: the same item becomes an issue (certain, likelihood 5), keeping
    its risk statement, actions and history."""
    if not (what_happened or "").strip():
        raise ValidationError({"description": "Say what has happened."})
    item = _locked(item)
    _refuse_if_closed(item, "recording that it happened")
    if item.kind != Kind.RISK:
        raise ValidationError(
            f"Only a risk can become an issue; this is an {item.get_kind_display().lower()}."
        )
    happened_on = happened_on or timezone.localdate()
    _not_future(happened_on, "became_issue_on", "The date it happened")
    item.kind = Kind.ISSUE
    item.became_issue_on = happened_on
    item.description = what_happened.strip()
    item.likelihood = 5
    item.full_clean()
    changed_by(item, by, "The risk became an issue")
    item.save()
    return item


@transaction.atomic
def close_item(
    *, item: RaidItem, note: str, by, closed_on: datetime.date | None = None
) -> RaidItem:
    """Close an item, saying why. An item with open actions cannot be closed."""
    item = _locked(item)
    if item.status == Status.CLOSED:
        raise ValidationError({"status": f"{item.reference} is already closed."})
    open_actions = item.actions.filter(done_on__isnull=True).count()
    if open_actions:
        raise ValidationError(
            {
                "status": f"{item.reference} has {open_actions} open "
                f"action{'s' if open_actions > 1 else ''}: mark "
                f"{'them' if open_actions > 1 else 'it'} done before closing the item."
            }
        )
    if not (note or "").strip():
        raise ValidationError({"closure_note": "Say why the item can be closed."})
    closed_on = closed_on or timezone.localdate()
    _not_future(closed_on, "closed_on", "The closing date")
    item.status = Status.CLOSED
    item.closed_on = closed_on
    item.closure_note = note.strip()
    item.full_clean()
    changed_by(item, by, "Closed")
    item.save()
    return item


@transaction.atomic
def reopen_item(*, item: RaidItem, reason: str, by) -> RaidItem:
    """Reopen a closed item, saying why (the closure stays in the history)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the item is reopened."})
    item = _locked(item)
    if item.status != Status.CLOSED:
        raise ValidationError(f"{item.reference} is not closed.")
    item.status = Status.OPEN
    item.closed_on = None
    item.closure_note = ""
    item.full_clean()
    changed_by(item, by, f"Reopened: {reason.strip()}")
    item.save()
    return item


# -- shared learning -------------------------------------------------------------------

_url = URLValidator(schemes=["http", "https"])


def _check_links(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        try:
            _url(line)
        except ValidationError:
            raise ValidationError(
                {
                    "evidence_links": f"Line {number} (“{line[:60]}”) is not a web address: "
                    "put one address starting https:// on each line."
                }
            ) from None
    return "\n".join(lines)


def _names(values) -> str:
    return ", ".join(values) or "none"


@transaction.atomic
def save_lesson(*, lesson: Lesson, themes: list[str], source_clusters: list, by) -> Lesson:
    """Write up or change a shared-learning entry with its themes and source clusters.
    A new entry is a draft; changes to themes and clusters are named in the history."""
    themes = sorted(set(themes or []))
    if not themes:
        raise ValidationError({"themes": "Choose at least one theme."})
    unknown = set(themes) - set(Theme.values)
    if unknown:
        raise ValidationError({"themes": f"Unknown theme: {', '.join(sorted(unknown))}."})
    lesson.evidence_links = _check_links(lesson.evidence_links)
    labels = dict(Theme.choices)
    new_themes = [labels[t] for t in themes]
    new_clusters = sorted(c.name for c in source_clusters)
    if lesson.pk:
        Lesson.objects.select_for_update().get(pk=lesson.pk)
        old_themes = [labels[t] for t in sorted(lesson.themes.values_list("theme", flat=True))]
        old_clusters = sorted(lesson.source_clusters.values_list("name", flat=True))
    else:
        lesson.author = by
        lesson.status = LessonStatus.DRAFT
        old_themes, old_clusters = None, None
    changes = []
    if new_themes != old_themes:
        changes.append(
            f"Themes: {_names(new_themes)}"
            if old_themes is None
            else f"Themes: {_names(old_themes)} → {_names(new_themes)}"
        )
    if new_clusters != old_clusters:
        changes.append(
            f"Source clusters: {_names(new_clusters)}"
            if old_clusters is None
            else f"Source clusters: {_names(old_clusters)} → {_names(new_clusters)}"
        )
    lesson.full_clean()
    changed_by(lesson, by)
    if changes:
        lesson._change_reason = "; ".join(changes)
    lesson.save()
    LessonTheme.objects.filter(lesson=lesson).exclude(theme__in=themes).delete()
    have = set(LessonTheme.objects.filter(lesson=lesson).values_list("theme", flat=True))
    LessonTheme.objects.bulk_create(
        [LessonTheme(lesson=lesson, theme=t) for t in themes if t not in have]
    )
    lesson.source_clusters.set(source_clusters)
    return lesson


@transaction.atomic
def publish_lesson(*, lesson: Lesson, by, published_on: datetime.date | None = None) -> Lesson:
    """Publish a draft: from now every cluster and DfE can read it."""
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if lesson.status == LessonStatus.PUBLISHED:
        raise ValidationError(
            f"“{lesson}” was already published on {lesson.published_on:%-d %B %Y}."
        )
    published_on = published_on or timezone.localdate()
    _not_future(published_on, "published_on", "The publication date")
    lesson.status = LessonStatus.PUBLISHED
    lesson.published_on = published_on
    lesson.full_clean()
    changed_by(lesson, by, "Published")
    lesson.save()
    return lesson


@transaction.atomic
def record_adoption(
    *, lesson: Lesson, cluster, adopted_on: datetime.date, note: str = "", by
) -> Adoption:
    """Record that a cluster has adopted a published practice (once per cluster)."""
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if lesson.status != LessonStatus.PUBLISHED:
        raise ValidationError({"cluster": "Only a published entry can be adopted."})
    if cluster is None:
        raise ValidationError({"cluster": "Choose the cluster that adopted it."})
    if Adoption.objects.filter(lesson=lesson, cluster=cluster).exists():
        raise ValidationError({"cluster": f"{cluster} has already recorded adopting it."})
    _not_future(adopted_on, "adopted_on", "The date it was adopted")
    adoption = Adoption(
        lesson=lesson,
        cluster=cluster,
        adopted_on=adopted_on,
        note=(note or "").strip(),
        recorded_by=by,
    )
    adoption.full_clean()
    changed_by(adoption, by)
    adoption.save()
    return adoption


# -- learning programme ----------------------------------------------------------------


@transaction.atomic
def save_event(*, event: LearningEvent, by) -> LearningEvent:
    """Add or change a learning event."""
    event.full_clean()
    changed_by(event, by)
    event.save()
    return event


@transaction.atomic
def set_attendance(*, event: LearningEvent, local_authorities, by) -> LearningEvent:
    """Record which LAs attended an event (replacing what was recorded), once it has
    taken place. Who recorded it and how many attended is kept in the event's history."""
    event = LearningEvent.objects.select_for_update().get(pk=event.pk)
    if event.held_on > timezone.localdate():
        raise ValidationError(
            {"local_authorities": "Attendance can be recorded once the event has taken place."}
        )
    wanted = {la.pk for la in local_authorities}
    have = set(event.attendances.values_list("local_authority_id", flat=True))
    event.attendances.exclude(local_authority_id__in=wanted).delete()
    Attendance.objects.bulk_create(
        [
            Attendance(event=event, local_authority_id=pk, recorded_by=by)
            for pk in sorted(wanted - have)
        ]
    )
    added, removed = len(wanted - have), len(have - wanted)
    changed_by(event, by, f"Attendance: {len(wanted)} LAs (+{added}, -{removed})")
    event.attended = "; ".join(sorted(la.name for la in local_authorities))
    event.save()
    return event
