"""Technical support drawn down on request: the issue's check, each rule of the flow and
of the draw-down, and what R3 time against a request does to its days."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from engagement.models import SupportRequest, SupportStatus
from engagement.selectors.support import support_for_user
from engagement.services import support as services
from tests.conftest import client_for
from tests.engagement.factories import support_request_through
from tests.factories import UserFactory
from tests.timesheets import conftest as timesheet_fixtures
from tests.timesheets.conftest import JUNE, log, submitted, weekdays
from timesheets import services as timesheets
from timesheets.models import Requirement, TimeEntry

# graded staff and a contract, so that time can be logged (the timesheets fixtures)
consultant = timesheet_fixtures.consultant
contract = timesheet_fixtures.contract
director = timesheet_fixtures.director
pm = timesheet_fixtures.pm
senior = timesheet_fixtures.senior


@pytest.fixture
def colleague(senior):
    return UserFactory(role=Role.CONSULTANT, grade=senior, first_name="Alex", last_name="Other")


def _through(status, north_east, lead, consultant, pm, **kwargs):
    return support_request_through(
        status, cluster=north_east, lead=lead, consultant=consultant, pm=pm, **kwargs
    )


def r3(consultant, request, day=JUNE, days="1", **extra):
    """R3 time drawing the request down, logged as the consultant would."""
    return log(
        consultant,
        day=day,
        days=days,
        cluster=extra.pop("cluster", request.cluster),
        requirement=extra.pop("requirement", Requirement.R3),
        activity="technical",
        description="Data-sharing agreement workshop",
        support_request=request,
        **extra,
    )


def _days(request) -> tuple:
    request = support_for_user(request.requested_by).get(pk=request.pk)
    return request.approved_days, request.days_used, request.days_left


# -- the issue's check --------------------------------------------------------------------


def test_the_issue_check_3_days_approved_and_2_logged_leave_1(
    north_east, lead, consultant, pm, contract
):
    # the North East lead raises a request
    response = client_for(lead).post(
        reverse("engagement:support_create"),
        {
            "cluster": north_east.pk,
            "kind": "data_sharing",
            "title": "Share enquiry data between the twelve LAs",
            "reason": "Enquirers who contact two LAs are counted twice.",
            "needed_by": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    )
    request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert request.status == SupportStatus.REQUESTED and request.requested_by == lead
    # a consultant diagnoses it
    client_for(consultant).post(
        reverse("engagement:support_diagnose", args=[request.pk]),
        {"diagnosis": "An agreement and a weekly matching job.", "proposed_days": "3"},
    )
    # the programme manager approves 3 days
    client_for(pm).post(
        reverse("engagement:support_approve", args=[request.pk]),
        {"approved_days": "3", "approval_reason": ""},
    )
    request.refresh_from_db()
    assert request.status == SupportStatus.APPROVED and request.approved_days == 3
    # 2 days of R3 time logged against it
    for day in weekdays(JUNE, 2):
        client_for(consultant).post(
            reverse("timesheets:entry_create"),
            {
                "date": day.isoformat(),
                "cluster": north_east.pk,
                "requirement": "R3",
                "activity": "technical",
                "duration": "1",
                "unit": "days",
                "description": "Matching job set-up",
                "support_request": request.pk,
            },
        )
    assert TimeEntry.objects.filter(support_request=request).count() == 2

    assert _days(request) == (3, 2, 1)
    page = client_for(lead).get(reverse("engagement:support_detail", args=[request.pk]))
    text = page.content.decode()
    assert "Days left</dt>" in text
    assert "1 day (7.50 hours)" in text  # left
    assert "2 days (15.00 hours)" in text  # used
    # every step is in the history, with who
    who = list(request.history.order_by("history_date").values_list("history_user", flat=True))
    assert who == [lead.pk, consultant.pk, pm.pk]


# -- the flow -----------------------------------------------------------------------------


def test_approving_more_days_than_proposed_needs_a_reason_on_approval_reason(
    north_east, lead, consultant, pm
):
    request = _through("diagnosed", north_east, lead, consultant, pm, proposed="3")

    with pytest.raises(ValidationError) as refused:
        services.approve(request_id=request.pk, by=pm, approved_days=Decimal("4"))

    assert refused.value.message_dict["approval_reason"] == [
        "Say why you approve 4 days: 3 days were proposed."
    ]
    request.refresh_from_db()
    assert request.status == SupportStatus.DIAGNOSED
    services.approve(
        request_id=request.pk, by=pm, approved_days=Decimal("4"), reason="Training a fourth day"
    )
    request.refresh_from_db()
    assert request.approved_days == 4 and request.approval_reason == "Training a fourth day"


def test_the_form_shows_the_missing_reason_on_its_field(north_east, lead, consultant, pm):
    request = _through("diagnosed", north_east, lead, consultant, pm, proposed="2")

    response = client_for(pm).post(
        reverse("engagement:support_approve", args=[request.pk]),
        {"approved_days": "5", "approval_reason": ""},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["approval_reason"] == ["Say why you approve 5 days: 2 days were proposed."]
    assert "govuk-error-summary" in response.content.decode()


def test_the_database_refuses_extra_days_without_a_reason(north_east, lead, consultant, pm):
    request = _through("diagnosed", north_east, lead, consultant, pm, proposed="2")

    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRequest.objects.filter(pk=request.pk).update(
            approved_days=Decimal("5"), approval_reason=""
        )


def test_approving_twice_is_refused_the_second_time_with_what_happened(
    north_east, lead, consultant, pm
):
    request = _through("approved", north_east, lead, consultant, pm)

    with pytest.raises(ValidationError) as refused:
        services.approve(request_id=request.pk, by=pm, approved_days=Decimal("9"))

    assert "TS-" in refused.value.messages[0]
    assert "has already been approved: someone else did it first" in refused.value.messages[0]
    request.refresh_from_db()
    assert request.approved_days == 3


@pytest.mark.parametrize(
    "status, step",
    [
        ("requested", "approve"),  # not diagnosed yet
        ("requested", "close"),
        ("approved", "diagnose"),  # backwards
        ("approved", "decline"),
        ("closed", "close"),
        ("declined", "diagnose"),
    ],
)
def test_status_only_moves_forward(status, step, north_east, lead, consultant, pm):
    request = _through(status, north_east, lead, consultant, pm)
    calls = {
        "approve": lambda: services.approve(request_id=request.pk, by=pm, approved_days=1),
        "close": lambda: services.close(request_id=request.pk, by=pm, outcome="Done"),
        "diagnose": lambda: services.diagnose(
            request_id=request.pk, by=consultant, diagnosis="Again", proposed_days=2
        ),
        "decline": lambda: services.decline(request_id=request.pk, by=pm, reason="No"),
    }

    with pytest.raises(ValidationError) as refused:
        calls[step]()

    assert "Nothing was changed." in refused.value.messages[0]
    assert SupportRequest.objects.get(pk=request.pk).status == status


def test_a_conflicting_step_in_the_browser_shows_why_and_changes_nothing(
    north_east, lead, consultant, pm
):
    request = _through("diagnosed", north_east, lead, consultant, pm)
    page = client_for(pm).get(reverse("engagement:support_decline", args=[request.pk]))
    assert page.status_code == 200
    services.approve(request_id=request.pk, by=pm, approved_days=Decimal("3"))

    response = client_for(pm).post(
        reverse("engagement:support_decline", args=[request.pk]), {"approval_reason": "No"}
    )

    assert response.status_code == 200
    assert "is approved, so it cannot be declined now" in response.content.decode()
    assert SupportRequest.objects.get(pk=request.pk).status == SupportStatus.APPROVED


def test_declining_needs_a_reason_and_keeps_it(north_east, lead, consultant, pm):
    request = _through("requested", north_east, lead, consultant, pm)
    with pytest.raises(ValidationError) as refused:
        services.decline(request_id=request.pk, by=pm, reason="  ")
    assert "approval_reason" in refused.value.message_dict

    services.decline(request_id=request.pk, by=pm, reason="Out of the contract's scope")

    page = client_for(lead).get(reverse("engagement:support_detail", args=[request.pk]))
    assert "Out of the contract&#x27;s scope" in page.content.decode()


def test_closing_needs_an_outcome(north_east, lead, consultant, pm):
    request = _through("approved", north_east, lead, consultant, pm)
    response = client_for(pm).post(
        reverse("engagement:support_close", args=[request.pk]), {"outcome": ""}
    )
    assert response.context["form"].errors["outcome"] == ["Say what the support achieved."]

    client_for(consultant).post(
        reverse("engagement:support_close", args=[request.pk]), {"outcome": "Agreement signed"}
    )
    request.refresh_from_db()
    assert request.status == SupportStatus.CLOSED and request.closed_by == consultant


def test_a_lead_requests_for_their_own_cluster_only(north_east, other_cluster, lead):
    with pytest.raises(ValidationError) as refused:
        services.request_support(
            by=lead,
            cluster=other_cluster,
            kind="website",
            title="A website",
            reason="For the hub",
            needed_by=timezone.localdate() + datetime.timedelta(days=9),
        )
    assert "own cluster" in refused.value.message_dict["cluster"][0]
    # the form offers only their cluster
    page = client_for(lead).get(reverse("engagement:support_create"))
    choices = [c for c, _ in page.context["form"].fields["cluster"].choices if c]
    assert [c.value for c in choices] == [north_east.pk]


def test_a_request_needed_in_the_past_is_refused_on_needed_by(north_east, lead):
    response = client_for(lead).post(
        reverse("engagement:support_create"),
        {
            "cluster": north_east.pk,
            "kind": "website",
            "title": "A website",
            "reason": "For the hub",
            "needed_by": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.context["form"].errors["needed_by"] == [
        "The date it is needed by cannot be in the past."
    ]
    assert not SupportRequest.objects.exists()


def test_only_the_right_roles_take_each_step(north_east, lead, consultant, pm, dfe):
    request = _through("requested", north_east, lead, consultant, pm)
    with pytest.raises(PermissionDenied):
        services.diagnose(request_id=request.pk, by=lead, diagnosis="x", proposed_days=1)
    services.diagnose(request_id=request.pk, by=consultant, diagnosis="x", proposed_days=1)
    with pytest.raises(PermissionDenied):
        services.approve(request_id=request.pk, by=consultant, approved_days=1)
    with pytest.raises(PermissionDenied):
        services.request_support(
            by=dfe,
            cluster=north_east,
            kind="website",
            title="t",
            reason="r",
            needed_by=timezone.localdate(),
        )


# -- drawing down with R3 time --------------------------------------------------------------


@pytest.mark.parametrize(
    "status, why",
    [
        ("requested", "has not been diagnosed and approved yet"),
        ("diagnosed", "has not been approved yet"),
        ("declined", "was declined"),
        ("closed", "is closed"),
    ],
)
def test_time_is_refused_on_a_request_that_is_not_approved(
    status, why, north_east, lead, consultant, pm, contract
):
    request = _through(status, north_east, lead, consultant, pm)

    with pytest.raises(ValidationError) as refused:
        r3(consultant, request)

    message = refused.value.message_dict["support_request"][0]
    assert f"{request.reference} {why}" in message
    assert not TimeEntry.objects.exists()


def test_only_r3_time_draws_a_request_down(north_east, lead, consultant, pm, contract):
    request = _through("approved", north_east, lead, consultant, pm)

    with pytest.raises(ValidationError) as refused:
        r3(consultant, request, requirement=Requirement.R2)

    assert "Only R3" in refused.value.message_dict["support_request"][0]


def test_the_request_must_be_the_entrys_cluster(
    north_east, other_cluster, lead, consultant, pm, contract
):
    request = _through("approved", north_east, lead, consultant, pm)

    with pytest.raises(ValidationError) as refused:
        r3(consultant, request, cluster=other_cluster)

    assert "is for North East" in refused.value.message_dict["support_request"][0]


def test_time_past_the_approved_days_is_refused_with_days_and_hours_left(
    north_east, lead, consultant, colleague, pm, contract
):
    request = _through("approved", north_east, lead, consultant, pm, approved="2")
    first, second = weekdays(JUNE, 2)
    r3(consultant, request, day=first, days="1")
    r3(colleague, request, day=first, days="0.5")  # a draft counts: it reserves its days

    with pytest.raises(ValidationError) as refused:
        r3(consultant, request, day=second, days="1")

    assert refused.value.message_dict["support_request"] == [
        f"That would pass the 2 days approved for {request.reference}: 0.5 days (3.75 hours) left."
    ]
    r3(consultant, request, day=second, days="0.5")  # exactly what is left fits
    assert _days(request) == (2, 2, 0)


def test_changing_a_draft_does_not_count_its_own_days_twice(
    north_east, lead, consultant, pm, contract
):
    request = _through("approved", north_east, lead, consultant, pm, approved="1")
    entry = r3(consultant, request, days="0.5")

    timesheets.save_entry(
        consultant=consultant,
        entry=entry,
        date=JUNE,
        cluster=north_east,
        requirement="R3",
        activity="technical",
        days=Decimal("1"),
        description="A longer workshop",
        support_request=request,
    )

    assert _days(request) == (1, 1, 0)


def test_every_status_counts_and_a_rejected_entry_counts_until_deleted(
    north_east, lead, consultant, pm, contract
):
    request = _through("approved", north_east, lead, consultant, pm, approved="3")
    days = weekdays(JUNE, 3)
    entry = submitted(
        consultant,
        days[0],
        cluster=north_east,
        requirement="R3",
        activity="technical",
        support_request=request,
    )
    approved = timesheets.approve_entry(entry_id=entry.pk, by=pm)
    rejected = submitted(
        consultant,
        days[1],
        cluster=north_east,
        requirement="R3",
        activity="technical",
        support_request=request,
    )
    timesheets.reject_entry(entry_id=rejected.pk, by=pm, reason="Wrong day")
    r3(consultant, request, day=days[2])

    used = support_for_user(pm).get(pk=request.pk)
    assert (used.days_used, used.days_pending, used.days_left) == (3, 2, 0)
    assert approved.status == "approved"
    timesheets.delete_entry(entry_id=rejected.pk, by=consultant)
    assert _days(request) == (3, 2, 1)


def test_a_draft_on_a_request_closed_since_cannot_be_submitted(
    north_east, lead, consultant, pm, contract
):
    request = _through("approved", north_east, lead, consultant, pm)
    entry = r3(consultant, request)
    services.close(request_id=request.pk, by=pm, outcome="Done early")

    with pytest.raises(ValidationError) as refused:
        timesheets.submit_entry(entry_id=entry.pk, by=consultant)

    assert "is closed" in refused.value.message_dict["support_request"][0]


def test_the_entry_form_offers_approved_requests_and_shows_the_refusal_on_its_field(
    north_east, lead, consultant, pm, contract
):
    approved = _through("approved", north_east, lead, consultant, pm, approved="1")
    waiting = _through("diagnosed", north_east, lead, consultant, pm, title="Waiting")
    client = client_for(consultant)
    form = client.get(reverse("timesheets:entry_create")).context["form"]
    offered = [c.value for c, _ in form.fields["support_request"].choices if c]
    assert offered == [approved.pk]
    assert waiting.pk not in offered

    r3(consultant, approved, days="1")
    response = client.post(
        reverse("timesheets:entry_create"),
        {
            "date": weekdays(JUNE, 2)[1].isoformat(),
            "cluster": north_east.pk,
            "requirement": "R3",
            "activity": "technical",
            "duration": "3.75",
            "unit": "hours",
            "description": "More work",
            "support_request": approved.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["support_request"] == [
        f"That would pass the 1 day approved for {approved.reference}: 0 days (0 hours) left."
    ]


def test_an_entrys_page_links_its_request(north_east, lead, consultant, pm, contract):
    request = _through("approved", north_east, lead, consultant, pm)
    entry = r3(consultant, request)

    page = client_for(consultant).get(reverse("timesheets:entry_detail", args=[entry.pk]))

    assert reverse("engagement:support_detail", args=[request.pk]) in page.content.decode()
