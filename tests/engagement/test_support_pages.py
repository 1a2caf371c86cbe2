"""Technical support pages for each role: who sees which requests, who may take each step,
that a cluster lead never sees money, the CSV, the home panels and fixed query counts."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.models import SupportStatus
from tests.conftest import client_for
from tests.engagement.factories import support_request_through
from tests.timesheets import conftest as timesheet_fixtures
from tests.timesheets.conftest import JUNE, log, weekdays
from timesheets import services as timesheets

ROLES = ["pm", "consultant", "lead", "dfe"]

# graded staff and a contract, so that time can be logged (the timesheets fixtures)
consultant = timesheet_fixtures.consultant
contract = timesheet_fixtures.contract
director = timesheet_fixtures.director
pm = timesheet_fixtures.pm
senior = timesheet_fixtures.senior


@pytest.fixture
def people(pm, consultant, lead, dfe):
    return {"pm": pm, "consultant": consultant, "lead": lead, "dfe": dfe}


@pytest.fixture
def requests(north_east, other_cluster, people):
    """One request of each state in the North East, and one approved in another cluster."""
    made = {
        status: support_request_through(
            status,
            cluster=north_east,
            lead=people["lead"],
            consultant=people["consultant"],
            pm=people["pm"],
            title=f"North East {status}",
        )
        for status in ["requested", "diagnosed", "approved", "declined", "closed"]
    }
    made["other"] = support_request_through(
        "approved",
        cluster=other_cluster,
        lead=people["pm"],
        consultant=people["consultant"],
        pm=people["pm"],
        title="Foster4 approved",
    )
    return made


def _approved_time(request, consultant, pm, days: list) -> None:
    """Approved R3 time against the request, one day per date."""
    for day in days:
        entry = log(
            consultant,
            day=day,
            days="0.25",
            cluster=request.cluster,
            requirement="R3",
            activity="technical",
            support_request=request,
        )
        timesheets.submit_entry(entry_id=entry.pk, by=consultant)
        timesheets.approve_entry(entry_id=entry.pk, by=pm)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _time_table(page: str) -> str:
    """The table of time drawing the request down, from the request's page."""
    return page[page.index('id="time"') : page.index("</table>", page.index('id="time"'))]


# -- who sees which requests ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_list_and_its_csv_show_each_role_what_it_may_see(role, people, requests):
    client = client_for(people[role])
    page = client.get(reverse("engagement:support_list"))
    rows = _csv(client.get(reverse("engagement:support_list") + "?format=csv"))

    assert page.status_code == 200
    titles = {row[3] for row in rows[1:]}
    assert rows[0] == [
        "Reference",
        "Cluster",
        "Type",
        "What",
        "Status",
        "Needed by",
        "Days approved",
        "Days used",
        "Days left",
    ]
    if role == "lead":
        assert "Foster4 approved" not in titles and len(titles) == 5
        assert "Foster4 approved" not in page.content.decode()
    else:
        assert "Foster4 approved" in titles and len(titles) == 6
    approved = next(r for r in rows if r[3] == "North East approved")
    assert approved[6:] == ["3", "0", "3"]


