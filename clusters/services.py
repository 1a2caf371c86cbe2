"""Writes to regions, authorities and clusters, with their rules."""

import csv
import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from .models import Cluster, ClusterMembership, LocalAuthority, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def load_reference_data() -> dict:
    """Create or update the 9 regions and 153 upper-tier LAs from the shipped CSVs.

    Idempotent: a second run changes nothing. Returns the counts in the database.
    """
    with open(DATA_DIR / "england_regions.csv", encoding="utf-8") as f:
        regions = list(csv.DictReader(f))
    with open(DATA_DIR / "england_upper_tier_las_2023.csv", encoding="utf-8") as f:
        authorities = list(csv.DictReader(f))

    existing_regions = {r.code: r for r in Region.objects.all()}
    for row in regions:
        region = existing_regions.get(row["region_code"])
        if region is None:
            existing_regions[row["region_code"]] = Region.objects.create(
                code=row["region_code"], name=row["region_name"]
            )
        elif region.name != row["region_name"]:
            region.name = row["region_name"]
            region.save(update_fields=["name"])
    region_by_name = {r.name: r for r in existing_regions.values()}

    existing = {la.gss_code: la for la in LocalAuthority.objects.all()}
    to_create = []
    for row in authorities:
        values = {
            "name": row["la_name"],
            "dfe_code": row["dfe_la_code"],
            "region": region_by_name[row["region"]],
        }
        la = existing.get(row["gss_code"])
        if la is None:
            to_create.append(LocalAuthority(gss_code=row["gss_code"], **values))
        elif any(getattr(la, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(la, k, v)
            la.save()
    LocalAuthority.objects.bulk_create(to_create)
    return {"regions": Region.objects.count(), "authorities": LocalAuthority.objects.count()}


def add_member(
    *,
    cluster: Cluster,
    local_authority: LocalAuthority,
    joined_on: datetime.date,
    left_on: datetime.date | None = None,
) -> ClusterMembership:
    """Add an LA to a cluster for a date range.

    An LA is in at most one cluster on any date: overlapping memberships are refused.
    The LA's row is locked so two people adding it at once cannot both succeed.
    """
    with transaction.atomic():
        LocalAuthority.objects.select_for_update().get(pk=local_authority.pk)
        overlapping = ClusterMembership.objects.filter(local_authority=local_authority).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=joined_on)
        )
        if left_on is not None:
            overlapping = overlapping.filter(joined_on__lte=left_on)
        clash = overlapping.select_related("cluster").first()
        if clash is not None:
            raise ValidationError(
                {
                    "local_authority": f"{local_authority} is already in {clash.cluster} "
                    f"from {clash.joined_on:%-d %B %Y}"
                    + (f" to {clash.left_on:%-d %B %Y}" if clash.left_on else "")
                    + ". An LA can be in only one cluster at a time."
                }
            )
        membership = ClusterMembership(
            cluster=cluster, local_authority=local_authority, joined_on=joined_on, left_on=left_on
        )
        membership.full_clean()
        membership.save()
        return membership


def end_membership(*, membership: ClusterMembership, left_on: datetime.date) -> ClusterMembership:
    """Record that an LA left its cluster on a date."""
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": "An LA cannot leave before it joined."})
    membership.left_on = left_on
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def change_stage(*, cluster: Cluster, stage: str, reached_on: datetime.date, by) -> Cluster:
    """Move a cluster to a stage, recording the date it was reached and who said so."""
    from django.utils import timezone

    from .models import StageChange

    if reached_on > timezone.localdate():
        raise ValidationError(
            {"reached_on": "The date a stage was reached cannot be in the future."}
        )
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if stage == cluster.stage:
        raise ValidationError(
            {"stage": f"The cluster is already at “{cluster.get_stage_display()}”."}
        )
    cluster.stage = stage
    cluster._change_reason = f"Stage reached on {reached_on:%-d %B %Y}"
    cluster.full_clean()
    cluster.save()
    StageChange.objects.create(cluster=cluster, stage=stage, reached_on=reached_on, recorded_by=by)
    return cluster


def save_hub(*, hub) -> object:
    """Create or update a cluster's hub (go-live never before operational)."""
    hub.full_clean()
    hub.save()
    return hub


@transaction.atomic
def set_harmonisation(
    *, cluster: Cluster, local_authority: LocalAuthority, item: str, status: str, note: str = "", by
) -> object:
    """Set one cell of the harmonisation matrix, keeping who changed it and when."""
    from django.utils import timezone

    from .models import Harmonisation

    if not cluster.memberships.filter(
        local_authority=local_authority, left_on__isnull=True
    ).exists():
        raise ValidationError(
            {"local_authority": f"{local_authority} is not a member of {cluster}."}
        )
    cell, _ = Harmonisation.objects.select_for_update().get_or_create(
        cluster=cluster, local_authority=local_authority, item=item
    )
    cell.status = status
    cell.note = note
    cell.changed_on = timezone.localdate()
    cell.changed_by = by
    cell.full_clean()
    cell.save()
    return cell


@transaction.atomic
def save_progress_update(*, update) -> object:
    """Save a monthly progress update: one per cluster per month, and a rating change
    must say what changed."""
    from .models import ProgressUpdate

    update.month = update.month.replace(day=1)
    Cluster.objects.select_for_update().get(pk=update.cluster_id)
    clash = ProgressUpdate.objects.filter(cluster_id=update.cluster_id, month=update.month)
    if update.pk:
        clash = clash.exclude(pk=update.pk)
    if clash.exists():
        raise ValidationError(
            {"month": f"There is already an update for {update.month:%B %Y}: change that one."}
        )
    previous = (
        ProgressUpdate.objects.filter(cluster_id=update.cluster_id, month__lt=update.month)
        .order_by("-month")
        .first()
    )
    if previous and previous.rating != update.rating and not update.what_changed.strip():
        raise ValidationError(
            {
                "what_changed": f"The rating changed from {previous.get_rating_display()}: "
                "say what changed since last month."
            }
        )
    update.full_clean()
    update.save()
    return update


def save_constellation(*, constellation) -> object:
    """Create or update a Mockingbird constellation (a size outside 6-10 is only a warning)."""
    constellation.full_clean()
    constellation.save()
    return constellation


@transaction.atomic
def set_grant(*, cluster: Cluster, amount, by) -> Cluster:
    """Record the grant DfE awarded a cluster (as a funded bid's outcome), keeping who
    recorded it in the cluster's history."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    cluster.grant_amount = amount
    cluster._history_user = by
    cluster._change_reason = "Grant recorded with the bid's outcome"
    cluster.full_clean()
    cluster.save()
    return cluster
