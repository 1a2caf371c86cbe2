"""Every write to bids and to DfE's criteria, with its rules.

A bid is prepared while its cluster is at the expression-of-interest or bid stages, and is
tested against DfE's active criteria (one assessment each). A bid is *open* while it awaits
a decision or was deferred (a deferred bid is revised and tested again); a funded or
not-funded bid is *decided* and keeps its assessments and narrative as they were.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Role
from clusters import services as cluster_services
from clusters.models import Cluster, Stage
from core.history import changed_by

from ..models import Assessment, Bid, BidVersion, Criterion, CriterionStatus, Outcome

# the cluster stages at which a bid is prepared (a later stage has been decided)
BID_STAGES = (Stage.EOI, Stage.BID_IN_PREPARATION, Stage.BID_SUBMITTED)
OPEN_OUTCOMES = (Outcome.PENDING, Outcome.DEFERRED)
DECISIONS = (Outcome.FUNDED, Outcome.NOT_FUNDED, Outcome.DEFERRED)

# DfE's criteria as the programme started; programme managers maintain them afterwards
DEFAULT_CRITERIA = [
    (
        "Regional boundary tested",
        "The cluster's footprint has been tested: travel distances, existing partnerships "
        "and the market of independent fostering agencies make one hub sensible.",
    ),
    (
        "All member LAs' DCS sign-off",
        "Every member LA's Director of Children's Services has signed the bid.",
    ),
    ("Lead LA agreed", "One LA is agreed as lead, to hold the grant and employ the hub team."),
    (
        "Hub operating model",
        "How the hub looks after prospective carers from enquiry to application, and where "
        "each LA's statutory duties begin.",
    ),
    (
        "Data-sharing approach",
        "How enquiries pass between the hub and the LAs' case management systems, with a "
        "data-sharing agreement planned.",
    ),
    (
        "Communications approach",
        "A regional campaign and brand, and how it joins the national campaign.",
    ),
    (
        "Mockingbird intent",
        "Each LA's intent to start or grow Mockingbird constellations for retention.",
    ),
    ("Budget", "A costed budget for the hub within the grant, with each LA's contribution."),
]


def load_default_criteria(apps=None) -> None:
    """Create any missing default criterion (idempotent; existing names and order kept)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    model = apps.get_model("engagement", "Criterion")
    for position, (name, guidance) in enumerate(DEFAULT_CRITERIA, start=1):
        model.objects.get_or_create(
            name=name, defaults={"guidance": guidance, "position": position}
        )


def _locked(bid: Bid) -> Bid:
    return Bid.objects.select_for_update().select_related("cluster").get(pk=bid.pk)


def _not_future(day: datetime.date | None, field: str, what: str) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _refuse_if_decided(bid: Bid, doing: str) -> None:
    if bid.outcome not in OPEN_OUTCOMES:
        raise ValidationError(
            f"The bid was decided ({bid.get_outcome_display().lower()} on "
            f"{bid.outcome_on:%-d %B %Y}): {doing} is kept as it was."
        )


def _check_consultant(consultant) -> None:
    if consultant is not None and consultant.role not in (
        Role.CONSULTANT,
        Role.PROGRAMME_MANAGER,
    ):
        raise ValidationError(
            {"consultant": f"{consultant} is not on the delivery partner's team."}
        )


def _add_missing_assessments(*, bids, criteria, by) -> int:
    """Give each bid a "not met" assessment for each criterion it lacks (one query to read
    what exists, one bulk insert with its history)."""
    bid_ids = [b.pk for b in bids]
    criterion_ids = [c.pk for c in criteria]
    have = set(
        Assessment.objects.filter(bid_id__in=bid_ids, criterion_id__in=criterion_ids).values_list(
            "bid_id", "criterion_id"
        )
    )
    new = [
        Assessment(bid_id=b, criterion_id=c, status=CriterionStatus.NOT_MET, updated_by=by)
        for b in bid_ids
        for c in criterion_ids
        if (b, c) not in have
    ]
    if new:
        bulk_create_with_history(new, Assessment, default_user=by)
    return len(new)


# -- bids --------------------------------------------------------------------------------


