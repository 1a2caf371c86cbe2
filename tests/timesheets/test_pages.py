"""Every page for every role: who gets in, what is not found, and that a cluster lead never
sees money. Pages keep a fixed query budget whatever the number of entries."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clock import FIXED_DAY
from tests.conftest import client_for
from timesheets import services
from timesheets.models import Activity, Status, TimeEntry

from .conftest import JUNE, approved, log, submitted

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)

ROLES = ["pm", "consultant", "lead", "dfe"]


@pytest.fixture
def world(users, colleague, north_east, other_cluster):
    pm, consultant = users["pm"], users["consultant"]
    ne = approved(consultant, pm, JUNE, cluster=north_east)
    elsewhere = approved(consultant, pm, JUNE + datetime.timedelta(days=1), cluster=other_cluster)
    services.issue_invoice(month=JUNE, by=pm)
    ne.refresh_from_db()
    return {
        "invoiced": ne,
        "elsewhere": elsewhere,
        "invoice": ne.invoice,
        "approved": approved(consultant, pm, datetime.date(2024, 7, 1), cluster=north_east),
        "submitted": submitted(consultant, datetime.date(2024, 7, 2), cluster=north_east),
        "draft": log(consultant, datetime.date(2024, 7, 3), cluster=north_east),
        "colleague_draft": log(colleague, datetime.date(2024, 7, 3), cluster=north_east),
    }


def _url(name, world, *args):
    resolved = [world[a].pk if isinstance(a, str) and a in world else a for a in args]
    return reverse(f"timesheets:{name}", args=resolved)


EVERYONE = set(ROLES)
STAFF = {"pm", "consultant"}
SPEND = {"pm", "dfe"}
PAGES = [
    ("entry_list", (), EVERYONE, ""),
    ("entry_list", (), EVERYONE, "?format=csv"),
    ("week", (), STAFF, ""),
    ("entry_create", (), STAFF, ""),
    ("entry_detail", ("invoiced",), EVERYONE, ""),
    ("entry_edit", ("draft",), {"consultant"}, ""),
    ("entry_delete", ("draft",), {"consultant"}, ""),
    ("entry_reject", ("submitted",), {"pm"}, ""),
    ("entry_return", ("approved",), {"pm"}, ""),
    ("entry_adjust", ("invoiced",), STAFF, ""),
    ("approvals", (), {"pm"}, ""),
    ("approvals", (), {"pm"}, "?format=csv"),
    ("allocation", (), {"pm", "dfe", "lead"}, ""),
    ("allocation", (), {"pm", "dfe", "lead"}, "?format=csv&fy=2024"),
    ("burn_up", (), SPEND, ""),
    ("burn_up", (), SPEND, "?cap=total&format=csv"),
    ("invoice_list", (), SPEND, ""),
    ("invoice_list", (), SPEND, "?format=csv"),
    ("invoice_new", (), {"pm"}, ""),
    ("invoice_preview", ("2024-07",), {"pm"}, ""),
    ("invoice_issue", ("2024-07",), {"pm"}, ""),
    ("invoice_detail", ("invoice",), SPEND, ""),
    ("invoice_download", ("invoice", "pdf"), SPEND, ""),
    ("invoice_download", ("invoice", "csv"), SPEND, ""),
    ("invoice_download", ("invoice", "xlsx"), SPEND, ""),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed", "query"), PAGES)
def test_each_page_lets_in_only_the_roles_that_may_use_it(
    users, world, role, name, args, allowed, query
):
    response = client_for(users[role]).get(_url(name, world, *args) + query)

    assert response.status_code == (200 if role in allowed else 403), response.status_code


@pytest.mark.parametrize(
    ("role", "entry", "status"),
    [
        ("consultant", "colleague_draft", 404),  # another consultant's draft
        ("dfe", "draft", 404),  # drafts are not published time
        ("dfe", "submitted", 404),
        ("lead", "draft", 404),
        ("lead", "elsewhere", 404),  # another cluster's support
        ("lead", "invoiced", 200),
        ("pm", "colleague_draft", 200),
    ],
)
def test_an_entry_someone_may_not_see_is_not_found(users, world, role, entry, status):
    assert client_for(users[role]).get(_url("entry_detail", world, entry)).status_code == status


def test_a_missing_invoice_is_not_found(users, world):
    assert (
        client_for(users["pm"]).get(reverse("timesheets:invoice_detail", args=[999])).status_code
        == 404
    )


def test_the_index_sends_each_role_where_it_works(users, world):
    where = {role: client_for(users[role]).get(reverse("timesheets:index")).url for role in ROLES}

    assert where == {
        "pm": reverse("timesheets:approvals"),
        "consultant": reverse("timesheets:week"),
        "lead": reverse("timesheets:allocation"),
        "dfe": reverse("timesheets:allocation"),
    }


def test_a_cluster_lead_sees_their_clusters_hours_and_never_money(users, world):
    client = client_for(users["lead"])
    pages = {
        "home": client.get(reverse("core:home")),
        "list": client.get(reverse("timesheets:entry_list")),
        "csv": client.get(reverse("timesheets:entry_list") + "?format=csv"),
        "detail": client.get(_url("entry_detail", world, "invoiced")),
        "allocation": client.get(reverse("timesheets:allocation") + "?fy=2024"),
        "allocation csv": client.get(reverse("timesheets:allocation") + "?fy=2024&format=csv"),
    }

    for name, response in pages.items():
        body = response.content.decode("utf-8-sig")
        assert response.status_code == 200, name
        assert "£" not in body and "Cost" not in body and "day rate" not in body.lower(), name
        assert "Foster4" not in body, name
    assert "North East" in pages["csv"].content.decode("utf-8-sig")
    assert "7.50" in pages["list"].content.decode()  # the hours of a day of support
    assert "Support your cluster received" in pages["home"].content.decode()


def test_a_consultant_sees_only_their_own_time_and_totals(users, world):
    body = client_for(users["consultant"]).get(reverse("timesheets:entry_list") + "?format=csv")
    rows = body.content.decode("utf-8-sig").splitlines()

    assert len(rows) == 1 + 5  # the consultant's five entries, none of the colleague's
    page = client_for(users["consultant"]).get(reverse("timesheets:entry_list")).content.decode()
    assert "Your days by status" in page


def test_the_navigation_shows_each_role_its_timesheet_pages(users, world):
    nav = {
        role: client_for(users[role]).get(reverse("core:home")).content.decode() for role in ROLES
    }

    assert 'href="/timesheets/"' in nav["pm"] and 'href="/timesheets/"' in nav["consultant"]
    assert 'href="/timesheets/"' in nav["dfe"]
    assert "Support received" in nav["lead"] and 'href="/timesheets/"' not in nav["lead"]


# -- query budgets ------------------------------------------------------------------------


def _bulk(consultants, clusters, *, months: int, status=Status.APPROVED, pm=None):
    """Many approved entries quickly (the rules are tested elsewhere)."""
    entries = []
    day = datetime.date(2023, 6, 1)
    for _ in range(months * 20):
        day += datetime.timedelta(days=1)
        for i, consultant in enumerate(consultants):
            entries.append(
                TimeEntry(
                    consultant=consultant,
                    date=day,
                    cluster=clusters[i % len(clusters)],
                    requirement=["R1", "R2", "R3"][day.day % 3],
                    activity=Activity.COACHING,
                    days=Decimal("0.5"),
                    description="Bulk",
                    status=status,
                    grade_id=consultant.grade_id,
                    day_rate=Decimal("800"),
                    cost=Decimal("400"),
                    approved_by=pm,
                    approved_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
                )
            )
    TimeEntry.objects.bulk_create(entries)


QUERY_PAGES = [
    ("pm", "timesheets:entry_list", ""),
    ("pm", "timesheets:entry_list", "?format=csv"),
    ("pm", "timesheets:approvals", ""),
    ("pm", "timesheets:allocation", "?fy=2023"),
    ("pm", "timesheets:burn_up", ""),
    ("pm", "timesheets:invoice_list", ""),
    ("pm", "timesheets:invoice_preview", "2024-06"),
    ("pm", "core:home", ""),
    ("consultant", "timesheets:week", "?start=2023-07-03"),
    ("consultant", "timesheets:entry_list", ""),
    ("consultant", "core:home", ""),
    ("lead", "timesheets:allocation", "?fy=2023"),
    ("lead", "core:home", ""),
]


def _count(client, name, query):
    if name == "timesheets:invoice_preview":
        url = reverse(name, args=[query])
    else:
        url = reverse(name) + query
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_use_the_same_number_of_queries_with_few_or_many_entries(
    users, colleague, north_east, other_cluster
):
    pm, consultant = users["pm"], users["consultant"]
    clients = {role: client_for(users[role]) for role in ("pm", "consultant", "lead")}
    _bulk([consultant, colleague], [north_east, other_cluster], months=1, pm=pm)
    _bulk([consultant], [north_east], months=1, status=Status.SUBMITTED)
    few = {(r, n, q): _count(clients[r], n, q) for r, n, q in QUERY_PAGES}

    _bulk([consultant, colleague], [north_east, other_cluster], months=12, pm=pm)
    _bulk([consultant], [north_east, other_cluster], months=6, status=Status.SUBMITTED)
    many = {(r, n, q): _count(clients[r], n, q) for r, n, q in QUERY_PAGES}

    assert many == few


@pytest.mark.parametrize("role", ["programme_manager", "consultant", "cluster_lead"])
def test_the_home_page_works_before_a_contract_is_set_up(db, north_east, role):
    from tests.factories import UserFactory

    user = UserFactory(role=role, cluster=north_east if role == "cluster_lead" else None)

    home = client_for(user).get(reverse("core:home"))

    assert home.status_code == 200 and "Approved cost has passed" not in home.content.decode()
