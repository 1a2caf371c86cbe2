import pytest
from rest_framework.test import APIClient

from api.services import issue_token
from tests.factories import authorities


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
def dfe_token(reference, pm):
    return issue_token(name="DfE analysts", kind="dfe", days=30, by=pm)


def api_client(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
