import datetime
import os

import pytest
from django.test import Client

from accounts.models import Role
from clusters.services import load_reference_data
from tests.clock import LONDON
from tests.factories import ClusterFactory, UserFactory, authorities

# Browser tests drive a sync Playwright inside pytest's event loop; Django must allow
# that in tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The clock is an input. `--today YYYY-MM-DD` runs the whole suite as if it were that day:
# time-machine moves the process's clock there before anything is imported or seeded, and
# it ticks on from 09:00 London time, so a run never crosses midnight. A single test that
# needs a particular day says so with `@pytest.mark.time_machine(...)`, which nests inside.
CLOCK_STARTS_AT = datetime.time(9, 0)


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        help="run every test as if today were this date (the clock starts at 09:00 London time)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "dates: turns on the calendar (financial years, caps, late returns, report drafting, "
        "reminders, invoices, demo seeding); CI runs these again on the days that matter",
    )
    value = config.getoption("--today")
    if not value:
        return
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--today {value!r} is not a date in the form YYYY-MM-DD") from None
    import time_machine

    config._clock = time_machine.travel(
        datetime.datetime.combine(day, CLOCK_STARTS_AT, tzinfo=LONDON), tick=True
    )
    config._clock.start()


def pytest_unconfigure(config):
    if clock := getattr(config, "_clock", None):
        clock.stop()


def pytest_report_header(config):
    value = config.getoption("--today")
    today = datetime.date.today()
    if value:
        return f"clock: today is {today:%A %-d %B %Y} (--today {value})"
    return f"clock: the real date, {today:%A %-d %B %Y}"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: what one test kept (a funnel, a page's list of
    changes) was computed from data that test's rollback removed."""
    from django.core.cache import cache

    cache.clear()


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
    """A client signed in as the user, with the second factor given (an authenticator app
    confirmed for them), as a person is after the sign-in's two steps."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import mfa

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa.required(user):
        device = TOTPDevice.objects.filter(user=user, name=mfa.APP, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name=mfa.APP, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
