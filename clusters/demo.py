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


# Activity: hubs, stages, contacts, harmonisation, constellations, progress updates and
# cluster milestones. Deterministic (seeded random) so a second run changes nothing.

STAGE_DATES_WAVE_2 = [
    ("bid_in_preparation", datetime.date(2023, 7, 3)),
    ("bid_submitted", datetime.date(2023, 8, 18)),
    ("funded", datetime.date(2023, 10, 2)),
    ("hub_being_set_up", datetime.date(2023, 11, 1)),
]
STAGE_DATES_NORTH_EAST = [
    ("funded", datetime.date(2023, 3, 31)),
    ("hub_being_set_up", datetime.date(2023, 4, 3)),
    ("hub_operational", datetime.date(2023, 5, 31)),
    ("hub_live", datetime.date(2023, 9, 28)),
]
HUB_MANAGERS = [
    "Laura Fenwick",
    "Imran Shah",
    "Ruth Adeyemi",
    "Owen Pritchard",
    "Megan Doyle",
    "Patrick Nolan",
    "Chloe Marsh",
    "Daniel Osei",
]
# (title, strand, days after go-live or a fixed date)
CLUSTER_MILESTONES = [
    ("Hub website and phone line live", "A", 0),
    ("Regional campaign launched", "B", 60),
    ("Standard offer agreed by every LA", "A", 240),
    ("Data-sharing agreement signed by every LA", "A", 360),
    ("First Mockingbird constellation launched", "C", 450),
    ("Standard enquiry script in use in every LA", "A", 700),
    ("Hub sustainability plan for 2026-28 agreed", "A", datetime.date(2026, 9, 30)),
    ("Year-three review with DfE", "", datetime.date(2027, 1, 29)),
]
PROGRESS_TEXT = {
    "green": "Hub handling enquiries within a working day; conversion above plan.",
    "amber_green": "Hub performing well; two LAs still to adopt the standard enquiry script.",
    "amber": "Enquiry volumes below forecast; data-sharing agreement awaiting legal sign-off.",
    "amber_red": "Hub manager vacancy and a delayed standard offer put the plan at risk.",
    "red": "Hub staffing gap and no agreement on the fees formula; recovery plan requested.",
}