def test_the_list_filters_by_status_cluster_and_kind(pm, requests, north_east):
    client = client_for(pm)
    url = reverse("engagement:support_list")

    by_status = _csv(client.get(url, {"status": "approved", "format": "csv"}))
    by_cluster = _csv(client.get(url, {"cluster": north_east.pk, "format": "csv"}))
    by_kind = _csv(client.get(url, {"kind": "website", "format": "csv"}))

    assert {r[3] for r in by_status[1:]} == {"North East approved", "Foster4 approved"}
    assert len(by_cluster) == 6
    assert by_kind == [by_kind[0]]
    assert (
        "No technical-support requests match."
        in client.get(url, {"kind": "website"}).content.decode()
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_request_page_for_each_role(role, people, requests):
    client = client_for(people[role])
    own = client.get(reverse("engagement:support_detail", args=[requests["approved"].pk]))
    other = client.get(reverse("engagement:support_detail", args=[requests["other"].pk]))

    assert own.status_code == 200
    assert other.status_code == (404 if role == "lead" else 200)
    text = own.content.decode()
    assert ("Approve days" in text) is False  # already approved
    assert ("Close with an outcome" in text) == (role in ("pm", "consultant"))
    assert ("Log R3 time against it" in text) == (role in ("pm", "consultant"))


STEPS = {
    # step: (the request state it applies to, roles that may take it)
    "support_diagnose": ("requested", {"pm", "consultant"}),
    "support_approve": ("diagnosed", {"pm"}),
    "support_decline": ("diagnosed", {"pm"}),
    "support_close": ("approved", {"pm", "consultant"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_is_offered_only_to_who_may_take_it(role, step, people, requests):
    state, allowed = STEPS[step]
    client = client_for(people[role])

    response = client.get(reverse(f"engagement:{step}", args=[requests[state].pk]))

    assert response.status_code == (200 if role in allowed else 403)
    if role == "lead":  # another cluster's request is not found at all
        other = client.get(reverse(f"engagement:{step}", args=[requests["other"].pk]))
        assert other.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_may_raise_a_request(role, people, north_east):
    response = client_for(people[role]).get(reverse("engagement:support_create"))

    assert response.status_code == (403 if role == "dfe" else 200)


def test_a_lead_never_sees_money_and_the_delivery_partner_sees_the_cost_of_time(
    people, requests, contract
):
    request = requests["approved"]
    _approved_time(request, people["consultant"], people["pm"], weekdays(JUNE, 2))
    url = reverse("engagement:support_detail", args=[request.pk])

    pages = {role: client_for(people[role]).get(url).content.decode() for role in ROLES}

    assert "£" not in pages["lead"] and "Cost" not in pages["lead"]
    assert "0.5 days" in pages["lead"]  # but the days used, and the entries themselves
    assert _time_table(pages["lead"]).count("Callum Consultant") == 2
    for role in ("pm", "consultant", "dfe"):
        assert "£200.00" in pages[role], role  # a quarter day at £800


def test_a_consultant_sees_no_one_elses_draft_on_the_request_page(
    people, requests, contract, senior
):
    from tests.factories import UserFactory

    other = UserFactory(role="consultant", grade=senior, first_name="Dana", last_name="Draft")
    log(
        other,
        days="0.5",
        cluster=requests["approved"].cluster,
        requirement="R3",
        activity="technical",
        support_request=requests["approved"],
    )
    url = reverse("engagement:support_detail", args=[requests["approved"].pk])

    mine = client_for(people["consultant"]).get(url).content.decode()
    theirs = client_for(other).get(url).content.decode()

    assert "Dana Draft" not in _time_table(mine)
    assert "0.5 days (3.75 hours), of which 0.5 days not yet approved" in mine
    assert "Dana Draft" in _time_table(theirs)


# -- home panels ----------------------------------------------------------------------------


def test_home_panels_show_each_role_what_waits_for_them(people, requests):
    pages = {role: client_for(people[role]).get("/").content.decode() for role in ROLES}

    assert "1 request awaiting your approval" in pages["pm"]
    assert "North East diagnosed" in pages["pm"]
    assert "1 request awaiting diagnosis" in pages["consultant"]
    assert "North East requested" in pages["consultant"]
    assert "3 requests open for your cluster" in pages["lead"]
    assert "3 of 3 days left" in pages["lead"]
    assert "Foster4 approved" not in pages["lead"]
    assert "Technical support</h2>" not in pages["dfe"]
    for role in ROLES:  # and the way in: Engagement in the navigation, then its sub-navigation
        assert ">Engagement<" in pages[role].replace("\n", "").replace("  ", "")
        engagement = client_for(people[role]).get(reverse("engagement:bid_list"))
        assert reverse("engagement:support_list") in engagement.content.decode()


# -- a fixed number of queries --------------------------------------------------------------


def _queries(client, url) -> int:
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_csv_and_home_cost_the_same_queries_with_more_requests(
    people, north_east, contract
):
    def more(n):
        for i in range(n):
            request = support_request_through(
                "approved",
                cluster=north_east,
                lead=people["lead"],
                consultant=people["consultant"],
                pm=people["pm"],
                title=f"Request {i}",
            )
            support_request_through(
                "diagnosed",
                cluster=north_east,
                lead=people["lead"],
                consultant=people["consultant"],
                pm=people["pm"],
            )
            support_request_through(
                "requested",
                cluster=north_east,
                lead=people["lead"],
                consultant=people["consultant"],
                pm=people["pm"],
            )
            _approved_time(request, people["consultant"], people["pm"], [weekdays(JUNE, 12)[i]])

    more(1)
    urls = [
        reverse("engagement:support_list"),
        reverse("engagement:support_list") + "?format=csv",
        "/",
    ]
    clients = {role: client_for(people[role]) for role in ROLES}
    few = {(r, u): _queries(clients[r], u) for r in ROLES for u in urls}
    more(8)
    many = {(r, u): _queries(clients[r], u) for r in ROLES for u in urls}

    assert many == few


def test_the_request_page_costs_the_same_queries_with_more_time(people, requests, contract):
    request = requests["approved"]
    url = reverse("engagement:support_detail", args=[request.pk])
    days = weekdays(JUNE, 10)
    _approved_time(request, people["consultant"], people["pm"], days[:1])
    clients = {role: client_for(people[role]) for role in ROLES}
    few = {role: _queries(clients[role], url) for role in ROLES}

    _approved_time(request, people["consultant"], people["pm"], days[1:])
    request.refresh_from_db()

    many = {role: _queries(clients[role], url) for role in ROLES}
    assert many == few
    assert request.status == SupportStatus.APPROVED
    assert Decimal("2.5") == sum(e.days for e in request.time_entries.all())


def test_whole_tens_of_days_read_as_numbers_on_the_panel_and_in_the_csv(people, north_east):
    support_request_through(
        "approved",
        cluster=north_east,
        lead=people["lead"],
        consultant=people["consultant"],
        pm=people["pm"],
        proposed="10",
        approved="10",
    )

    home = client_for(people["lead"]).get("/").content.decode()
    rows = _csv(client_for(people["lead"]).get(reverse("engagement:support_list") + "?format=csv"))

    assert "10 of 10 days left" in home
    assert rows[1][6:] == ["10", "0", "10"]
