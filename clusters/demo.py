"""Demo clusters: the hubs that really formed, with their publicly reported member LAs."""

import csv
import datetime

from .models import Cluster, ClusterMembership, LocalAuthority, Stage, Wave
from .services import DATA_DIR, add_member

# Dates as reported (see data/SOURCES.md); wave-2 clusters joined when funded.
JOINED = {"pathfinder": datetime.date(2023, 1, 1), "wave 2": datetime.date(2023, 10, 1)}
GRANTS = {
    "north-east": 2_500_000,
    "foster-with-us": 1_200_000,
    "foster4": 2_300_000,
    "greater-manchester": 2_430_000,
    "east-midlands": 1_500_000,
    "local-community-fostering": 1_600_000,
    "west-london": 1_900_000,
    "south-east": 2_400_000,
}


def seed() -> list[Cluster]:
    with open(DATA_DIR / "fostering_hubs_2023_2025.csv", encoding="utf-8") as f:
        hubs = {row["hub_id"]: row for row in csv.DictReader(f)}
    with open(DATA_DIR / "fostering_hub_members_2023_2025.csv", encoding="utf-8") as f:
        members = list(csv.DictReader(f))
    authorities = {la.gss_code: la for la in LocalAuthority.objects.all()}

    clusters = []
    for hub_id, hub in hubs.items():
        hub_members = [m for m in members if m["hub_id"] == hub_id]
        if not hub_members:
            continue  # Fostering South West: members not found
        lead = next((m for m in hub_members if m["is_lead"] == "yes"), None)
        cluster, created = Cluster.objects.get_or_create(
            slug=hub_id,
            defaults={
                "name": "North East" if hub_id == "north-east" else hub["hub_name"],
                "wave": Wave.PATHFINDER if hub["wave"] == "pathfinder" else Wave.WAVE_2,
                "stage": Stage.HUB_LIVE,
                "lead_la": authorities[lead["gss_code"]] if lead else None,
                "grant_amount": GRANTS.get(hub_id),
            },
        )
        clusters.append(cluster)
        already = set(
            ClusterMembership.objects.filter(cluster=cluster).values_list(
                "local_authority__gss_code", flat=True
            )
        )
        for m in hub_members:
            if m["gss_code"] not in already:
                add_member(
                    cluster=cluster,
                    local_authority=authorities[m["gss_code"]],
                    joined_on=JOINED[hub["wave"]],
                )
    return clusters
