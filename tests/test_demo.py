import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from accounts.models import Role, User
from clusters.models import Cluster
from programme.models import Contract, Milestone
from tests.snapshot import demo_snapshot

pytestmark = pytest.mark.dates


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if not m._meta.label.startswith(("sessions.", "admin.", "axes."))
    }


def test_seed_demo_builds_the_programme_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == first

    contract = Contract.objects.get()
    assert {c.label: int(c.amount) for c in contract.caps.all()}.items() >= {
        "2023-24": 650000,
        "2024-25": 350000,
    }.items()
    assert contract.end_date.year == 2028
    assert contract.history.count() == 2  # the original terms are kept
    north_east = Cluster.objects.get(slug="north-east")
    assert north_east.memberships.count() == 12
    assert Cluster.objects.filter(wave="wave_2").count() >= 3
    assert Milestone.objects.filter(cluster=None).count() == 8
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_every_demo_login_works_and_the_lapsed_consultant_is_gated(db):
    demo_snapshot.seed()
    for email in [
        "pm@example.org",
        "consultant@example.org",
        "lead.northeast@example.org",
        "dfe@example.org",
    ]:
        client = Client()
        response = client.post(
            "/account/sign-in/", {"username": email, "password": "fostering-demo"}
        )
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200
    assert User.objects.get(email="lead.northeast@example.org").cluster.slug == "north-east"
    assert User.objects.get(email="lapsed@example.org").data_access_problems()
    assert not User.objects.get(email="consultant@example.org").data_access_problems()
