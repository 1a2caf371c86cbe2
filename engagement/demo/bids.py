"""Demo bids: the wave-2 clusters' bids of summer 2023, as the delivery partner tested them.

Every wave-2 cluster has long since been funded (clusters demo: bid in preparation from 3
July 2023, submitted 18 August, funded 2 October), so these bids are the record of that
round: a mix of criterion statuses when each was decided, one to three narrative versions,
and outcomes as reported (two bids were first deferred, then funded once revised). They
are written as history: the rule that a bid is opened only at a bid stage is about today's
stage, so the bid row is made here and everything after it goes through the services.

Idempotent: a cluster that already has a bid is left alone.
"""

import datetime
import random
from decimal import Decimal

from accounts.models import Role, User
from clusters.demo import GRANTS
from clusters.models import Cluster, Wave

from ..models import Bid, Criterion, CriterionStatus, Outcome
from ..services import bids as services

OPENED = datetime.date(2023, 7, 3)
SUBMITTED = datetime.date(2023, 8, 18)
DEFERRED_ON = datetime.date(2023, 9, 15)
RESUBMITTED = datetime.date(2023, 9, 25)
FUNDED_ON = datetime.date(2023, 10, 2)
# deferred first and funded after a revision (a third version of the narrative)
DEFERRED_FIRST = {"greater-manchester", "west-london"}

EVIDENCE = {
    CriterionStatus.MET: "Shown in the bid: section {n} and its annex, checked by the consultant.",
    CriterionStatus.PARTLY: "Section {n} covers most of it; one member LA still to confirm.",
}
CHALLENGE = {
    CriterionStatus.MET: "",
    CriterionStatus.PARTLY: "Name who signs off the remaining LA's part, and by when.",
    CriterionStatus.NOT_MET: "Not yet in the bid: DfE will look for it. Draft it before "
    "submission.",
}
NARRATIVE = (
    "{cluster} proposes a regional recruitment support hub for its {members} member local "
    "authorities: one website and phone line looking after prospective foster carers from "
    "initial enquiry to application, with each LA keeping its statutory duties. {extra}"
)
VERSION_NOTES = [
    "First draft for the consultant's challenge.",
    "Budget and data-sharing sections added after the challenge session.",
    "Revised after DfE deferred the bid: operating model and DCS letters strengthened.",
]
VERSION_DATES = [
    OPENED + datetime.timedelta(days=14),
    SUBMITTED,
    DEFERRED_ON + datetime.timedelta(days=7),
]
EXTRA = [
    "The budget and data-sharing approach follow.",
    "The budget is costed per LA and a data-sharing agreement is planned across the "
    "members' case management systems.",
    "Every DCS has signed; the operating model now shows where the hub hands over to each "
    "LA's assessment team.",
]


def _status(rng: random.Random, funded_first_time: bool) -> str:
    roll = rng.random()
    met_share = 0.7 if funded_first_time else 0.5
    if roll < met_share:
        return CriterionStatus.MET
    return CriterionStatus.PARTLY if roll < met_share + 0.25 else CriterionStatus.NOT_MET


def seed() -> None:
    services.load_default_criteria()  # as the migration does; kept if a test flushed them
    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).order_by("pk").first()
    consultants = list(
        User.objects.filter(role=Role.CONSULTANT, email__endswith="@example.org")
        .exclude(email="lapsed@example.org")
        .order_by("email")
    )
    clusters = (
        Cluster.objects.filter(wave=Wave.WAVE_2, bid__isnull=True)
        .prefetch_related("memberships")
        .order_by("name")
    )
    for index, cluster in enumerate(clusters):
        rng = random.Random(f"bid-{cluster.slug}")
        consultant = consultants[index % len(consultants)] if consultants else None
        deferred_first = cluster.slug in DEFERRED_FIRST
        bid = Bid(
            cluster=cluster,
            consultant=consultant,
            due_on=SUBMITTED,
            created_by=pm,
        )
        bid._history_user = pm
        bid.save()
        services._add_missing_assessments(
            bids=[bid], criteria=Criterion.objects.filter(active=True), by=consultant or pm
        )
        members = sum(1 for m in cluster.memberships.all() if m.left_on is None)
        versions = 3 if deferred_first else rng.choice([1, 2, 2])
        for number in range(1, min(versions, 2) + 1):
            _version(bid, cluster, members, number, consultant or pm)
        for n, assessment in enumerate(bid.assessments.order_by("criterion__position"), 1):
            status = _status(rng, not deferred_first)
            services.assess(
                assessment=assessment,
                status=status,
                evidence=EVIDENCE.get(status, "").format(n=n + 1),
                challenge=CHALLENGE[status],
                by=consultant or pm,
            )
        services.update_bid(
            bid=bid, consultant=consultant, due_on=SUBMITTED, submitted_on=SUBMITTED, by=pm
        )
        if deferred_first:
            services.record_outcome(
                bid=bid,
                outcome=Outcome.DEFERRED,
                decided_on=DEFERRED_ON,
                note="DfE asked for every DCS's sign-off and a clearer operating model.",
                by=pm,
            )
            _version(bid, cluster, members, 3, consultant or pm)
            for assessment in bid.assessments.exclude(status=CriterionStatus.MET):
                services.assess(
                    assessment=assessment,
                    status=CriterionStatus.MET,
                    evidence="Added in version 3 after DfE deferred the bid.",
                    by=consultant or pm,
                )
            services.update_bid(
                bid=bid,
                consultant=consultant,
                due_on=SUBMITTED,
                submitted_on=RESUBMITTED,
                by=pm,
            )
        grant = GRANTS.get(cluster.slug)
        services.record_outcome(
            bid=bid,
            outcome=Outcome.FUNDED if grant else Outcome.NOT_FUNDED,
            decided_on=FUNDED_ON,
            grant_amount=Decimal(grant) if grant else None,
            note="Grant agreement signed." if grant else "",
            by=pm,
        )


def _version(bid, cluster, members, number, by):
    services.add_version(
        bid=bid,
        narrative=NARRATIVE.format(cluster=cluster.name, members=members, extra=EXTRA[number - 1]),
        change_note=VERSION_NOTES[number - 1],
        dated=VERSION_DATES[number - 1],
        by=by,
    )