def _month_starts(start: datetime.date, end: datetime.date):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def seed_activity() -> None:
    import random

    from django.utils import timezone

    from accounts.models import Role, User
    from programme.models import Milestone, MilestoneStatus

    from .models import (
        ClusterContact,
        Constellation,
        Harmonisation,
        HarmonisationItem,
        HarmonisationStatus,
        Hub,
        ProgressUpdate,
        Rating,
        StageChange,
    )

    today = timezone.localdate()
    with open(DATA_DIR / "fostering_hubs_2023_2025.csv", encoding="utf-8") as f:
        hubs = {row["hub_id"]: row for row in csv.DictReader(f)}
    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).order_by("pk").first()
    ratings = [r.value for r in Rating]

    for index, cluster in enumerate(Cluster.objects.filter(slug__in=GRANTS).order_by("pk")):
        rng = random.Random(f"demo-{cluster.slug}")
        row = hubs[cluster.slug]
        go_live = datetime.date.fromisoformat(
            row["go_live"] + ("-01" if len(row["go_live"]) == 7 else "")
        )
        pathfinder = cluster.wave == Wave.PATHFINDER
        operational = (
            datetime.date(2023, 5, 31) if pathfinder else go_live - datetime.timedelta(days=30)
        )
        Hub.objects.get_or_create(
            cluster=cluster,
            defaults={
                "name": row["hub_name"],
                "website": f"https://{cluster.slug}.example.org",
                "phone": f"0300 555 0{100 + index}",
                "operational_date": operational,
                "go_live_date": go_live,
                "staff_fte": 4 + index % 4,
                "staffing": "Hub manager, enquiry officers, experienced foster carer ambassadors",
                # about what the demo's LAs approve a year: some clusters will meet it
                "approvals_target": 25 * cluster.memberships.count(),
            },
        )

        if not cluster.stage_changes.exists():
            dates = (
                STAGE_DATES_NORTH_EAST
                if pathfinder
                else STAGE_DATES_WAVE_2 + [("hub_operational", operational), ("hub_live", go_live)]
            )
            for stage, reached in dates:
                StageChange.objects.create(
                    cluster=cluster, stage=stage, reached_on=reached, recorded_by=pm
                )

        if not cluster.contacts.exists():
            lead_user = cluster.leads.first()
            lead_la = cluster.lead_la.name if cluster.lead_la else "the lead LA"
            ClusterContact.objects.create(
                cluster=cluster,
                role="cluster_lead",
                name=str(lead_user) if lead_user else f"Fostering service manager, {lead_la}",
                organisation=lead_la,
                email=lead_user.email if lead_user else "",
            )
            ClusterContact.objects.create(
                cluster=cluster,
                role="dcs_sponsor",
                name=f"Director of Children's Services, {lead_la}",
                organisation=lead_la,
            )
            ClusterContact.objects.create(
                cluster=cluster,
                role="hub_manager",
                name=HUB_MANAGERS[index % len(HUB_MANAGERS)],
                organisation=row["hub_name"],
                phone=f"0300 555 0{100 + index}",
            )

        members = list(
            cluster.memberships.filter(left_on__isnull=True).select_related("local_authority")
        )
        maturity = 0.85 if pathfinder else 0.35 + 0.06 * index
        if not Harmonisation.objects.filter(cluster=cluster).exists():
            cells = []
            for membership in members:
                for item in HarmonisationItem.values:
                    roll = rng.random()
                    status = (
                        HarmonisationStatus.IN_PLACE
                        if roll < maturity
                        else HarmonisationStatus.AGREED
                        if roll < maturity + 0.15
                        else HarmonisationStatus.IN_PROGRESS
                        if roll < maturity + 0.35
                        else HarmonisationStatus.NOT_STARTED
                    )
                    cells.append(
                        Harmonisation(
                            cluster=cluster,
                            local_authority=membership.local_authority,
                            item=item,
                            status=status,
                            changed_on=today - datetime.timedelta(days=rng.randint(5, 400)),
                            changed_by=pm,
                        )
                    )
            for cell in cells:  # saved one by one so the history records each
                cell.save()

        if not Constellation.objects.filter(
            local_authority__in=[m.local_authority for m in members]
        ).exists():
            for membership in members[: max(2, len(members) // 2)]:
                la = membership.local_authority
                Constellation.objects.create(
                    local_authority=la,
                    name=f"{la.name} constellation 1",
                    hub_home=f"HH-{la.dfe_code}-1",
                    satellite_families=rng.choice([5, 6, 7, 8, 9, 10, 11])
                    if rng.random() < 0.2
                    else rng.randint(6, 10),
                    launch_date=go_live + datetime.timedelta(days=rng.randint(60, 500)),
                    status="live",
                )

        if not cluster.updates.exists():
            # a walk that drifts back to the cluster's usual level
            usual = 0 if pathfinder else rng.randint(0, 2)
            rating_index = usual
            previous = None
            for month in _month_starts(
                max(go_live, datetime.date(2023, 10, 1)),
                today.replace(day=1) - datetime.timedelta(days=1),
            ):
                step = rng.choice([-1, 0, 0, 0, 0, 1])
                if rating_index > usual + 1:
                    step = -1
                rating_index = min(4, max(0, rating_index + step))
                rating = ratings[rating_index]
                changed = previous is not None and previous != rating
                ProgressUpdate.objects.create(
                    cluster=cluster,
                    month=month,
                    rating=rating,
                    author=cluster.leads.first() or pm,
                    what_changed=(
                        f"Moved from {Rating(previous).label} to {Rating(rating).label}: "
                        + PROGRESS_TEXT[rating].split(";")[0].lower()
                        + "."
                    )
                    if changed
                    else "",
                    progress=PROGRESS_TEXT[rating],
                    next_steps="Review enquiry handling with each LA; prepare the quarterly data return.",
                    support_asked="DfE to confirm 2026-28 grant conditions."
                    if rating in ("amber_red", "red")
                    else "",
                )
                previous = rating

        if not Milestone.objects.filter(cluster=cluster).exists():
            for title, strand, when in CLUSTER_MILESTONES:
                if isinstance(when, datetime.date):
                    baseline = when
                else:
                    baseline = go_live + datetime.timedelta(days=when)
                slip = rng.choice([0, 0, 14, 30, 61, 92])
                forecast = baseline + datetime.timedelta(days=slip)
                # long-past milestones were met; recent ones are sometimes overdue
                done = forecast < today - datetime.timedelta(days=150) or (
                    forecast < today and rng.random() < 0.5
                )
                Milestone.objects.create(
                    cluster=cluster,
                    title=title,
                    strand=strand,
                    owner=f"Hub manager, {row['hub_name']}",
                    baseline_date=baseline,
                    forecast_date=forecast,
                    actual_date=forecast if done else None,
                    status=MilestoneStatus.COMPLETE
                    if done
                    else (
                        MilestoneStatus.AT_RISK if forecast < today else MilestoneStatus.ON_TRACK
                    ),
                )
