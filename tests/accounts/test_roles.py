import datetime

import pytest
from django.db import IntegrityError
from django.test import RequestFactory
from django.utils import timezone

from accounts.decorators import data_access_required
from accounts.models import Role
from tests.conftest import client_for
from tests.factories import UserFactory


def _gated_view(request):
    from django.http import HttpResponse

    return HttpResponse("pipeline data")


def _ask(user):
    request = RequestFactory().get("/pipeline/")
    request.user = user
    return data_access_required(_gated_view)(request)


def test_a_vetted_and_trained_consultant_reaches_pipeline_data(consultant):
    assert _ask(consultant).content == b"pipeline data"


def test_a_consultant_whose_training_lapsed_is_refused_and_told_why(db):
    lapsed = UserFactory(
        data_protection_training_date=timezone.localdate() - datetime.timedelta(days=400)
    )
    response = _ask(lapsed)
    assert response.status_code == 403
    body = response.content.decode()
    assert "data-protection training expired" in body
    assert "pipeline data" not in body


def test_a_consultant_without_a_vetting_date_is_refused_and_told_why(db):
    response = _ask(UserFactory(bpss_date=None))
    assert response.status_code == 403
    assert "BPSS vetting date has not been recorded" in response.content.decode()


def test_the_gate_applies_to_delivery_partner_staff_only(lead, dfe):
    assert _ask(lead).status_code == 200
    assert _ask(dfe).status_code == 200


def test_the_home_page_warns_a_lapsed_consultant(db):
    lapsed = UserFactory(data_protection_training_date=None)
    body = client_for(lapsed).get("/").content.decode()
    assert "data-protection training date has not been recorded" in body


def test_a_cluster_lead_must_belong_to_a_cluster(db):
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.CLUSTER_LEAD, cluster=None)


def test_only_cluster_leads_are_bound_to_a_cluster(north_east):
    with pytest.raises(IntegrityError):
        UserFactory(role=Role.CONSULTANT, cluster=north_east)


@pytest.mark.parametrize(
    "role,sees_admin", [("pm", True), ("consultant", False), ("lead", False), ("dfe", False)]
)
def test_the_navigation_shows_each_role_only_what_it_may_use(users, role, sees_admin):
    body = client_for(users[role]).get("/").content.decode()
    assert ('href="/admin/"' in body) is sees_admin
    assert 'href="/clusters/"' in body
