"""Reads of the RAID log, the shared-learning log and the learning programme.

Everything a page shows comes through a ``..._for_user`` selector, so an object a user
may not see is simply not found. The report reads (``top_risks_and_issues...``,
``lessons_published_between``, ``events_held_between``) are not scoped: the monthly report
is cut per reader when it is shown.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.permissions import is_cluster_lead, is_delivery_partner, is_dfe_reader
from clusters.models import ClusterMembership

from .models import (
    HIGH_FROM,
    IMPACT,
    LIKELIHOOD,
    LIVE_STATUSES,
    Attendance,
    Kind,
    LearningEvent,
    Lesson,
    LessonKind,
    LessonStatus,
    MitigationAction,
    RaidItem,
    score_band,
)

# -- RAID log --------------------------------------------------------------------------


class RaidQuerySet(QuerySet):
    def live(self):
        """Open or being mitigated (not closed)."""
        return self.filter(status__in=LIVE_STATUSES)

    def with_review_state(self, today: datetime.date | None = None):
        """Whether the review date has passed (closed items never are) and the number of
        open actions, as annotations, for lists that sort and filter on them."""
        today = today or timezone.localdate()
        open_actions = (
            MitigationAction.objects.filter(item=OuterRef("pk"), done_on__isnull=True)
            .order_by()
            .values("item")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            review_overdue=Case(
                When(Q(review_date__lt=today) & Q(status__in=LIVE_STATUSES), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            open_action_count=Coalesce(Subquery(open_actions, output_field=IntegerField()), 0),
        )

    def overdue_first(self):
        return self.order_by("-review_overdue", "-score", "review_date", "pk")


def raid_for_user(user) -> RaidQuerySet:
    """The RAID items a user may see: the delivery partner all; a cluster lead their own
    cluster's; a DfE reader those escalated to DfE."""
    items = RaidQuerySet(model=RaidItem).select_related("cluster", "owner")
    if is_delivery_partner(user):
        return items
    if is_cluster_lead(user):
        return items.filter(cluster_id=user.cluster_id)
    if is_dfe_reader(user):
        return items.filter(escalated_on__isnull=False)
    return items.none()


def raid_register(user, today: datetime.date | None = None) -> RaidQuerySet:
    """The register: items past their review date first, then by score (one query)."""
    return raid_for_user(user).with_review_state(today).overdue_first()


def raid_item_detail(item: RaidItem) -> dict:
    """An item's actions (with owners) and the history of the item and its actions,
    newest first (four queries whatever the number of changes)."""
    actions = list(item.actions.select_related("owner").order_by("done_on", "due_date", "pk"))
    return {"actions": actions, "history": raid_history(item)}


def raid_history(item: RaidItem, limit: int = 50) -> list[dict]:
    """Every change to the item and to its mitigation actions, newest first: who, when,
    what changed (a fixed number of queries whatever the changes)."""
    from core.history import diff_rows, name_values

    item_records = item.history.select_related("history_user").order_by("-history_date", "-pk")
    rows = diff_rows(list(item_records[: limit + 1]), RaidItem, limit)
    by_action = defaultdict(list)
    for record in (
        MitigationAction.history.filter(item_id=item.pk)
        .select_related("history_user")
        .order_by("-history_date", "-pk")[: limit * 4]
    ):
        by_action[record.id].append(record)
    for records in by_action.values():
        for row in diff_rows(records, MitigationAction, limit):
            row["subject"] = f"Action: {records[0].description[:80]}"
            rows.append(row)
    rows.sort(key=lambda r: r["when"], reverse=True)
    rows = rows[:limit]
    name_values(rows)
    return rows


def _mitigation_text(item: RaidItem, actions: list[MitigationAction]) -> str:
    parts = [f"{item.get_response_display()}."] if item.response else []
    if actions:
        parts.append(
            "; ".join(f"{a.description} ({a.owner}, due {a.due_date:%-d %b %Y})" for a in actions)
        )
    else:
        parts.append("No open actions.")
    return " ".join(parts)


