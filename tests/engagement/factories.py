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


# -- meetings and actions (part "meetings") --------------------------------------------


def attended_meeting(*attendees, **fields) -> Meeting:
    """A held meeting with these users among its attendees."""
    meeting = MeetingFactory(**fields)
    meeting.attendees.set(attendees)
    return meeting
