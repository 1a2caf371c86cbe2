"""Reads of bids and DfE's criteria, scoped to who asks: the delivery partner and DfE read
every bid; a cluster lead their own cluster's only.

A bid is counted against the criteria *in force* for it: an open bid against the active
criteria, a decided bid against every criterion it was tested on (retired or not)."""

import datetime

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.permissions import is_cluster_lead, is_delivery_partner, is_dfe_reader
from clusters.models import STAGE_ORDER

from ..models import Assessment, Bid, BidVersion, Criterion, CriterionStatus, Outcome
from ..services.bids import OPEN_OUTCOMES

# an assessment counts for its bid if its criterion is active or the bid is decided
IN_FORCE = Q(assessments__criterion__active=True) | ~Q(outcome__in=OPEN_OUTCOMES)


class BidQuerySet(QuerySet):
    def with_counts(self):
        """Criteria met, partly met and not met (and in force), the cluster's stage order for
        sorting, and the latest narrative version, as annotations (one query for the list)."""
        in_force = IN_FORCE
        latest = BidVersion.objects.filter(bid=OuterRef("pk")).order_by("-number")
        return self.annotate(
            met_count=Count(
                "assessments", filter=in_force & Q(assessments__status=CriterionStatus.MET)
            ),
            partly_count=Count(
                "assessments", filter=in_force & Q(assessments__status=CriterionStatus.PARTLY)
            ),
            not_met_count=Count(
                "assessments", filter=in_force & Q(assessments__status=CriterionStatus.NOT_MET)
            ),
            criteria_count=Count("assessments", filter=in_force),
            stage_order=Case(
                *[When(cluster__stage=s, then=Value(i)) for i, s in enumerate(STAGE_ORDER)],
                output_field=IntegerField(),
            ),
            latest_version=Subquery(latest.values("number")[:1]),
            latest_version_on=Subquery(latest.values("dated")[:1]),
        )

    def open(self):
        return self.filter(outcome__in=OPEN_OUTCOMES)


def bids_for_user(user) -> BidQuerySet:
    """The bids a user may see (with cluster and consultant): the delivery partner and DfE
    all; a cluster lead their own cluster's."""
    bids = BidQuerySet(model=Bid).select_related("cluster", "consultant")
    if is_delivery_partner(user) or is_dfe_reader(user):
        return bids
    if is_cluster_lead(user):
        return bids.filter(cluster_id=user.cluster_id)
    return bids.none()


def bid_list(user) -> BidQuerySet:
    """The bid list: counts annotated, by cluster name (one query)."""
    return bids_for_user(user).with_counts().order_by("cluster__name")


def bid_detail(bid: Bid) -> dict:
    """A bid's assessments in force (criterion, who last changed it) in DfE's order, the
    narrative versions newest first, and the bid's own history (a fixed number of
    queries)."""
    from core.history import history_rows

    assessments = bid.assessments.select_related("criterion", "updated_by").order_by(
        "criterion__position", "criterion__name"
    )
    if bid.outcome in OPEN_OUTCOMES:
        assessments = assessments.filter(criterion__active=True)
    versions = list(bid.versions.select_related("written_by").order_by("-number"))
    return {
        "assessments": list(assessments),
        "latest": versions[0] if versions else None,
        "earlier": versions[1:],
        "history": history_rows(bid),
    }


def assessment_for_user(user, bid_pk: int, pk: int) -> Assessment | None:
    """One assessment of a bid the user may see, or None."""
    return (
        Assessment.objects.select_related("criterion", "bid__cluster")
        .filter(bid__in=bids_for_user(user), bid_id=bid_pk, pk=pk)
        .first()
    )


def comparison(bids: BidQuerySet) -> dict:
    """Bids side by side against the criteria (three queries whatever the numbers).

    Rows are the active criteria, then the retired ones some decided bid was tested on;
    each cell is the bid's status, or why it has none: an open bid is not tested against a
    retired criterion, a decided bid against one added after its decision."""
    columns = list(bids.with_counts().order_by("cluster__name"))
    status = {
        (a["bid_id"], a["criterion_id"]): a["status"]
        for a in Assessment.objects.filter(bid__in=[b.pk for b in columns]).values(
            "bid_id", "criterion_id", "status"
        )
    }
    decided = {b.pk for b in columns if b.outcome not in OPEN_OUTCOMES}
    tested_retired = {c for (b, c) in status if b in decided}
    criteria = [
        c
        for c in Criterion.objects.order_by("-active", "position", "name")
        if c.active or c.pk in tested_retired
    ]
    labels = dict(CriterionStatus.choices)
    rows = []
    for criterion in criteria:
        cells = []
        for bid in columns:
            value = status.get((bid.pk, criterion.pk))
            if value is not None and (criterion.active or bid.pk in decided):
                cells.append({"status": value, "label": labels[value]})
            elif not criterion.active:
                cells.append({"status": None, "label": "Not tested (retired)"})
            else:
                cells.append({"status": None, "label": "Not tested (added after the decision)"})
        rows.append({"criterion": criterion, "cells": cells})
    return {"bids": columns, "rows": rows}


def comparison_csv_rows(data: dict) -> tuple[list[str], list[list]]:
    """The comparison as a header and rows for a spreadsheet (criteria down, bids across,
    then the counts and the outcome)."""
    header = ["Criterion", *[b.cluster.name for b in data["bids"]]]
    rows = [
        [
            row["criterion"].name + ("" if row["criterion"].active else " (retired)"),
            *[c["label"] for c in row["cells"]],
        ]
        for row in data["rows"]
    ]
    rows.append(["Met", *[b.met_count for b in data["bids"]]])
    rows.append(["Partly met", *[b.partly_count for b in data["bids"]]])
    rows.append(["Not met", *[b.not_met_count for b in data["bids"]]])
    rows.append(["Outcome", *[b.get_outcome_display() for b in data["bids"]]])
    return header, rows


def bids_due_soon(user, today: datetime.date | None = None, weeks: int = 4) -> list[Bid]:
    """Open bids the user may see, not yet submitted, due within ``weeks`` (soonest first;
    one query)."""
    today = today or timezone.localdate()
    return list(
        bids_for_user(user)
        .filter(
            outcome=Outcome.PENDING,
            submitted_on__isnull=True,
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(weeks=weeks),
        )
        .order_by("due_on", "cluster__name")[:10]
    )


def criteria_list() -> QuerySet:
    """DfE's criteria in their order, with the number of bids tested on each."""
    return Criterion.objects.annotate(bid_count=Count("assessments")).order_by(
        "-active", "position", "name"
    )


def criteria_ends() -> dict:
    """``{(active, "up"): pk of the first, (active, "down"): pk of the last}`` for the
    criteria in use and the retired ones: the rows that cannot move further (one query)."""
    ends: dict = {}
    for pk, active in Criterion.objects.order_by("position", "name").values_list("pk", "active"):
        ends.setdefault((active, "up"), pk)
        ends[(active, "down")] = pk
    return ends