def _with_mitigations(items: list[RaidItem]) -> list[RaidItem]:
    for item in items:
        item.mitigation = _mitigation_text(item, item.open_actions)
    return items


_OPEN_ACTIONS = Prefetch(
    "actions",
    queryset=MitigationAction.objects.filter(done_on__isnull=True)
    .select_related("owner")
    .order_by("due_date", "pk"),
    to_attr="open_actions",
)
_TOP_ORDER = [F("score").desc(), F("review_date").asc(), F("pk").asc()]


def _top_candidates(items: QuerySet | None) -> QuerySet:
    base = items if items is not None else RaidItem.objects.all()
    return base.filter(kind__in=[Kind.RISK, Kind.ISSUE], status__in=LIVE_STATUSES)


def top_risks_and_issues_by_cluster(
    *, limit: int = 5, items: QuerySet | None = None
) -> dict[int | None, list[RaidItem]]:
    """The top live risks and issues of every cluster and programme-wide (key None) at once:
    the ranking is a window over each cluster, so two queries whatever the clusters."""
    ranked = (
        _top_candidates(items)
        .annotate(rank=Window(RowNumber(), partition_by=[F("cluster_id")], order_by=_TOP_ORDER))
        .filter(rank__lte=limit)
        .select_related("cluster", "owner")
        .prefetch_related(_OPEN_ACTIONS)
    )
    grouped: dict[int | None, list[RaidItem]] = defaultdict(list)
    for item in sorted(ranked, key=lambda i: i.rank):
        grouped[item.cluster_id].append(item)
    for items_of_cluster in grouped.values():
        _with_mitigations(items_of_cluster)
    return dict(grouped)


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        return score_band(self.score)


def heat_map(items: QuerySet) -> dict:
    """Open risks counted by likelihood x impact: rows from likelihood 5 down to 1, cells
    by impact 1 to 5 (one query)."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in items.filter(kind=Kind.RISK, status__in=LIVE_STATUSES)
        .order_by()
        .values("likelihood", "impact")
        .annotate(n=Count("pk"))
    }
    rows = [
        {
            "likelihood": likelihood,
            "label": label,
            "cells": [
                HeatCell(likelihood, impact, counts.get((likelihood, impact), 0))
                for impact, _ in IMPACT
            ],
        }
        for likelihood, label in reversed(LIKELIHOOD)
    ]
    total = sum(counts.values())
    high = sum(n for (lk, im), n in counts.items() if lk * im >= HIGH_FROM)
    return {"rows": rows, "impacts": IMPACT, "total": total, "high": high}


def raid_past_review_for(user, today: datetime.date | None = None, limit: int = 5) -> dict:
    """For the home page: the user's own live items past their review date, and how many
    visible items are past review (two queries)."""
    today = today or timezone.localdate()
    visible = raid_for_user(user).live().filter(review_date__lt=today)
    own = list(visible.filter(owner=user).order_by("review_date", "pk")[:limit])
    return {"own": own, "visible_count": visible.count()}


def escalated_awaiting_decision(user, limit: int = 5) -> list[RaidItem]:
    """Live escalated items that DfE has not decided on yet (one query)."""
    return list(
        raid_for_user(user)
        .live()
        .filter(escalated_on__isnull=False, dfe_decision="")
        .order_by("escalated_on", "pk")[:limit]
    )


# -- shared learning -------------------------------------------------------------------


def lessons_for_user(user) -> QuerySet:
    """Lessons a user may see: published ones for everyone, drafts only for the delivery
    partner and their author."""
    lessons = Lesson.objects.select_related("author")
    if is_delivery_partner(user):
        return lessons
    published = Q(status=LessonStatus.PUBLISHED)
    if is_cluster_lead(user):
        return lessons.filter(published | Q(author=user))
    if is_dfe_reader(user):
        return lessons.filter(published)
    return lessons.none()


def with_tags(lessons: QuerySet) -> QuerySet:
    """Lessons with their themes and source clusters (two more queries, whatever the rows)."""
    return lessons.prefetch_related(
        "themes",  # in theme order (LessonTheme's ordering)
        "source_clusters",
    )


def theme_labels(lesson: Lesson) -> str:
    """The lesson's themes as words (from prefetched themes)."""
    return ", ".join(t.get_theme_display() for t in lesson.themes.all())