@transaction.atomic
def create_bid(
    *, cluster: Cluster, by, consultant=None, due_on: datetime.date | None = None
) -> Bid:
    """Open a cluster's bid, with a "not met" assessment for each active criterion.

    Only for a cluster at the expression-of-interest or bid stages, and one bid a cluster
    (the cluster row is locked so two people opening it at once cannot both succeed)."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if cluster.stage not in BID_STAGES:
        raise ValidationError(
            {
                "cluster": f"{cluster} is at “{cluster.get_stage_display()}”: a bid is "
                "prepared only at the expression of interest or bid stages."
            }
        )
    if Bid.objects.filter(cluster=cluster).exists():
        raise ValidationError({"cluster": f"{cluster} already has a bid: change that one."})
    _check_consultant(consultant)
    bid = Bid(cluster=cluster, consultant=consultant, due_on=due_on, created_by=by)
    bid.full_clean()
    changed_by(bid, by, "Bid opened")
    bid.save()
    _add_missing_assessments(bids=[bid], criteria=Criterion.objects.filter(active=True), by=by)
    return bid


@transaction.atomic
def update_bid(
    *,
    bid: Bid,
    by,
    consultant=None,
    due_on: datetime.date | None = None,
    submitted_on: datetime.date | None = None,
) -> Bid:
    """Change who tests an open bid, its deadline and the date it was (re)submitted.
    Recording the submission moves a cluster still preparing its bid to "bid submitted"."""
    bid = _locked(bid)
    _refuse_if_decided(bid, "its record")
    _check_consultant(consultant)
    _not_future(submitted_on, "submitted_on", "The date the bid was submitted")
    if bid.outcome == Outcome.DEFERRED and submitted_on is None:
        # a deferred bid was submitted once; a resubmission moves the date on
        raise ValidationError(
            {"submitted_on": "A deferred bid was submitted: enter the date it was."}
        )
    bid.consultant = consultant
    bid.due_on = due_on
    bid.submitted_on = submitted_on
    bid.full_clean()
    changed_by(bid, by)
    bid.save()
    if submitted_on and bid.cluster.stage in (Stage.EOI, Stage.BID_IN_PREPARATION):
        cluster_services.change_stage(
            cluster=bid.cluster, stage=Stage.BID_SUBMITTED, reached_on=submitted_on, by=by
        )
    return bid


@transaction.atomic
def assess(
    *,
    assessment: Assessment,
    status: str,
    by,
    evidence: str = "",
    challenge: str = "",
) -> Assessment:
    """Record how an open bid stands against one criterion. "Met" or "partly met" needs the
    evidence that shows it; every change is kept in the assessment's history."""
    bid = _locked(assessment.bid)
    _refuse_if_decided(bid, "its assessment against the criteria")
    assessment = (
        Assessment.objects.select_for_update().select_related("criterion").get(pk=assessment.pk)
    )
    if not assessment.criterion.active:
        raise ValidationError(
            f"“{assessment.criterion}” is retired: open bids are no longer tested against it."
        )
    if status not in CriterionStatus.values:
        raise ValidationError({"status": "Choose whether the criterion is met."})
    evidence = (evidence or "").strip()
    if status != CriterionStatus.NOT_MET and not evidence:
        raise ValidationError(
            {"evidence": "Give the evidence that the bid meets this criterion, even partly."}
        )
    assessment.status = status
    assessment.evidence = evidence
    assessment.challenge = (challenge or "").strip()
    assessment.updated_by = by
    assessment.full_clean()
    changed_by(assessment, by)
    assessment.save()
    return assessment


