"""Reads of regions, authorities and clusters, scoped to who is asking."""

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role

from .models import (
    Cluster,
    ClusterMembership,
    Harmonisation,
    HarmonisationItem,
    HarmonisationStatus,
    LocalAuthority,
    ProgressUpdate,
)


class ClusterQuerySet(QuerySet):
    def with_member_counts(self):
        return self.select_related("lead_la").annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            )
        )

    def with_overview(self, today: datetime.date | None = None):
        """Members, harmonisation items in place, latest rating and next milestone."""
        from programme.models import Milestone

        today = today or timezone.localdate()
        latest = ProgressUpdate.objects.filter(cluster=OuterRef("pk")).order_by("-month")
        in_place = (
            Harmonisation.objects.filter(
                cluster=OuterRef("pk"),
                status=HarmonisationStatus.IN_PLACE,
                local_authority__memberships__cluster=OuterRef("pk"),
                local_authority__memberships__left_on__isnull=True,
            )
            .order_by()
            .values("cluster")
            .annotate(n=Count("pk"))
            .values("n")
        )
        upcoming = Milestone.objects.filter(
            cluster=OuterRef("pk"), actual_date__isnull=True
        ).order_by("forecast_date")
        return self.with_member_counts().annotate(
            latest_rating=Subquery(latest.values("rating")[:1]),
            latest_month=Subquery(latest.values("month")[:1]),
            in_place_count=Subquery(in_place[:1]),
            next_milestone=Subquery(upcoming.values("title")[:1]),
            next_milestone_date=Subquery(upcoming.values("forecast_date")[:1]),
        )


def clusters_for_user(user) -> ClusterQuerySet:
    """The clusters a user may see: a cluster lead only their own, everyone else all."""
    queryset = ClusterQuerySet(model=Cluster)
    if user.role == Role.CLUSTER_LEAD:
        return queryset.filter(pk=user.cluster_id)
    return queryset.all()


def in_place_percent(cluster) -> int | None:
    """Share of the cluster's member x item cells that are in place (from annotations)."""
    cells = (cluster.member_count or 0) * len(HarmonisationItem.choices)
    if not cells:
        return None
    return round(100 * (cluster.in_place_count or 0) / cells)


def rating_trend(clusters, months: int = 6, today: datetime.date | None = None) -> dict:
    """Each cluster's ratings over the last ``months`` months, oldest first (one query)."""
    today = today or timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    trend: dict[int, list] = {c.pk: [] for c in clusters}
    for update in ProgressUpdate.objects.filter(cluster__in=list(trend), month__gte=start).order_by(
        "month"
    ):
        trend[update.cluster_id].append(update)
    return trend


def members_of(cluster):
    return (
        ClusterMembership.objects.filter(cluster=cluster, left_on__isnull=True)
        .select_related("local_authority__region")
        .order_by("local_authority__name")
    )


def harmonisation_matrix(cluster, members) -> dict:
    """The LA x item matrix of the cluster's current members (one query for the cells)."""
    cells = {
        (h.local_authority_id, h.item): h
        for h in Harmonisation.objects.filter(cluster=cluster).select_related("changed_by")
    }
    items = list(HarmonisationItem.choices)
    rows = []
    in_place = 0
    for membership in members:
        la = membership.local_authority
        row = []
        for value, label in items:
            cell = cells.get((la.pk, value))
            status = cell.status if cell else HarmonisationStatus.NOT_STARTED
            in_place += status == HarmonisationStatus.IN_PLACE
            row.append(
                {
                    "item": value,
                    "label": label,
                    "status": status,
                    "status_label": HarmonisationStatus(status).label,
                    "cell": cell,
                }
            )
        rows.append({"la": la, "cells": row})
    total = len(rows) * len(items)
    return {
        "items": items,
        "rows": rows,
        "in_place": in_place,
        "total": total,
        "percent": round(100 * in_place / total) if total else None,
    }


def authorities_with_cluster() -> QuerySet:
    """Every LA with its region and its current cluster's name (one query)."""
    current = ClusterMembership.objects.filter(local_authority=OuterRef("pk"), left_on__isnull=True)
    return LocalAuthority.objects.select_related("region").annotate(
        cluster_name=Subquery(current.values("cluster__name")[:1])
    )