def lesson_detail(lesson: Lesson, user) -> dict:
    """What the lesson page shows beside the lesson: the linked RAID item if the user may
    see it, the adoptions and the history (a fixed number of queries)."""
    from core.history import history_rows

    raid_item = (
        raid_for_user(user).filter(pk=lesson.raid_item_id).first() if lesson.raid_item_id else None
    )
    return {
        "raid_item": raid_item,
        "adoptions": list(lesson.adoptions.select_related("cluster", "recorded_by")),
        "history": history_rows(lesson),
    }


def lessons_published_between(start: datetime.date, last: datetime.date) -> list[Lesson]:
    """Lessons published from ``start`` to ``last`` (inclusive), oldest first, each with
    ``theme_labels`` (two queries)."""
    lessons = list(
        with_tags(
            Lesson.objects.filter(
                status=LessonStatus.PUBLISHED, published_on__gte=start, published_on__lte=last
            )
        ).order_by("published_on", "pk")
    )
    for lesson in lessons:
        lesson.theme_labels = theme_labels(lesson)
    return lessons


def lessons_linked_to(item: RaidItem, user) -> list[Lesson]:
    return list(lessons_for_user(user).filter(raid_item=item).order_by("title"))


# -- learning programme ----------------------------------------------------------------


def events_with_attendance() -> QuerySet:
    """Learning events with the number of LAs that attended each (one query)."""
    return LearningEvent.objects.annotate(attendee_count=Count("attendances"))


def events_held_between(start: datetime.date, last: datetime.date) -> list[LearningEvent]:
    """Events held from ``start`` to ``last`` (inclusive), each with ``attendee_count``, the
    number of LAs that attended (one query)."""
    return list(
        events_with_attendance()
        .filter(held_on__gte=start, held_on__lte=last)
        .order_by("held_on", "pk")
    )


def attendance_by_cluster(event: LearningEvent) -> list[dict]:
    """An event's attending LAs grouped by their current cluster (one query)."""
    current = ClusterMembership.objects.filter(
        local_authority=OuterRef("local_authority"), left_on__isnull=True
    )
    grouped = defaultdict(list)
    for attendance in (
        event.attendances.select_related("local_authority")
        .annotate(cluster_name=Subquery(current.values("cluster__name")[:1]))
        .order_by("local_authority__name")
    ):
        grouped[attendance.cluster_name or "Not in a cluster"].append(attendance.local_authority)
    return [{"cluster": name, "authorities": las} for name, las in sorted(grouped.items())]


def members_without_attendance(user) -> QuerySet:
    """Current members of the clusters the user may see whose LA has attended no learning
    event (one query)."""
    from clusters.selectors import clusters_for_user

    attended = Attendance.objects.filter(local_authority=OuterRef("local_authority"))
    return (
        ClusterMembership.objects.filter(
            left_on__isnull=True, cluster__in=clusters_for_user(user).values("pk")
        )
        .filter(~Exists(attended))
        .select_related("local_authority__region", "cluster")
        .order_by("cluster__name", "local_authority__name")
    )


# -- search ----------------------------------------------------------------------------

LEARNING_TYPES = [(f"learning:{value}", label) for value, label in LessonKind.choices]
RAID_TYPES = [(f"raid:{value}", label) for value, label in Kind.choices]
SEARCH_TYPES = (
    [("learning", "Any shared-learning entry")]
    + LEARNING_TYPES
    + [("raid", "Any RAID log item")]
    + RAID_TYPES
)
SEARCH_LIMIT = 100  # from each log: a search is a way in, not an export


@dataclass
class SearchResult:
    log: str  # "learning" or "raid"
    kind_label: str
    title: str
    url: str
    where: str
    excerpt: str
    on: datetime.date | None
    rank: float
    status: str


def _terms(query: str) -> list[str]:
    return [t for t in query.replace('"', " ").split() if t][:10]


