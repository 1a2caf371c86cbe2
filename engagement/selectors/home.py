"""Reads of the engagement home panels: what is due from the user, what is late, and what
changed since they last looked, each within the user's scope and in a fixed number of
queries however much there is (lists are capped; a window count says how many more)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Sum, Window
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import (
    has_data_access,
    is_cluster_lead,
    is_consultant,
    is_delivery_partner,
    is_dfe_reader,
    is_programme_manager,
)
from core.cache import remembered, rows_version
from engagement.selectors.bids import bids_for_user
from engagement.selectors.meetings import actions_for_user, meetings_for_user
from engagement.selectors.support import support_for_user

# how many rows each list shows before "and N more"
CAP = 5
SOON = datetime.timedelta(days=14)
# what "since you last looked" means the first time
FIRST_LOOK = datetime.timedelta(days=14)


def _capped(queryset: QuerySet, limit: int = CAP) -> tuple[list, int]:
    """The first ``limit`` rows and how many there are in all, in one query."""
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[:limit])
    return rows, (rows[0].total_rows if rows else 0)


# -- due and late ---------------------------------------------------------------------


def due_and_late(user, *, today: datetime.date | None = None) -> dict:
    """What is due from the user or late in their scope and not shown elsewhere on the
    home page: their next meetings; a lead's member LAs' late monthly returns and their
    cluster's milestones due or past forecast; a consultant's time for last week; for the
    programme manager, the programme's milestones past forecast and late returns."""
    from pipeline.selectors import late_returns
    from programme.selectors import milestones_for_user
    from timesheets.models import Status, TimeEntry

    today = today or timezone.localdate()
    result: dict = {"today": today, "until": today + SOON}

    meetings = (
        meetings_for_user(user)
        .filter(attendees=user, status="planned", held_on__gte=today, held_on__lte=today + SOON)
        .order_by("held_on", "pk")
    )
    result["meetings"], result["meetings_total"] = _capped(meetings)
    result["meetings_more"] = result["meetings_total"] - len(result["meetings"])

    if is_cluster_lead(user) or is_programme_manager(user) or is_dfe_reader(user):
        milestones = milestones_for_user(user, today=today).filter(
            actual_date__isnull=True, forecast_date__lte=today + SOON
        )
        if is_cluster_lead(user):
            milestones = milestones.filter(cluster_id=user.cluster_id)
        result["milestones"], result["milestones_total"] = _capped(milestones)
        result["milestones_more"] = result["milestones_total"] - len(result["milestones"])

    if (is_cluster_lead(user) or is_programme_manager(user)) and has_data_access(user):
        late = late_returns(user, today=today)
        late.sort(key=lambda r: -r["days_late"])
        result["late_returns"] = late[:CAP]
        result["late_returns_total"] = len(late)
        result["late_returns_more"] = max(len(late) - CAP, 0)

    if is_consultant(user):
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        sunday = monday + datetime.timedelta(days=6)
        sums = {
            row["status"]: row["days"]
            for row in TimeEntry.objects.filter(consultant=user, date__range=(monday, sunday))
            .values("status")
            .annotate(days=Sum("days"))
            .order_by()
        }
        result["last_week"] = {
            "monday": monday,
            "sunday": sunday,
            "draft": sums.get(Status.DRAFT) or 0,
            "submitted": sum(v for k, v in sums.items() if k != Status.DRAFT),
        }
    return result


# -- what changed ---------------------------------------------------------------------


@dataclass
class Source:
    """One kind of record whose changes the user may follow."""

    title: str
    queryset: QuerySet  # the records the user may see
    link: object  # record -> URL or None
    label: object = str


