"""Plausible values only (issue 16): every date typed into a form lies in the programme's
span with a margin, every multi-line text has a length limit, KPI values are not negative
unless the KPI allows it, a constraint's refusal reads as a message on its field, and only
people (never an API token's service account) are offered as owners."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from core import forms as core_forms
from insights.models import RaidItem
from programme.models import Kpi, KpiValue, Milestone
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.insights.test_raid_rules import _form_data

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FIXED_DAY)]


def _service_forms():
    """Every form class defined in the service's own modules."""
    seen, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    apps = ("accounts", "api", "clusters", "core", "engagement", "insights", "pipeline")
    apps += ("programme", "reports", "timesheets")
    return [c for c in seen if c.__module__.split(".")[0] in apps and "filters" not in c.__module__]


def test_every_form_of_the_service_keeps_plausible_values():
    import accounts.forms  # noqa: F401 - every area's forms imported
    import api.forms  # noqa: F401
    import clusters.forms  # noqa: F401
    import engagement.forms.bids  # noqa: F401
    import engagement.forms.meetings  # noqa: F401
    import engagement.forms.support  # noqa: F401
    import insights.forms  # noqa: F401
    import pipeline.forms  # noqa: F401
    import programme.forms  # noqa: F401
    import reports.forms  # noqa: F401
    import timesheets.forms  # noqa: F401

    django_auth = ("EmailAuthenticationForm", "EmailPasswordResetForm")
    found = [c for c in _service_forms() if c.__name__ not in django_auth]
    assert len(found) > 40
    outside = [
        f"{c.__module__}.{c.__name__}"
        for c in found
        if not issubclass(c, core_forms.Form | core_forms.ModelForm)
        and c not in (core_forms.Form, core_forms.ModelForm)
    ]
    assert outside == [], "forms that skip core.forms.keep_plausible"


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31", "2009-12-31", "2036-01-01"])
def test_a_milestone_date_outside_the_span_is_refused_on_its_field(users, typed):
    response = client_for(users["pm"]).post(
        "/programme/milestones/new/",
        {
            "title": "Hub live",
            "strand": "A",
            "owner": "Delivery partner",
            "baseline_date": typed,
            "forecast_date": "2026-03-31",
            "status": "on_track",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a date between 1 January 2010 and 31 December 2035." in body
    assert 'href="#id_baseline_date"' in body
    assert not Milestone.objects.exists()


def test_a_review_date_of_9999_and_a_description_of_a_million_characters_are_refused(users):
    data = _form_data(
        owner=users["consultant"].pk, review_date="9999-12-31", description="x" * 1_000_000
    )
    body = client_for(users["consultant"]).post("/insights/raid/new/", data).content.decode()
    assert 'href="#id_review_date"' in body and "Enter a date between" in body
    assert 'href="#id_description"' in body
    assert "at most 10000 characters (it has 1000000)" in body
    assert not RaidItem.objects.exists()


def test_an_api_tokens_service_account_is_never_offered_as_an_owner(users, north_east):
    from api.services import issue_token
    from tests.factories import authorities

    token, _ = issue_token(
        name="Gateshead export",
        kind="la",
        local_authority=authorities("Gateshead")[0],
        days=9,
        by=users["pm"],
    )
    page = client_for(users["consultant"]).get("/insights/raid/new/").content.decode()
    assert token.account.email not in page and "Gateshead export" not in page
    data = _form_data(owner=token.account.pk)
    body = client_for(users["consultant"]).post("/insights/raid/new/", data).content.decode()
    assert 'href="#id_owner"' in body
    assert not RaidItem.objects.exists()


def _kpi(**extra):
    return Kpi.objects.create(
        name="Approvals", definition="Households approved", unit="count", target=10, **extra
    )


def test_a_negative_kpi_value_is_refused_unless_the_kpi_allows_it(users):
    from programme.demo import seed

    seed()
    count = _kpi()
    client = client_for(users["pm"])
    quarter = datetime.date(2025, 5, 1).isoformat()
    body = client.post(
        f"/programme/kpis/{count.pk}/record/", {"quarter": quarter, "value": "-3"}
    ).content.decode()
    assert "Approvals cannot be negative" in body and 'href="#id_value"' in body
    assert not KpiValue.objects.exists()
    change = Kpi.objects.create(
        name="Change in carers",
        definition="Net change",
        unit="households",
        target=0,
        allows_negative=True,
    )
    client.post(f"/programme/kpis/{change.pk}/record/", {"quarter": quarter, "value": "-3"})
    assert KpiValue.objects.get(kpi=change).value == Decimal("-3")


def test_a_negative_hub_fte_reads_as_a_message_on_its_field(users, north_east):
    body = (
        client_for(users["pm"])
        .post(
            f"/clusters/{north_east.slug}/hub/",
            {"name": "North East Fostering Hub", "staff_fte": "-5"},
        )
        .content.decode()
    )
    assert "Staff (FTE) cannot be negative: enter 0 or more." in body
    assert 'href="#id_staff_fte"' in body
    assert "Constraint" not in body
