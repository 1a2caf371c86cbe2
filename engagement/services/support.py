"""Technical support drawn down on request (spec §17-18): every write and every rule.

The flow only moves forward: requested -> diagnosed -> approved -> closed, or declined from
requested or diagnosed. Each step locks the request row (``select_for_update``) and checks
the status it found, so two people acting at once cannot both move it: the second is told
what happened first. Every change is kept in the request's history with who and why.

R3 time draws a request down: ``check_draw_down`` is the rule timesheets runs on every
entry that points at a request (``timesheets.services.ENTRY_RULES``).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.permissions import is_cluster_lead
from core.history import changed_by
from engagement import permissions
from engagement.models import SupportRequest, SupportStatus
from timesheets.models import TimeEntry
from timesheets.services import days_text, hours_text

# where each step may start from: anything else is a conflicting (or backward) change
CAN_MOVE_FROM = {
    SupportStatus.DIAGNOSED: (SupportStatus.REQUESTED,),
    SupportStatus.APPROVED: (SupportStatus.DIAGNOSED,),
    SupportStatus.DECLINED: (SupportStatus.REQUESTED, SupportStatus.DIAGNOSED),
    SupportStatus.CLOSED: (SupportStatus.APPROVED,),
}
STEP_NAMES = {
    SupportStatus.DIAGNOSED: "diagnosed",
    SupportStatus.APPROVED: "approved",
    SupportStatus.DECLINED: "declined",
    SupportStatus.CLOSED: "closed",
}


def _required(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


def _move(request_id: int, to: str, by) -> SupportRequest:
    """The request, locked, if it may move to ``to`` now; otherwise say why not."""
    request = (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("cluster")
        .get(pk=request_id)
    )
    if request.status not in CAN_MOVE_FROM[to]:
        if request.status == to:
            message = (
                f"{request.reference} has already been {STEP_NAMES[to]}: "
                "someone else did it first. Nothing was changed."
            )
        else:
            message = (
                f"{request.reference} is {request.get_status_display().lower()}, so it cannot "
                f"be {STEP_NAMES[to]} now: a request only moves forward (requested, diagnosed, "
                "approved, closed). Nothing was changed."
            )
        raise ValidationError(message, code="conflict")
    return request


# -- the flow -----------------------------------------------------------------------------


@transaction.atomic
def request_support(
    *,
    by,
    cluster,
    kind: str,
    title: str,
    reason: str,
    needed_by: datetime.date,
    today: datetime.date | None = None,
) -> SupportRequest:
    """A cluster lead asks for technical support for their own cluster (delivery-partner
    staff may raise one for any cluster)."""
    if not permissions.can_request_support(by):
        raise PermissionDenied("Only a cluster lead or the delivery partner requests support.")
    if is_cluster_lead(by) and (cluster is None or cluster.pk != by.cluster_id):
        raise ValidationError({"cluster": "You can request support for your own cluster only."})
    if cluster is None:
        raise ValidationError({"cluster": "Choose the cluster that needs the support."})
    today = today or timezone.localdate()
    if needed_by is None:
        raise ValidationError({"needed_by": "Enter the date the support is needed by."})
    if needed_by < today:
        raise ValidationError({"needed_by": "The date it is needed by cannot be in the past."})
    request = SupportRequest(
        cluster=cluster,
        kind=kind,
        title=_required(title, "title", "Say what support is needed."),
        reason=_required(reason, "reason", "Say why the support is needed."),
        needed_by=needed_by,
        requested_by=by,
        requested_on=today,
    )
    request.full_clean()
    changed_by(request, by, "Requested")
    request.save()
    return request


@transaction.atomic
def diagnose(
    *,
    request_id: int,
    by,
    diagnosis: str,
    proposed_days: Decimal,
    today: datetime.date | None = None,
) -> SupportRequest:
    """A consultant (or programme manager) diagnoses the need and proposes days."""
    if not permissions.can_diagnose_support(by):
        raise PermissionDenied("Only a consultant or a programme manager diagnoses a request.")
    diagnosis = _required(diagnosis, "diagnosis", "Describe the need as you diagnosed it.")
    if proposed_days is None or proposed_days <= 0:
        raise ValidationError({"proposed_days": "Propose a number of days of more than 0."})
    request = _move(request_id, SupportStatus.DIAGNOSED, by)
    request.status = SupportStatus.DIAGNOSED
    request.diagnosis = diagnosis
    request.proposed_days = proposed_days
    request.diagnosed_by = by
    request.diagnosed_on = today or timezone.localdate()
    changed_by(request, by, f"Diagnosed: {days_text(proposed_days)} proposed")
    request.save()
    return request


@transaction.atomic
def approve(
    *,
    request_id: int,
    by,
    approved_days: Decimal,
    reason: str = "",
    today: datetime.date | None = None,
) -> SupportRequest:
    """A programme manager approves a number of days. More days than were proposed need a
    reason (the check constraint ``support_extra_days_have_reason`` backs this)."""
    if not permissions.can_approve_support(by):
        raise PermissionDenied("Only a programme manager approves days of support.")
    if approved_days is None or approved_days <= 0:
        raise ValidationError({"approved_days": "Approve a number of days of more than 0."})
    request = _move(request_id, SupportStatus.APPROVED, by)
    reason = (reason or "").strip()
    if approved_days > request.proposed_days and not reason:
        raise ValidationError(
            {
                "approval_reason": f"Say why you approve {days_text(approved_days)}: "
                f"{days_text(request.proposed_days)} were proposed."
            }
        )
    request.status = SupportStatus.APPROVED
    request.approved_days = approved_days
    request.approval_reason = reason
    request.approved_by = by
    request.approved_on = today or timezone.localdate()
    changed_by(
        request, by, f"Approved: {days_text(approved_days)}" + (f" ({reason})" if reason else "")
    )
    request.save()
    return request


@transaction.atomic
def decline(
    *, request_id: int, by, reason: str, today: datetime.date | None = None
) -> SupportRequest:
    """A programme manager declines a request (requested or diagnosed), saying why; the
    reason is kept as the decision's reason."""
    if not permissions.can_approve_support(by):
        raise PermissionDenied("Only a programme manager declines a request.")
    reason = _required(reason, "approval_reason", "Say why the request is declined.")
    request = _move(request_id, SupportStatus.DECLINED, by)
    request.status = SupportStatus.DECLINED
    request.approval_reason = reason
    request.approved_by = by
    request.approved_on = today or timezone.localdate()
    changed_by(request, by, f"Declined: {reason}")
    request.save()
    return request