def _text_match(fields: list[str], terms: list[str]) -> Q:
    """The SQLite fallback: every word appears in one of the fields."""
    match = Q()
    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        match &= any_field
    return match


def _ranked(queryset: QuerySet, weighted: list[tuple[list[str], str]], query: str) -> QuerySet:
    """Full-text match and rank on PostgreSQL; every-word-appears on other databases."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = None
        for fields, weight in weighted:
            part = SearchVector(*fields, weight=weight, config="english")
            vector = part if vector is None else vector + part
        search_query = SearchQuery(query, search_type="websearch", config="english")
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search_query))
            .filter(document=search_query)
            .order_by("-rank", "-pk")
        )
    fields = [f for group, _ in weighted for f in group]
    return (
        queryset.filter(_text_match(fields, _terms(query)))
        .annotate(rank=Value(0.0))
        .order_by("-pk")
    )


def _excerpt(texts: list[str], terms: list[str], width: int = 220) -> str:
    """A passage around the first word searched for (plain text: the template escapes it)."""
    lowered = [t.lower() for t in terms]
    for text in texts:
        if not text:
            continue
        low = text.lower()
        hits = [low.find(t) for t in lowered if low.find(t) >= 0]
        if hits:
            start = max(0, min(hits) - width // 3)
            snippet = text[start : start + width].strip()
            return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")
    first = next((t for t in texts if t), "")
    return first[:width] + ("…" if len(first) > width else "")


def search(
    user,
    *,
    query: str,
    theme: str = "",
    cluster=None,
    type: str = "",
) -> list[SearchResult]:
    """Lessons and RAID items the user may see matching ``query``, best first, filtered by
    theme (lessons only: RAID items have no theme), cluster and type (three queries)."""

    query = query.strip()
    if not query:
        return []
    log, _, kind = type.partition(":")
    terms = _terms(query)
    results: list[SearchResult] = []
    if log in ("", "learning"):
        lessons = lessons_for_user(user)
        if kind:
            lessons = lessons.filter(kind=kind)
        if theme:
            lessons = lessons.filter(themes__theme=theme)
        if cluster is not None:
            lessons = lessons.filter(source_clusters=cluster)
        lessons = _ranked(
            lessons,
            [(["title"], "A"), (["what_learned", "recommendation"], "B"), (["what_happened"], "C")],
            query,
        ).prefetch_related("source_clusters")[:SEARCH_LIMIT]
        for lesson in lessons:
            results.append(
                SearchResult(
                    log="learning",
                    kind_label=lesson.get_kind_display(),
                    title=lesson.title,
                    url=lesson.get_absolute_url(),
                    where=", ".join(c.name for c in lesson.source_clusters.all())
                    or "Programme-wide",
                    excerpt=_excerpt(
                        [lesson.what_happened, lesson.what_learned, lesson.recommendation], terms
                    ),
                    on=lesson.published_on,
                    rank=float(lesson.rank or 0),
                    status=lesson.get_status_display(),
                )
            )
    if log in ("", "raid") and not theme:
        items = raid_for_user(user)
        if kind:
            items = items.filter(kind=kind)
        if cluster is not None:
            items = items.filter(cluster=cluster)
        items = _ranked(
            items,
            [
                (["title"], "A"),
                (["description", "cause", "event", "effect"], "B"),
                (["escalation_reason", "dfe_decision", "closure_note"], "C"),
            ],
            query,
        )[:SEARCH_LIMIT]
        for item in items:
            results.append(
                SearchResult(
                    log="raid",
                    kind_label=item.get_kind_display(),
                    title=str(item),
                    url=item.get_absolute_url(),
                    where=item.cluster.name if item.cluster else "Programme-wide",
                    excerpt=_excerpt(
                        [item.description, item.event, item.cause, item.effect], terms
                    ),
                    on=item.raised_on,
                    rank=float(item.rank or 0),
                    status=item.get_status_display(),
                )
            )
    results.sort(key=lambda r: (-r.rank, -(r.on.toordinal() if r.on else 0)))
    return results