def _sources(user) -> list[Source]:
    from insights.models import LessonStatus
    from insights.selectors import lessons_for_user, raid_for_user
    from pipeline.selectors import returns_for_user
    from programme.selectors import milestones_for_user

    lead = is_cluster_lead(user)
    reads_all = is_delivery_partner(user) or is_dfe_reader(user)
    sources = [
        Source(
            "Risks and issues",
            raid_for_user(user),
            lambda r: reverse("insights:raid_detail", args=[r.pk]),
            lambda r: f"{r.reference}: {r.title}",
        ),
        Source(
            "Shared learning published",
            lessons_for_user(user).filter(status=LessonStatus.PUBLISHED),
            lambda r: reverse("insights:lesson_detail", args=[r.pk]),
        ),
        Source(
            "Milestones",
            milestones_for_user(user),
            lambda r: reverse("programme:milestone_detail", args=[r.pk]),
        ),
        Source(
            "Meetings",
            meetings_for_user(user),
            lambda r: reverse("engagement:meeting_detail", args=[r.pk]),
        ),
        Source(
            "Meeting actions",
            actions_for_user(user),
            lambda r: _action_link(user, r),
        ),
    ]
    # the parts' own scopes (a lead: their own cluster's)
    bids, support = bids_for_user(user), support_for_user(user)
    if lead or reads_all:
        # names only: a bid's grant amount is never shown here
        sources.append(
            Source("Bids", bids, lambda r: reverse("engagement:bid_detail", args=[r.pk]))
        )
        sources.append(
            Source(
                "Technical support requests",
                support,
                lambda r: reverse("engagement:support_detail", args=[r.pk]),
            )
        )
    if lead and has_data_access(user):
        sources.append(
            Source(
                "Monthly returns",
                returns_for_user(user),
                lambda r: reverse("pipeline:return_detail", args=[r.pk]),
            )
        )
    return sources


def _action_link(user, action) -> str:
    """An action's status page for those who may update it; otherwise the meeting it came
    from (or the list of actions): never a page that answers 403."""
    from ..permissions import can_update_action

    if can_update_action(user, action):
        return reverse("engagement:action_status", args=[action.pk])
    if getattr(action, "meeting_visible", False):
        return reverse("engagement:meeting_detail", args=[action.meeting_id]) + "#actions"
    return reverse("engagement:action_list")


# the first time, "since" is a sliding fortnight: what is kept for it is kept this long
FIRST_LOOK_KEPT = 300


def changes_since(user, since: datetime.datetime | None, *, now=None) -> dict:
    """The records the user may see that someone else changed since ``since`` (the last
    fortnight the first time), newest change first: per kind of record at most ``CAP`` and
    how many in all (one query per kind, whatever changed).

    Kept in the shared cache for the user, their scope and ``since``, under the count and
    highest id of every followed history (and of the memberships that scope a lead): a save
    by anyone moves the key, so a reload shows it at once, and an unchanged home page costs
    one query here instead of one per kind."""
    from clusters.models import ClusterMembership

    if now is not None:
        return _changes_since(user, since, now=now)
    sources = _sources(user)
    version = rows_version(
        *(source.queryset.model.history.model for source in sources),
        ClusterMembership.history.model,
    )
    key = (
        f"changes:{user.pk}:{user.role}:{user.cluster_id}:{has_data_access(user)}:"
        f"{since.isoformat() if since else 'first'}:{version}"
    )
    return remembered(
        key,
        lambda: _changes_since(user, since, sources=sources),
        FIRST_LOOK_KEPT if since is None else 3600,
    )


def _changes_since(user, since, *, now=None, sources=None) -> dict:
    now = now or timezone.now()
    first_look = since is None
    since = since or now - FIRST_LOOK
    sections = []
    for source in sources or _sources(user):
        model = source.queryset.model
        history = model.history.model.objects.filter(
            id=OuterRef("pk"), history_date__gt=since
        ).exclude(history_user=user)
        rows, total = _capped(
            source.queryset.filter(Exists(history))
            .annotate(
                changed_at=Subquery(history.order_by("-history_date").values("history_date")[:1]),
                created=Exists(history.filter(history_type="+")),
            )
            .order_by("-changed_at", "-pk")
        )
        if not total:
            continue
        sections.append(
            {
                "title": source.title,
                "total": total,
                "more": total - len(rows),
                "rows": [
                    {
                        "label": source.label(r),
                        "url": source.link(r),
                        "created": r.created,
                        "when": r.changed_at,
                    }
                    for r in rows
                ],
            }
        )
    return {"since": since, "first_look": first_look, "sections": sections}
