import os

import pytest
from django.test import Client

from accounts.models import Role
from clusters.services import load_reference_data
from tests.factories import ClusterFactory, UserFactory, authorities

# Browser tests drive a sync Playwright inside pytest's event loop; Django must allow
# that in tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

NORTH_EAST = [
    "County Durham",
    "Darlington",
    "Gateshead",
    "Hartlepool",
    "Middlesbrough",
    "Newcastle upon Tyne",
    "North Tyneside",
    "Northumberland",
    "Redcar and Cleveland",
    "South Tyneside",
    "Stockton-on-Tees",
    "Sunderland",
]


@pytest.fixture
def reference(db):
    """The real regions and upper-tier LAs."""
    return load_reference_data()


@pytest.fixture
def north_east(reference):
    la = authorities(*NORTH_EAST)
    return ClusterFactory(
        name="North East",
        slug="north-east",
        wave="pathfinder",
        members=la,
        lead_la=la[NORTH_EAST.index("Sunderland")],
    )


@pytest.fixture
def other_cluster(reference):
    return ClusterFactory(
        name="Foster4",
        slug="foster4",
        members=authorities("Warrington", "Cheshire East", "Halton"),
    )


@pytest.fixture
def pm(db):
    return UserFactory(role=Role.PROGRAMME_MANAGER, email="pm@test.example.org")


@pytest.fixture
def consultant(db):
    return UserFactory(role=Role.CONSULTANT, email="consultant@test.example.org")


@pytest.fixture
def lead(north_east):
    return UserFactory(
        role=Role.CLUSTER_LEAD,
        cluster=north_east,
        email="lead@test.example.org",
        bpss_date=None,
        data_protection_training_date=None,
    )


@pytest.fixture
def dfe(db):
    return UserFactory(
        role=Role.DFE_READER,
        email="dfe@test.example.org",
        bpss_date=None,
        data_protection_training_date=None,
    )


@pytest.fixture
def users(pm, consultant, lead, dfe):
    return {"pm": pm, "consultant": consultant, "lead": lead, "dfe": dfe}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
