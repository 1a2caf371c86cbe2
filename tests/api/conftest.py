import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import issue_token
from tests.factories import authorities


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_request_budget():
    cache.clear()  # each test starts with each token's full request budget
    yield
    cache.clear()


@pytest.fixture
def gateshead_token(north_east, pm):
    token, secret = issue_token(
        name="Gateshead export job",
        kind="la",
        local_authority=authorities("Gateshead")[0],
        days=30,
        by=pm,
    )
    return token, secret


@pytest.fixture
def sunderland_token(north_east, pm):
    return issue_token(
        name="Sunderland export job",
        kind="la",
        local_authority=authorities("Sunderland")[0],
        days=30,
        by=pm,
    )


@pytest.fixture
def dfe_token(reference, pm):
    return issue_token(name="DfE analysts", kind="dfe", days=30, by=pm)


@pytest.fixture
def profiles(db):
    from pipeline import example_profiles

    carefirst, mosaic = example_profiles.load()
    return {"carefirst": carefirst, "mosaic": mosaic}


def api_client(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def error(response) -> dict:
    """The JSON error body, checked to have its stable shape."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()["error"]
    assert set(body) == {"code", "message", "field", "row", "details"}
    return body


@pytest.fixture
def issued_report(reference, pm, django_capture_on_commit_callbacks):
    """May 2024's monthly report, built in the background and issued, as the PM would."""
    import datetime
    from decimal import Decimal

    from programme.models import Contract
    from reports import services

    Contract.objects.create(
        name="Delivery partner contract",
        reference="DP-API",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2028, 3, 31),
        total_cap=Decimal("1000000"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(kind="monthly", day=datetime.date(2024, 5, 1))
    services.save_summary(report_id=report.pk, summary="May went well: hub live.", user=pm)
    return services.issue_report(report_id=report.pk, user=pm)
