"""Bid pages as each role sees them: what they read, what they may change, CSV exports and
a fixed number of queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusters.models import Stage
from engagement.models import Bid, BidVersion, Criterion, CriterionStatus, Outcome
from engagement.services import bids as services
from tests.conftest import client_for
from tests.engagement.factories import open_bid
from tests.factories import ClusterFactory

ROLES = ["pm", "consultant", "lead", "dfe"]
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def criteria(db):
    """DfE's default criteria (seeded by a migration, but a transactional test elsewhere in
    the run may have flushed them)."""
    services.load_default_criteria()


@pytest.fixture
def bids(users, north_east, other_cluster):
    """The North East's bid (the lead's own, funded) and Foster4's (open, someone else's)."""
    pm = users["pm"]
    own = open_bid(cluster=north_east, by=pm, consultant=users["consultant"])
    services.add_version(bid=own, narrative="North East narrative one.", by=pm)
    services.add_version(bid=own, narrative="North East narrative two.", by=users["lead"])
    services.update_bid(bid=own, by=pm, consultant=users["consultant"], submitted_on=TODAY)
    own = services.record_outcome(
        bid=own, outcome=Outcome.FUNDED, grant_amount=Decimal("2500000"), by=pm
    )
    other = open_bid(cluster=other_cluster, by=pm)
    services.add_version(bid=other, narrative="Foster4 narrative.", by=pm)
    services.assess(
        assessment=other.assessments.get(criterion__name="Budget"),
        status=CriterionStatus.MET,
        evidence="Costed budget in annex C.",
        by=pm,
    )
    return {"own": own, "other": other}


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_bid_list_and_its_csv_within_their_scope(users, bids, role):
    client = client_for(users[role])
    page = client.get(reverse("engagement:bid_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "North East" in text
    assert ("Foster4" in text) is (role != "lead")
    rows = _csv(client.get(reverse("engagement:bid_list") + "?format=csv"))
    assert rows[0][:3] == ["Cluster", "Cluster stage", "Outcome"]
    clusters = {r[0] for r in rows[1:]}
    assert clusters == ({"North East"} if role == "lead" else {"North East", "Foster4"})
    assert ("Open a bid" in text) is (role in ("pm", "consultant"))


def test_the_bid_list_filters_by_outcome_and_sorts_by_stage(users, bids):
    client = client_for(users["dfe"])
    rows = _csv(client.get(reverse("engagement:bid_list") + "?format=csv&outcome=funded"))
    assert [r[0] for r in rows[1:]] == ["North East"]
    rows = _csv(client.get(reverse("engagement:bid_list") + "?format=csv&sort=stage"))
    assert [r[1] for r in rows[1:]] == ["Bid in preparation", "Funded"]
    met = {r[0]: r[-1] for r in rows[1:]}
    assert met == {"Foster4": "1", "North East": "0"}


def test_an_empty_bid_list_says_so(users):
    page = client_for(users["pm"]).get(reverse("engagement:bid_list"))
    assert "No bids match." in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_bid_page_of_a_bid_they_may_see(users, bids, role):
    client = client_for(users[role])
    page = client.get(reverse("engagement:bid_detail", args=[bids["own"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "North East narrative two." in text  # the latest version in full
    assert "Version 1</a>" in text  # an earlier one listed
    assert "Mockingbird intent" in text
    assert "£2,500,000" in text  # the lead's own cluster's grant
    other = client.get(reverse("engagement:bid_detail", args=[bids["other"].pk]))
    assert other.status_code == (404 if role == "lead" else 200)
    if role != "lead":
        other_text = other.content.decode()
        assert "Costed budget in annex C." in other_text
        assert ("Record DfE's decision" in other_text) is (role == "pm")
        assert ("Add a version" in other_text) is (role in ("pm", "consultant"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_earlier_narrative_versions(users, bids, role):
    client = client_for(users[role])
    page = client.get(reverse("engagement:version_detail", args=[bids["own"].pk, 1]))
    assert page.status_code == 200
    assert "North East narrative one." in page.content.decode()
    other = client.get(reverse("engagement:version_detail", args=[bids["other"].pk, 1]))
    assert other.status_code == (404 if role == "lead" else 200)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_compares_the_bids_they_may_see_against_the_criteria(users, bids, role):
    client = client_for(users[role])
    page = client.get(reverse("engagement:bid_compare"))
    assert page.status_code == 200
    text = page.content.decode()
    # status as text in a tag, not colour alone
    assert '<strong class="govuk-tag govuk-tag--red">Not met</strong>' in text
    assert ("Foster4" in text) is (role != "lead")
    rows = _csv(client.get(reverse("engagement:bid_compare") + "?format=csv"))
    header = rows[0]
    assert header[0] == "Criterion"
    assert header[1:] == (["North East"] if role == "lead" else ["Foster4", "North East"])
    by_name = {r[0]: r[1:] for r in rows[1:]}
    if role != "lead":
        assert by_name["Budget"] == ["Met", "Not met"]
        assert by_name["Met"] == ["1", "0"]
        assert by_name["Not met"] == [str(len(Criterion.objects.all()) - 1), "8"]
        assert by_name["Outcome"] == ["Awaiting decision", "Funded"]


def test_the_comparison_with_no_bids_says_so(users):
    page = client_for(users["dfe"]).get(reverse("engagement:bid_compare"))
    assert "no bids to compare" in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_criteria_and_only_a_programme_manager_changes_them(users, bids, role):
    client = client_for(users[role])
    page = client.get(reverse("engagement:criterion_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Data-sharing approach" in text
    assert ("Add a criterion" in text) is (role == "pm")
    assert ("Move up" in text) is (role == "pm")
    rows = _csv(client.get(reverse("engagement:criterion_list") + "?format=csv"))
    assert rows[0] == ["Order", "Criterion", "Guidance", "In use", "Bids tested on it"]
    assert len(rows) == 1 + Criterion.objects.count()
    budget = Criterion.objects.get(name="Budget")
    expected = 200 if role == "pm" else 403
    for name in ("criterion_create",):
        assert client.get(reverse(f"engagement:{name}")).status_code == expected
    for name in ("criterion_edit", "criterion_retire", "criterion_reinstate"):
        assert client.get(reverse(f"engagement:{name}", args=[budget.pk])).status_code == expected
    move = client.post(reverse("engagement:criterion_move", args=[budget.pk]), {"direction": "up"})
    assert move.status_code == (302 if role == "pm" else 403)


# -- changing ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_and_change_a_bid(users, bids, role):
    client = client_for(users[role])
    other = bids["other"]
    can_work = role in ("pm", "consultant")
    assessment = other.assessments.first()
    pages = [
        reverse("engagement:bid_create"),
        reverse("engagement:bid_edit", args=[other.pk]),
        reverse("engagement:assessment_edit", args=[other.pk, assessment.pk]),
        reverse("engagement:version_add", args=[other.pk]),
        reverse("engagement:bid_outcome", args=[other.pk]),
    ]
    codes = [client.get(url).status_code for url in pages]
    if role == "lead":  # not their cluster's bid: not found, except opening one
        assert codes == [403, 404, 404, 404, 404]
    else:
        assert codes == [
            200 if can_work else 403,
            200 if can_work else 403,
            200 if can_work else 403,
            200 if can_work else 403,
            200 if role == "pm" else 403,
        ]


def test_a_lead_adds_a_version_to_their_own_bid_but_changes_nothing_else(users, north_east):
    lead = users["lead"]
    bid = open_bid(cluster=north_east, by=users["pm"])
    client = client_for(lead)
    response = client.post(
        reverse("engagement:version_add", args=[bid.pk]),
        {"narrative": "Our own words.", "change_note": "Lead's draft"},
    )
    assert response.status_code == 302
    version = BidVersion.objects.get(bid=bid)
    assert (version.number, version.written_by) == (1, lead)
    assessment = bid.assessments.first()
    url = reverse("engagement:assessment_edit", args=[bid.pk, assessment.pk])
    assert client.post(url, {"status": "met", "evidence": "x"}).status_code == 403
    assert client.get(reverse("engagement:bid_outcome", args=[bid.pk])).status_code == 403
    assert client.get(reverse("engagement:bid_edit", args=[bid.pk])).status_code == 403


def test_opening_a_bid_for_a_funded_cluster_is_refused_on_the_field(users, reference):
    ClusterFactory(name="Foster Later", stage=Stage.FUNDED)
    client = client_for(users["consultant"])
    from clusters.models import Cluster

    cluster = Cluster.objects.get(name="Foster Later")
    response = client.post(reverse("engagement:bid_create"), {"cluster": cluster.pk})
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert "Foster Later is at “Funded”" in text
    assert 'id="cluster-error"' in text or "govuk-error-message" in text
    assert not Bid.objects.exists()


def test_a_consultant_opens_a_bid_and_records_an_assessment(users, reference):
    consultant = users["consultant"]
    cluster = ClusterFactory(name="Foster Soon", stage=Stage.EOI)
    client = client_for(consultant)
    response = client.post(
        reverse("engagement:bid_create"),
        {
            "cluster": cluster.pk,
            "consultant": consultant.pk,
            "due_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
        },
    )
    bid = Bid.objects.get(cluster=cluster)
    assert response.url == reverse("engagement:bid_detail", args=[bid.pk])
    assessment = bid.assessments.get(criterion__name="Lead LA agreed")
    url = reverse("engagement:assessment_edit", args=[bid.pk, assessment.pk])
    refused = client.post(url, {"status": "met", "evidence": ""})
    assert "Give the evidence" in refused.content.decode()
    client.post(url, {"status": "partly", "evidence": "Draft letter", "challenge": "Sign it"})
    page = client.get(url).content.decode()
    assert "Partly met" in page  # the history shows the change
    assert str(consultant) in page


def test_the_outcome_form_shows_the_grant_rule_on_the_field(users, bids):
    other = bids["other"]
    services.update_bid(bid=other, by=users["pm"], submitted_on=TODAY)
    client = client_for(users["pm"])
    url = reverse("engagement:bid_outcome", args=[other.pk])
    response = client.post(url, {"outcome": "funded"})
    text = response.content.decode()
    assert "Enter the grant DfE awarded, in pounds." in text
    assert "govuk-error-summary" in text
    response = client.post(url, {"outcome": "funded", "grant_amount": "1200000"})
    assert response.status_code == 302
    other.cluster.refresh_from_db()
    assert other.cluster.grant_amount == Decimal("1200000")
    assert other.cluster.stage == Stage.FUNDED


def test_a_programme_manager_adds_retires_and_reinstates_a_criterion(users, bids):
    client = client_for(users["pm"])
    response = client.post(
        reverse("engagement:criterion_create"), {"name": "Sufficiency plan", "guidance": ""}
    )
    assert response.status_code == 302
    new = Criterion.objects.get(name="Sufficiency plan")
    assert bids["other"].assessments.filter(criterion=new).exists()  # open bid
    assert not bids["own"].assessments.filter(criterion=new).exists()  # funded
    duplicate = client.post(reverse("engagement:criterion_create"), {"name": "Budget"})
    assert "There is already a criterion with this name." in duplicate.content.decode()
    confirm = client.get(reverse("engagement:criterion_retire", args=[new.pk]))
    assert "no longer be tested" in confirm.content.decode()
    client.post(reverse("engagement:criterion_retire", args=[new.pk]))
    new.refresh_from_db()
    assert not new.active
    client.post(reverse("engagement:criterion_reinstate", args=[new.pk]))
    new.refresh_from_db()
    assert new.active


def test_the_home_page_lists_bids_due_soon_for_the_delivery_partner(users, north_east):
    import datetime

    open_bid(cluster=north_east, by=users["pm"], due_on=TODAY + datetime.timedelta(days=9))
    for role, shown in (("consultant", True), ("lead", True), ("dfe", False)):
        text = client_for(users[role]).get("/").content.decode()
        assert ("Bids due for submission" in text) is shown, role


def test_the_navigation_shows_bids_to_every_role(users):
    for role in ROLES:
        text = client_for(users[role]).get(reverse("engagement:bid_list")).content.decode()
        assert 'href="/engagement/bids/"' in text


# -- a fixed number of queries ---------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url_name", ["engagement:bid_list", "engagement:bid_compare", "engagement:criterion_list"]
)
def test_list_and_comparison_pages_take_the_same_queries_for_few_and_many_bids(
    users, reference, url_name
):
    pm = users["pm"]
    client = client_for(pm)
    open_bid(by=pm, consultant=users["consultant"])
    url = reverse(url_name)
    few = _queries(client, url)
    csv_few = _queries(client, url + "?format=csv")
    for _ in range(6):
        bid = open_bid(by=pm, consultant=users["consultant"])
        services.add_version(bid=bid, narrative="Text.", by=pm)
    services.save_criterion(criterion=Criterion(name="Extra criterion"), by=pm)
    assert _queries(client, url) == few
    assert _queries(client, url + "?format=csv") == csv_few


def test_the_bid_page_takes_the_same_queries_for_few_and_many_changes(users, reference):
    pm = users["pm"]
    client = client_for(pm)
    bid = open_bid(by=pm, consultant=users["consultant"])
    services.add_version(bid=bid, narrative="One.", by=pm)
    url = reverse("engagement:bid_detail", args=[bid.pk])
    few = _queries(client, url)
    for n in range(5):
        services.add_version(bid=bid, narrative=f"Version {n}.", by=users["consultant"])
    for assessment in bid.assessments.all():
        services.assess(assessment=assessment, status=CriterionStatus.MET, evidence="Shown.", by=pm)
    services.save_criterion(criterion=Criterion(name="Extra criterion"), by=pm)
    services.update_bid(bid=bid, by=pm, consultant=users["consultant"], due_on=TODAY)
    assert _queries(client, url) == few


def test_the_first_criterion_cannot_move_up_and_the_last_cannot_move_down(users):
    text = client_for(users["pm"]).get(reverse("engagement:criterion_list")).content.decode()
    assert text.count(">Move up<") == Criterion.objects.count() - 1
    assert text.count(">Move down<") == Criterion.objects.count() - 1
    assert 'Move up<span class="govuk-visually-hidden"> Regional boundary tested' not in text
    assert 'Move down<span class="govuk-visually-hidden"> Budget' not in text
