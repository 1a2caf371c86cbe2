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
