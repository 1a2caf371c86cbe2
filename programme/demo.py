"""Demo data for the programme: the contract of the call-off specification, varied to 2028."""

import datetime
from decimal import Decimal

from .models import Contract, DayRate, FinancialYearCap, Grade, Milestone, MilestoneStatus, Strand

CONTRACT_REFERENCE = "DFE-FRRP-DP-2023"

# Illustrative framework rate card (£ per day excl. VAT); uplifted 3% from April 2025.
RATE_CARD = [
    ("Partner", 1, Decimal("1400")),
    ("Director", 2, Decimal("1200")),
    ("Principal consultant", 3, Decimal("950")),
    ("Senior consultant", 4, Decimal("800")),
    ("Consultant", 5, Decimal("650")),
    ("Analyst", 6, Decimal("500")),
]
UPLIFT_FROM = datetime.date(2025, 4, 1)

# Spec §24, with the approximate dates read as the last day of the month named.
SPEC_MILESTONES = [
    ("NE support hub operational", "NE support hub operational", "A", (2023, 5, 31)),
    (
        "Roll out EOI live",
        "EOI for wider roll out live to all LAs and open for bids",
        "",
        (2023, 5, 31),
    ),
    (
        "Delivery partner appointed",
        "Delivery partner in place to work with LAs on shaping bids to meet DfE policy requirements",
        "",
        (2023, 7, 31),
    ),
    (
        "NE support hub go live",
        "NE recruitment support hub go live, alongside communications campaign",
        "A",
        (2023, 9, 30),
    ),
    (
        "Funding awarded",
        "Grant agreements signed for successful LA cluster groups",
        "",
        (2023, 9, 30),
    ),
    (
        "Support hub operational",
        "LA clusters recruitment support hub operational",
        "A",
        (2024, 4, 30),
    ),
    (
        "Go live",
        "Wider roll out regional recruitment support hub go live, alongside communications campaign",
        "A",
        (2024, 9, 30),
    ),
    ("Funding period ends", "", "", (2025, 3, 31)),
]


def seed() -> Contract:
    contract, _ = Contract.objects.get_or_create(
        reference=CONTRACT_REFERENCE,
        defaults={
            "name": "Fostering Recruitment and Retention Programme: delivery partner",
            "start_date": datetime.date(2023, 6, 1),
            "end_date": datetime.date(2025, 3, 31),
            "total_cap": Decimal("1000000"),
        },
    )
    for year, amount in [(2023, "650000"), (2024, "350000")]:
        FinancialYearCap.objects.get_or_create(
            contract=contract, start_year=year, defaults={"amount": Decimal(amount)}
        )
    from .services import vary_contract

    if contract.end_date < datetime.date(2028, 3, 31):
        # DfE funded 2025-26 and 2026-28: the variation extends the contract; the caps
        # for the new years are illustrative.
        vary_contract(
            contract=contract,
            new_end_date=datetime.date(2028, 3, 31),
            new_total_cap=Decimal("2300000"),
            added_caps={2025: Decimal("400000"), 2026: Decimal("450000"), 2027: Decimal("450000")},
            reason="Variation 1: programme funded for 2025-26 and 2026-28.",
        )

    for name, order, rate in RATE_CARD:
        grade, _ = Grade.objects.get_or_create(name=name, defaults={"order": order})
        DayRate.objects.get_or_create(
            grade=grade, valid_from=contract.start_date, defaults={"rate": rate}
        )
        DayRate.objects.get_or_create(
            grade=grade,
            valid_from=UPLIFT_FROM,
            defaults={"rate": (rate * Decimal("1.03")).quantize(Decimal("1"))},
        )

    for title, outputs, strand, (y, m, d) in SPEC_MILESTONES:
        date = datetime.date(y, m, d)
        Milestone.objects.get_or_create(
            cluster=None,
            title=title,
            defaults={
                "outputs": outputs,
                "strand": strand if strand in Strand.values else "",
                "owner": "DfE programme team",
                "baseline_date": date,
                "forecast_date": date,
                "actual_date": date,
                "status": MilestoneStatus.COMPLETE,
            },
        )
    return contract


KPIS = [
    (
        "Enquiry to application conversion",
        "Applications received in the quarter as a share of initial enquiries in the quarter.",
        "%",
        Decimal("12"),
        "higher",
    ),
    (
        "Application to approval time",
        "Median days from application to approval for households approved in the quarter.",
        "days",
        Decimal("180"),
        "lower",
    ),
    (
        "Clusters with a live hub",
        "Clusters whose recruitment support hub is live.",
        "clusters",
        Decimal("9"),
        "higher",
    ),
    (
        "Harmonisation in place",
        "Share of member LA x Annex A items (standard offer, terms, script, data sharing, "
        "branding, Mockingbird) in place.",
        "%",
        Decimal("80"),
        "higher",
    ),
    (
        "Mockingbird constellations live",
        "Constellations launched and running.",
        "constellations",
        Decimal("40"),
        "higher",
    ),
]


def seed_activity() -> None:
    """KPIs with quarterly values, programme-wide and (for conversion) per cluster; the
    contract variation's recorder."""
    import random

    from django.utils import timezone

    from accounts.models import Role, User
    from clusters.models import Cluster

    from .models import ContractVariation, Direction, Kpi, KpiValue

    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).order_by("pk").first()
    # the variation was seeded before there were people: the programme manager recorded it
    if pm is not None:
        ContractVariation.objects.filter(recorded_by__isnull=True).update(recorded_by=pm)
    today = timezone.localdate()
    quarters = []
    quarter = datetime.date(2024, 4, 1)
    while quarter <= today:
        quarters.append(quarter)
        quarter = datetime.date(
            quarter.year + (quarter.month == 10), (quarter.month + 2) % 12 + 1, 1
        )
    quarters = quarters[:-1]  # the current quarter is not over

    for name, definition, unit, target, direction in KPIS:
        kpi, created = Kpi.objects.get_or_create(
            name=name,
            defaults={
                "definition": definition,
                "unit": unit,
                "target": target,
                "direction": Direction(direction),
            },
        )
        if not created or kpi.values.exists():
            continue
        rng = random.Random(f"kpi-{name}")
        for i, q in enumerate(quarters):
            progress = i / max(1, len(quarters) - 1)
            if unit == "%":
                value = target * Decimal(str(0.7 + 0.45 * progress + rng.uniform(-0.05, 0.05)))
            elif unit == "days":
                value = Decimal(str(205 - 40 * progress + rng.uniform(-6, 6)))
            else:
                value = (target * Decimal(str(0.3 + 0.75 * progress))).quantize(Decimal("1"))
            KpiValue.objects.create(kpi=kpi, quarter_start=q, value=round(value, 1), recorded_by=pm)
        if name.startswith("Enquiry to application"):
            for cluster in Cluster.objects.all():
                crng = random.Random(f"kpi-{cluster.slug}")
                base = 23 if cluster.slug == "north-east" else crng.uniform(8, 16)
                for q in quarters[-4:]:
                    KpiValue.objects.create(
                        kpi=kpi,
                        quarter_start=q,
                        cluster=cluster,
                        recorded_by=pm,
                        value=round(Decimal(str(base + crng.uniform(-2, 2))), 1),
                    )
