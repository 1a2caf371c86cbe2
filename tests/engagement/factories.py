"""Factories for engagement's records (users and clusters come from tests.factories)."""

import datetime

import factory
from django.utils import timezone

from engagement.models import (
    Action,
    Bid,
    Criterion,
    Meeting,
    MeetingKind,
    MeetingStatus,
    SupportKind,
    SupportRequest,
)
from tests.factories import ClusterFactory, UserFactory


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Criterion {n}")
    position = factory.Sequence(lambda n: n)


class BidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bid

    cluster = factory.SubFactory(ClusterFactory, stage="bid_in_preparation")


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest

    cluster = factory.SubFactory(ClusterFactory)
    kind = SupportKind.WEBSITE
    title = "A regional recruitment website"
    reason = "The hub needs one front door for enquiries."
    needed_by = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    requested_by = factory.SubFactory(UserFactory)
    requested_on = factory.LazyFunction(timezone.localdate)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = MeetingKind.DFE_WEEKLY
    held_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    status = MeetingStatus.HELD


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


# -- bids (part "bids") ------------------------------------------------------------------


def open_bid(*, cluster=None, by=None, **kwargs) -> Bid:
    """A bid opened through the service, so it has its assessments (the cluster is moved to
    "bid in preparation" first)."""
    from clusters.models import Stage
    from engagement.services.bids import create_bid

    cluster = cluster or ClusterFactory()
    if cluster.stage not in (Stage.EOI, Stage.BID_IN_PREPARATION, Stage.BID_SUBMITTED):
        type(cluster).objects.filter(pk=cluster.pk).update(stage=Stage.BID_IN_PREPARATION)
        cluster.refresh_from_db()
    return create_bid(cluster=cluster, by=by or UserFactory(), **kwargs)


def support_request_through(
    status: str, *, cluster, lead, consultant, pm, proposed="3", approved="3", **fields
) -> SupportRequest:
    """A support request taken through the services to ``status`` (requested, diagnosed,
    approved, declined or closed), so it has the history a real one would."""
    from decimal import Decimal

    from engagement.services import support as services

    request = services.request_support(
        by=lead,
        cluster=cluster,
        kind=fields.pop("kind", SupportKind.DATA_SHARING),
        title=fields.pop("title", "Share enquiry data between the LAs"),
        reason=fields.pop("reason", "Enquirers are counted twice."),
        needed_by=fields.pop("needed_by", timezone.localdate() + datetime.timedelta(days=30)),
    )
    if status == "requested":
        return request
    if status == "declined":
        return services.decline(request_id=request.pk, by=pm, reason="Out of scope")
    request = services.diagnose(
        request_id=request.pk,
        by=consultant,
        diagnosis="A data-sharing agreement and a common extract.",
        proposed_days=Decimal(proposed),
    )
    if status == "diagnosed":
        return request
    request = services.approve(request_id=request.pk, by=pm, approved_days=Decimal(approved))
    if status == "approved":
        return request
    return services.close(request_id=request.pk, by=pm, outcome="Agreement signed by all.")


# -- meetings and actions (part "meetings") --------------------------------------------


def attended_meeting(*attendees, **fields) -> Meeting:
    """A held meeting with these users among its attendees."""
    meeting = MeetingFactory(**fields)
    meeting.attendees.set(attendees)
    return meeting
