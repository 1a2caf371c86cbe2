"""The demo bids: one for each wave-2 cluster, as the 2023 round went, seeded once."""

import pytest

from clusters.models import Cluster, Wave
from engagement.demo import bids as demo
from engagement.models import Assessment, Bid, BidVersion, Outcome
from tests.snapshot import demo_snapshot

pytestmark = pytest.mark.dates


def _counts():
    return (
        Bid.objects.count(),
        Assessment.objects.count(),
        BidVersion.objects.count(),
        Bid.history.count(),
        Assessment.history.count(),
    )


def test_the_demo_has_a_bid_for_each_wave_2_cluster_and_a_second_seed_changes_nothing(db):
    demo_snapshot.seed()
    first = _counts()
    demo.seed()
    assert _counts() == first

    wave_2 = set(Cluster.objects.filter(wave=Wave.WAVE_2).values_list("pk", flat=True))
    assert set(Bid.objects.values_list("cluster_id", flat=True)) == wave_2
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert statuses == {"met", "partly", "not_met"}
    versions = {b.versions.count() for b in Bid.objects.all()}
    assert versions <= {1, 2, 3} and len(versions) > 1
    # funded bids carry their cluster's grant; two were deferred before they were funded
    for bid in Bid.objects.select_related("cluster"):
        assert bid.outcome == Outcome.FUNDED
        assert bid.grant_amount == bid.cluster.grant_amount
    deferred_first = {record.id for record in Bid.history.filter(outcome=Outcome.DEFERRED)}
    assert len(deferred_first) == 2
