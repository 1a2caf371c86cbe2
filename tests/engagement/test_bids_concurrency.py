"""Two people acting on a bid at the same moment (PostgreSQL, real row locks, one
connection per thread): versions get consecutive numbers and a cluster gets one bid."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from clusters.models import Stage
from engagement.models import Bid, BidVersion
from engagement.services import bids as services
from tests.engagement.factories import open_bid
from tests.factories import ClusterFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PEOPLE = 6


def _at_once(work) -> list[str]:
    outcomes, barrier = [], threading.Barrier(PEOPLE)

    def run(n):
        barrier.wait()
        try:
            work(n)
            outcomes.append("done")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")


def test_versions_saved_at_the_same_moment_get_consecutive_numbers(pm, reference):
    services.load_default_criteria()
    bid = open_bid(by=pm)
    outcomes = _at_once(lambda n: services.add_version(bid=bid, narrative=f"Draft {n}", by=pm))
    assert outcomes == ["done"] * PEOPLE
    numbers = sorted(BidVersion.objects.filter(bid=bid).values_list("number", flat=True))
    assert numbers == list(range(1, PEOPLE + 1))


def test_a_cluster_opened_by_several_people_at_once_gets_one_bid(pm, reference):
    services.load_default_criteria()
    cluster = ClusterFactory(stage=Stage.EOI)
    outcomes = _at_once(lambda n: services.create_bid(cluster=cluster, by=pm))
    assert outcomes.count("done") == 1
    assert all("already has a bid" in o for o in outcomes if o != "done")
    assert Bid.objects.filter(cluster=cluster).count() == 1
    assert Bid.objects.get(cluster=cluster).assessments.count() == 8