@transaction.atomic
def close(
    *, request_id: int, by, outcome: str, today: datetime.date | None = None
) -> SupportRequest:
    """Close an approved request with its outcome: no more time can be logged against it
    (drafts already pointing at it are refused when submitted)."""
    if not permissions.can_close_support(by):
        raise PermissionDenied("Only the delivery partner closes a request.")
    outcome = _required(outcome, "outcome", "Say what the support achieved.")
    request = _move(request_id, SupportStatus.CLOSED, by)
    request.status = SupportStatus.CLOSED
    request.outcome = outcome
    request.closed_by = by
    request.closed_on = today or timezone.localdate()
    changed_by(request, by, f"Closed: {outcome}")
    request.save()
    return request


# -- drawing a request down with R3 time --------------------------------------------------


def days_logged(request_id: int, *, excluding: int | None = None) -> Decimal:
    """Days of every entry pointing at the request, whatever its status (a draft reserves
    its days until it is deleted or unlinked), leaving out the entry ``excluding``."""
    entries = TimeEntry.objects.filter(support_request_id=request_id)
    if excluding is not None:
        entries = entries.exclude(pk=excluding)
    return entries.aggregate(days=Sum("days"))["days"] or Decimal(0)


def check_draw_down(entry, contract, errors) -> None:
    """The rule on a time entry pointing at a technical-support request: only R3 time, for
    the request's own cluster, an approved request, and never past its approved days.

    Runs inside the transaction that saves the entry, so the request row is locked here:
    two consultants logging its last day at once are checked one after the other, and the
    second sees the first's days.
    """
    if entry.support_request_id is None:
        return
    field = "support_request"
    if entry.requirement != "R3":
        errors[field].append(
            "Only R3 (technical expertise) time draws down a technical-support request: "
            "choose R3 or leave the request empty."
        )
        return
    request = SupportRequest.objects.select_for_update(of=("self",)).get(
        pk=entry.support_request_id
    )
    if entry.cluster_id != request.cluster_id:
        errors[field].append(
            f"{request.reference} is for {request.cluster}: log the time against that "
            "cluster, or choose a request of this entry's cluster."
        )
        return
    if request.status != SupportStatus.APPROVED:
        why = {
            SupportStatus.REQUESTED: "has not been diagnosed and approved yet",
            SupportStatus.DIAGNOSED: "has not been approved yet",
            SupportStatus.DECLINED: "was declined",
            SupportStatus.CLOSED: "is closed",
        }[request.status]
        errors[field].append(
            f"{request.reference} {why}: time can be logged only against an approved request."
        )
        return
    if entry.days is None or entry.adjusts_id:
        return
    hpd = contract.hours_per_day
    used = days_logged(request.pk, excluding=entry.pk)
    left = max(Decimal(0), request.approved_days - used)
    if used + entry.days > request.approved_days:
        errors[field].append(
            f"That would pass the {days_text(request.approved_days)} approved for "
            f"{request.reference}: {days_text(left)} ({hours_text(left, hpd)}) left."
        )