@transaction.atomic
def add_version(
    *,
    bid: Bid,
    narrative: str,
    by,
    change_note: str = "",
    dated: datetime.date | None = None,
) -> BidVersion:
    """Add the next version of the bid narrative (numbered 1, 2, ...; earlier versions stay).

    The bid row is locked, so two people saving at once get consecutive numbers."""
    bid = _locked(bid)
    _refuse_if_decided(bid, "its narrative")
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationError({"narrative": "Enter the bid narrative."})
    dated = dated or timezone.localdate()
    _not_future(dated, "dated", "The date of a version")
    latest = bid.versions.order_by("-number").first()
    if latest and dated < latest.dated:
        raise ValidationError(
            {
                "dated": f"Version {latest.number} is dated {latest.dated:%-d %B %Y}: a new "
                "version cannot be dated earlier."
            }
        )
    number = (bid.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = BidVersion(
        bid=bid,
        number=number,
        dated=dated,
        narrative=narrative,
        change_note=(change_note or "").strip(),
        written_by=by,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def record_outcome(
    *,
    bid: Bid,
    outcome: str,
    by,
    decided_on: datetime.date | None = None,
    grant_amount: Decimal | None = None,
    note: str = "",
) -> Bid:
    """Record DfE's decision on a submitted bid: funded (with the grant), not funded, or
    deferred (the bid stays open to be revised). Funded and not funded are final.

    Funding a bid records the grant on its cluster and moves a cluster still at a bid stage
    to "funded", through the clusters services."""
    bid = _locked(bid)
    if bid.outcome not in OPEN_OUTCOMES:
        raise ValidationError(
            {
                "outcome": f"DfE already decided this bid: {bid.get_outcome_display().lower()} "
                f"on {bid.outcome_on:%-d %B %Y}."
            }
        )
    if outcome not in DECISIONS:
        raise ValidationError({"outcome": "Choose DfE's decision: funded, not funded or deferred."})
    if not bid.submitted_on:
        raise ValidationError(
            {"outcome": "Record the date the bid was submitted before its outcome."}
        )
    decided_on = decided_on or timezone.localdate()
    _not_future(decided_on, "outcome_on", "The date of the decision")
    if decided_on < bid.submitted_on:
        raise ValidationError(
            {
                "outcome_on": "DfE cannot decide before the bid was submitted "
                f"({bid.submitted_on:%-d %B %Y})."
            }
        )
    if outcome == Outcome.FUNDED and not (grant_amount and grant_amount > 0):
        raise ValidationError({"grant_amount": "Enter the grant DfE awarded, in pounds."})
    if outcome != Outcome.FUNDED and grant_amount is not None:
        raise ValidationError(
            {"grant_amount": "Only a funded bid has a grant amount: leave it empty."}
        )
    bid.outcome = outcome
    bid.outcome_on = decided_on
    bid.grant_amount = grant_amount
    bid.outcome_note = (note or "").strip()
    bid.full_clean()
    changed_by(bid, by, f"Outcome: {bid.get_outcome_display().lower()}")
    bid.save()
    if outcome == Outcome.FUNDED:
        cluster_services.set_grant(cluster=bid.cluster, amount=grant_amount, by=by)
        if bid.cluster.stage in BID_STAGES:
            cluster_services.change_stage(
                cluster=bid.cluster, stage=Stage.FUNDED, reached_on=decided_on, by=by
            )
    return bid


# -- DfE's criteria ------------------------------------------------------------------------


def _open_bids():
    return Bid.objects.filter(outcome__in=OPEN_OUTCOMES)


@transaction.atomic
def save_criterion(*, criterion: Criterion, by) -> Criterion:
    """Add a criterion or change one. A new criterion goes last unless given a position, and
    every open bid gets it as "not met" (so the comparison reads what is stored)."""
    new = criterion.pk is None
    if new and not criterion.position:
        criterion.position = (Criterion.objects.aggregate(p=Max("position"))["p"] or 0) + 1
    criterion.name = (criterion.name or "").strip()
    criterion.full_clean()
    changed_by(criterion, by)
    criterion.save()
    if new and criterion.active:
        _add_missing_assessments(bids=list(_open_bids()), criteria=[criterion], by=by)
    return criterion


@transaction.atomic
def retire_criterion(*, criterion: Criterion, by) -> Criterion:
    """Stop testing open bids against a criterion. Decided bids keep their assessment."""
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if not criterion.active:
        raise ValidationError(f"“{criterion}” is already retired.")
    criterion.active = False
    changed_by(criterion, by, "Retired")
    criterion.save()
    return criterion


@transaction.atomic
def reinstate_criterion(*, criterion: Criterion, by) -> Criterion:
    """Test open bids against a retired criterion again (their earlier assessment, if any,
    comes back as it was; the others start as "not met")."""
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    if criterion.active:
        raise ValidationError(f"“{criterion}” is in use.")
    criterion.active = True
    changed_by(criterion, by, "Reinstated")
    criterion.save()
    _add_missing_assessments(bids=list(_open_bids()), criteria=[criterion], by=by)
    return criterion


@transaction.atomic
def move_criterion(*, criterion: Criterion, up: bool, by) -> Criterion:
    """Swap a criterion with the one before (``up``) or after it in DfE's order, among the
    criteria in use (or among the retired ones). Those are renumbered 1, 2, ... first, so
    equal positions cannot make a move do nothing."""
    criteria = list(
        Criterion.objects.select_for_update()
        .filter(active=criterion.active)
        .order_by("position", "name")
    )
    index = next(i for i, c in enumerate(criteria) if c.pk == criterion.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(criteria):
        raise ValidationError(f"“{criterion}” is already {'first' if up else 'last'}.")
    criteria[index], criteria[other] = criteria[other], criteria[index]
    for position, item in enumerate(criteria, start=1):
        if item.position != position:
            item.position = position
            changed_by(item, by, "Reordered")
            item.save(update_fields=["position"])
    return criteria[other]
