"""The demo's technical support: a request in every state across clusters including the
North East, time drawing down the approved and closed ones within their days, seeded once."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from engagement.models import SupportRequest
from engagement.selectors.support import with_days
from tests.conftest import client_for
from tests.snapshot import demo_snapshot
from timesheets.models import Status, TimeEntry

pytestmark = pytest.mark.dates


def test_the_demo_has_requests_in_every_state_drawn_down_within_their_days(db):
    demo_snapshot.seed()
    requests = list(with_days(SupportRequest.objects.select_related("cluster")))
    linked = TimeEntry.objects.filter(support_request__isnull=False)
    before = (len(requests), linked.count(), SupportRequest.history.count())

    assert {r.status for r in requests} == {
        "requested",
        "diagnosed",
        "approved",
        "declined",
        "closed",
    }
    assert len({r.cluster_id for r in requests}) >= 3
    north_east = [r for r in requests if r.cluster.slug == "north-east"]
    assert {r.status for r in north_east} >= {"requested", "approved"}
    for request in requests:
        if request.status in ("approved", "closed"):
            assert 0 < request.days_used <= request.approved_days, request
        else:
            assert request.days_used == 0, request
    approved = next(r for r in north_east if r.status == "approved")
    assert 0 < approved.days_left < approved.approved_days  # some days used, some left
    # every linked entry obeys the draw-down rule, and none is invoiced (that never changes)
    for entry in linked.select_related("support_request"):
        assert entry.requirement == "R3"
        assert entry.cluster_id == entry.support_request.cluster_id
        assert entry.status != Status.INVOICED

    call_command("seed_demo", verbosity=0)
    assert (
        SupportRequest.objects.count(),
        linked.count(),
        SupportRequest.history.count(),
    ) == before
    lead = User.objects.get(email="lead.northeast@example.org")
    page = client_for(lead).get(reverse("engagement:support_detail", args=[approved.pk]))
    assert page.status_code == 200 and "£" not in page.content.decode()
