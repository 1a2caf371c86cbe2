"""The delivery partner accepts several submitted returns at once (issue 18), with the
same rules as one by one, all or none; the home page says how many wait."""

import datetime

import pytest

from clusters.models import LocalAuthority
from pipeline.models import MonthlyReturn, ReturnStatus
from pipeline.services import save_return, submit_return
from pipeline.services.returns import ReturnCounts
from tests.clock import FIXED_DAY
from tests.conftest import client_for

pytestmark = pytest.mark.time_machine(FIXED_DAY)


def _submitted(lead, name, month):
    counts = ReturnCounts()
    counts.stages["enquiry"] = 5
    saved, _ = save_return(
        local_authority=LocalAuthority.objects.get(name=name),
        month=month,
        counts=counts,
        user=lead,
    )
    return submit_return(monthly_return=saved, user=lead)


@pytest.fixture
def waiting(users, north_east):
    return [
        _submitted(users["lead"], name, datetime.date(2026, 9, 1))
        for name in ("Gateshead", "Sunderland", "Darlington")
    ]


def test_the_home_page_says_how_many_returns_wait_and_the_list_accepts_the_ticked(users, waiting):
    pm = client_for(users["pm"])
    home = pm.get("/").content.decode()
    assert "3 monthly returns submitted and waiting for acceptance" in home
    page = pm.get("/pipeline/returns/?status=submitted").content.decode()
    assert page.count('form="accept-form"') == 4  # three boxes and the button
    response = pm.post(
        "/pipeline/returns/accept/",
        {"return": [waiting[0].pk, waiting[1].pk], "next": "/pipeline/returns/?status=submitted"},
    )
    assert response["Location"] == "/pipeline/returns/?status=submitted"
    statuses = dict(MonthlyReturn.objects.values_list("local_authority__name", "status"))
    assert statuses == {
        "Gateshead": ReturnStatus.ACCEPTED,
        "Sunderland": ReturnStatus.ACCEPTED,
        "Darlington": ReturnStatus.SUBMITTED,
    }
    assert set(
        MonthlyReturn.objects.filter(status=ReturnStatus.ACCEPTED).values_list(
            "accepted_by", flat=True
        )
    ) == {users["pm"].pk}
    assert "1 monthly return submitted" in pm.get("/").content.decode()


def test_if_one_cannot_be_accepted_none_is(users, waiting):
    from pipeline.services import reopen_return

    reopen_return(monthly_return=waiting[2], user=users["pm"])  # back to draft
    pm = client_for(users["pm"])
    response = pm.post(
        "/pipeline/returns/accept/", {"return": [r.pk for r in waiting]}, follow=True
    )
    body = response.content.decode()
    assert "Nothing was accepted." in body and "Darlington, September 2026" in body
    assert not MonthlyReturn.objects.filter(status=ReturnStatus.ACCEPTED).exists()


def test_only_the_delivery_partner_accepts_and_leads_see_no_boxes(users, waiting):
    lead = client_for(users["lead"])
    assert 'form="accept-form"' not in lead.get("/pipeline/returns/").content.decode()
    assert lead.post("/pipeline/returns/accept/", {"return": [waiting[0].pk]}).status_code == 403
    dfe = client_for(users["dfe"])
    assert dfe.post("/pipeline/returns/accept/", {"return": [waiting[0].pk]}).status_code == 403
    assert not MonthlyReturn.objects.filter(status=ReturnStatus.ACCEPTED).exists()
