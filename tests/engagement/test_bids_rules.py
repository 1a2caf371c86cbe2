"""The rules of bids and DfE's criteria, as the services hold them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clusters.models import Stage, StageChange
from engagement.models import Assessment, Bid, Criterion, CriterionStatus, Outcome
from engagement.selectors import bids as selectors
from engagement.services import bids as services
from engagement.services.bids import DEFAULT_CRITERIA
from tests.engagement.factories import open_bid
from tests.factories import ClusterFactory

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def criteria(db):
    """DfE's default criteria (seeded by a migration, but a transactional test elsewhere in
    the run may have flushed them)."""
    services.load_default_criteria()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


def submitted(bid, by, on=None):
    return services.update_bid(
        bid=bid, by=by, consultant=bid.consultant, due_on=bid.due_on, submitted_on=on or days(-10)
    )


# -- DfE's criteria ------------------------------------------------------------------------


def test_the_default_criteria_are_seeded_in_dfe_order(db):
    # the migration 0002_bids_default_criteria calls the same loader
    assert list(Criterion.objects.values_list("name", flat=True)) == [
        name for name, _ in DEFAULT_CRITERIA
    ]
    assert "Mockingbird intent" in Criterion.objects.values_list("name", flat=True)
    services.load_default_criteria()  # a second load adds nothing
    assert Criterion.objects.count() == len(DEFAULT_CRITERIA)


def test_a_criterion_added_later_is_not_met_on_open_bids_only(pm):
    pending = open_bid(by=pm)
    deferred = open_bid(by=pm)
    submitted(deferred, pm)
    services.record_outcome(bid=deferred, outcome=Outcome.DEFERRED, by=pm)
    funded = open_bid(by=pm)
    submitted(funded, pm)
    services.record_outcome(bid=funded, outcome=Outcome.FUNDED, grant_amount=Decimal(10), by=pm)

    new = services.save_criterion(criterion=Criterion(name="Sufficiency plan"), by=pm)

    assert new.position == len(DEFAULT_CRITERIA) + 1  # goes last
    for bid in (pending, deferred):
        assessment = bid.assessments.get(criterion=new)
        assert assessment.status == CriterionStatus.NOT_MET
        assert assessment.history.get().history_user == pm
    assert not funded.assessments.filter(criterion=new).exists()
    data = selectors.comparison(selectors.bids_for_user(pm))
    row = next(r for r in data["rows"] if r["criterion"] == new)
    labels = {b.pk: c["label"] for b, c in zip(data["bids"], row["cells"], strict=True)}
    assert labels[pending.pk] == "Not met"
    assert labels[funded.pk] == "Not tested (added after the decision)"


def test_a_retired_criterion_leaves_open_bids_and_stays_on_decided_ones(pm):
    budget = Criterion.objects.get(name="Budget")
    open_one = open_bid(by=pm)
    decided = open_bid(by=pm)
    for bid in (open_one, decided):
        services.assess(
            assessment=bid.assessments.get(criterion=budget),
            status=CriterionStatus.MET,
            evidence="Costed in annex B.",
            by=pm,
        )
    submitted(decided, pm)
    decided = services.record_outcome(bid=decided, outcome=Outcome.NOT_FUNDED, by=pm)

    services.retire_criterion(criterion=budget, by=pm)

    listed = {b.pk: b for b in selectors.bid_list(pm)}
    assert listed[open_one.pk].met_count == 0
    assert listed[open_one.pk].criteria_count == len(DEFAULT_CRITERIA) - 1
    assert listed[decided.pk].met_count == 1
    assert listed[decided.pk].criteria_count == len(DEFAULT_CRITERIA)
    assert budget not in [a.criterion for a in selectors.bid_detail(open_one)["assessments"]]
    assert budget in [a.criterion for a in selectors.bid_detail(decided)["assessments"]]
    # the open bid's assessment is kept, not deleted, and it cannot be changed any more
    assessment = open_one.assessments.get(criterion=budget)
    with pytest.raises(ValidationError, match="retired"):
        services.assess(assessment=assessment, status=CriterionStatus.NOT_MET, by=pm)
    with pytest.raises(ValidationError, match="already retired"):
        services.retire_criterion(criterion=budget, by=pm)


def test_reinstating_a_criterion_brings_back_the_earlier_assessment(pm):
    budget = Criterion.objects.get(name="Budget")
    bid = open_bid(by=pm)
    services.assess(
        assessment=bid.assessments.get(criterion=budget),
        status=CriterionStatus.PARTLY,
        evidence="Draft budget.",
        by=pm,
    )
    services.retire_criterion(criterion=budget, by=pm)
    later = open_bid(by=pm)  # opened while Budget was retired
    assert not later.assessments.filter(criterion=budget).exists()

    services.reinstate_criterion(criterion=budget, by=pm)

    assert bid.assessments.get(criterion=budget).status == CriterionStatus.PARTLY
    assert later.assessments.get(criterion=budget).status == CriterionStatus.NOT_MET


def test_a_criterion_name_is_unique(pm):
    with pytest.raises(ValidationError) as excinfo:
        services.save_criterion(criterion=Criterion(name="Budget"), by=pm)
    assert "name" in field_errors(excinfo)


def test_moving_a_criterion_swaps_it_with_its_neighbour(pm):
    names = lambda: list(Criterion.objects.values_list("name", flat=True))  # noqa: E731
    before = names()
    services.move_criterion(criterion=Criterion.objects.get(name=before[1]), up=True, by=pm)
    assert names()[:2] == [before[1], before[0]]
    services.move_criterion(criterion=Criterion.objects.get(name=before[1]), up=False, by=pm)
    assert names() == before
    with pytest.raises(ValidationError, match="already first"):
        services.move_criterion(criterion=Criterion.objects.get(name=before[0]), up=True, by=pm)


# -- opening a bid -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.EOI, Stage.BID_IN_PREPARATION, Stage.BID_SUBMITTED])
def test_a_bid_opens_at_the_eoi_and_bid_stages_with_each_active_criterion(pm, stage):
    Criterion.objects.filter(name="Budget").update(active=False)
    cluster = ClusterFactory(stage=stage)
    bid = services.create_bid(cluster=cluster, by=pm, due_on=days(20))
    assert bid.outcome == Outcome.PENDING
    assert sorted(bid.assessments.values_list("criterion__name", flat=True)) == sorted(
        n for n, _ in DEFAULT_CRITERIA if n != "Budget"
    )
    assert set(bid.assessments.values_list("status", flat=True)) == {CriterionStatus.NOT_MET}


@pytest.mark.parametrize("stage", [Stage.FUNDED, Stage.HUB_BEING_SET_UP, Stage.HUB_LIVE])
def test_a_bid_is_refused_for_a_cluster_past_the_bid_stages(pm, stage):
    cluster = ClusterFactory(stage=stage, name="Foster Late")
    with pytest.raises(ValidationError) as excinfo:
        services.create_bid(cluster=cluster, by=pm)
    assert "Foster Late is at" in field_errors(excinfo)["cluster"][0]
    assert not Bid.objects.exists()


def test_a_cluster_has_one_bid(pm):
    bid = open_bid(by=pm)
    with pytest.raises(ValidationError) as excinfo:
        services.create_bid(cluster=bid.cluster, by=pm)
    assert "already has a bid" in field_errors(excinfo)["cluster"][0]


def test_only_the_delivery_partner_tests_a_bid(pm, lead):
    with pytest.raises(ValidationError) as excinfo:
        open_bid(by=pm, consultant=lead)
    assert "consultant" in field_errors(excinfo)


def test_recording_the_submission_moves_the_cluster_to_bid_submitted(pm):
    bid = open_bid(by=pm)
    submitted(bid, pm, on=days(-3))
    bid.cluster.refresh_from_db()
    assert bid.cluster.stage == Stage.BID_SUBMITTED
    assert StageChange.objects.get(cluster=bid.cluster).reached_on == days(-3)
    with pytest.raises(ValidationError) as excinfo:
        submitted(bid, pm, on=days(1))
    assert "future" in field_errors(excinfo)["submitted_on"][0]


# -- assessments ---------------------------------------------------------------------------


def test_met_or_partly_met_needs_evidence(pm):
    assessment = open_bid(by=pm).assessments.first()
    for status in (CriterionStatus.MET, CriterionStatus.PARTLY):
        with pytest.raises(ValidationError) as excinfo:
            services.assess(assessment=assessment, status=status, evidence="  ", by=pm)
        assert "evidence" in field_errors(excinfo)
    services.assess(assessment=assessment, status=CriterionStatus.NOT_MET, by=pm)


def test_each_change_to_an_assessment_is_kept_with_who_made_it(pm, consultant):
    assessment = open_bid(by=pm).assessments.first()
    services.assess(
        assessment=assessment,
        status=CriterionStatus.PARTLY,
        evidence="Letters from 9 of 12 DCSs.",
        challenge="Three DCS letters missing.",
        by=consultant,
    )
    services.assess(
        assessment=assessment, status=CriterionStatus.MET, evidence="All 12 letters.", by=pm
    )
    records = list(assessment.history.order_by("-history_date", "-pk"))
    assert [(r.status, r.history_user) for r in records[:2]] == [
        (CriterionStatus.MET, pm),
        (CriterionStatus.PARTLY, consultant),
    ]
    assessment.refresh_from_db()
    assert assessment.updated_by == pm
    assert assessment.challenge == ""


def test_a_decided_bid_keeps_its_assessments_and_narrative(pm):
    bid = open_bid(by=pm)
    services.add_version(bid=bid, narrative="Our hub.", by=pm)
    submitted(bid, pm)
    services.record_outcome(bid=bid, outcome=Outcome.NOT_FUNDED, by=pm)
    with pytest.raises(ValidationError, match="decided"):
        services.assess(assessment=bid.assessments.first(), status=CriterionStatus.NOT_MET, by=pm)
    with pytest.raises(ValidationError, match="decided"):
        services.add_version(bid=bid, narrative="Changed afterwards.", by=pm)
    with pytest.raises(ValidationError, match="decided"):
        submitted(bid, pm, on=TODAY)


# -- narrative versions ----------------------------------------------------------------------


def test_versions_are_numbered_in_turn_and_earlier_ones_stay(pm, lead):
    bid = open_bid(by=pm)
    first = services.add_version(bid=bid, narrative="One.", dated=days(-20), by=pm)
    second = services.add_version(bid=bid, narrative="Two.", dated=days(-10), by=lead)
    third = services.add_version(bid=bid, narrative="Three.", change_note="Budget", by=pm)
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert third.dated == TODAY
    assert list(bid.versions.values_list("narrative", flat=True)) == ["Three.", "Two.", "One."]
    detail = selectors.bid_detail(bid)
    assert detail["latest"] == third
    assert detail["earlier"] == [second, first]
    assert second.written_by == lead


def test_a_version_cannot_be_dated_before_the_latest_or_in_the_future(pm):
    bid = open_bid(by=pm)
    services.add_version(bid=bid, narrative="One.", dated=days(-5), by=pm)
    with pytest.raises(ValidationError) as excinfo:
        services.add_version(bid=bid, narrative="Two.", dated=days(-6), by=pm)
    assert "Version 1 is dated" in field_errors(excinfo)["dated"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.add_version(bid=bid, narrative="Two.", dated=days(1), by=pm)
    assert "future" in field_errors(excinfo)["dated"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.add_version(bid=bid, narrative="   ", by=pm)
    assert "narrative" in field_errors(excinfo)


# -- outcome -------------------------------------------------------------------------------


def test_funded_needs_a_grant_and_the_others_have_none(pm):
    bid = open_bid(by=pm)
    submitted(bid, pm)
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(bid=bid, outcome=Outcome.FUNDED, by=pm)
    assert field_errors(excinfo)["grant_amount"] == ["Enter the grant DfE awarded, in pounds."]
    for outcome in (Outcome.NOT_FUNDED, Outcome.DEFERRED):
        with pytest.raises(ValidationError) as excinfo:
            services.record_outcome(bid=bid, outcome=outcome, grant_amount=Decimal(5), by=pm)
        assert "leave it empty" in field_errors(excinfo)["grant_amount"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(bid=bid, outcome=Outcome.PENDING, by=pm)
    assert "outcome" in field_errors(excinfo)


def test_an_outcome_needs_a_submitted_bid_and_a_date_after_it(pm):
    bid = open_bid(by=pm)
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(bid=bid, outcome=Outcome.NOT_FUNDED, by=pm)
    assert "submitted" in field_errors(excinfo)["outcome"][0]
    submitted(bid, pm, on=days(-10))
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(bid=bid, outcome=Outcome.NOT_FUNDED, decided_on=days(-11), by=pm)
    assert "before the bid was submitted" in field_errors(excinfo)["outcome_on"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(bid=bid, outcome=Outcome.NOT_FUNDED, decided_on=days(1), by=pm)
    assert "future" in field_errors(excinfo)["outcome_on"][0]


def test_funding_a_bid_records_the_grant_and_the_stage_on_the_cluster(pm):
    bid = open_bid(by=pm)
    submitted(bid, pm, on=days(-30))
    services.record_outcome(
        bid=bid, outcome=Outcome.FUNDED, grant_amount=Decimal("1600000"), decided_on=days(-2), by=pm
    )
    cluster = bid.cluster
    cluster.refresh_from_db()
    assert cluster.grant_amount == Decimal("1600000")
    assert cluster.stage == Stage.FUNDED
    assert cluster.stage_changes.order_by("-reached_on").first().reached_on == days(-2)
    grant_record = cluster.history.filter(history_change_reason__startswith="Grant").get()
    assert grant_record.history_user == pm
    bid.refresh_from_db()
    assert (bid.outcome, bid.outcome_on) == (Outcome.FUNDED, days(-2))
    assert bid.history.first().history_change_reason == "Outcome: funded"


def test_a_deferred_bid_stays_open_and_a_final_decision_is_final(pm):
    bid = open_bid(by=pm)
    submitted(bid, pm, on=days(-30))
    services.record_outcome(bid=bid, outcome=Outcome.DEFERRED, decided_on=days(-20), by=pm)
    # deferred: revised, tested again and resubmitted
    services.add_version(bid=bid, narrative="Revised.", by=pm)
    with pytest.raises(ValidationError) as excinfo:
        services.update_bid(bid=bid, by=pm, submitted_on=None)
    assert "submitted_on" in field_errors(excinfo)
    submitted(bid, pm, on=days(-5))
    services.assess(
        assessment=bid.assessments.first(), status=CriterionStatus.MET, evidence="Now.", by=pm
    )
    services.record_outcome(
        bid=bid, outcome=Outcome.FUNDED, grant_amount=Decimal(100), decided_on=days(-1), by=pm
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(bid=bid, outcome=Outcome.NOT_FUNDED, by=pm)
    assert "already decided" in field_errors(excinfo)["outcome"][0]


def test_the_database_refuses_a_grant_without_funding(pm):
    from django.db import IntegrityError, transaction

    bid = open_bid(by=pm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.filter(pk=bid.pk).update(grant_amount=Decimal(5))


def test_bids_due_soon_are_the_open_unsubmitted_ones_in_the_next_four_weeks(pm):
    soon = open_bid(by=pm, due_on=days(10))
    open_bid(by=pm, due_on=days(40))
    open_bid(by=pm, due_on=days(-1))
    done = open_bid(by=pm, due_on=days(5))
    submitted(done, pm)
    assert selectors.bids_due_soon(pm) == [soon]


def test_assessments_are_not_duplicated_when_a_criterion_is_reinstated_twice(pm):
    bid = open_bid(by=pm)
    budget = Criterion.objects.get(name="Budget")
    services.retire_criterion(criterion=budget, by=pm)
    services.reinstate_criterion(criterion=budget, by=pm)
    assert Assessment.objects.filter(bid=bid, criterion=budget).count() == 1
    with pytest.raises(ValidationError, match="in use"):
        services.reinstate_criterion(criterion=budget, by=pm)


def test_a_criterion_moves_among_those_in_use_past_a_retired_one(pm):
    names = list(Criterion.objects.values_list("name", flat=True))
    services.retire_criterion(criterion=Criterion.objects.get(name=names[1]), by=pm)
    services.move_criterion(criterion=Criterion.objects.get(name=names[2]), up=True, by=pm)
    in_use = list(Criterion.objects.filter(active=True).values_list("name", flat=True))
    assert in_use[:2] == [names[2], names[0]]
    ends = selectors.criteria_ends()
    assert ends[(True, "up")] == Criterion.objects.get(name=names[2]).pk
    assert ends[(False, "up")] == ends[(False, "down")] == Criterion.objects.get(name=names[1]).pk
