import datetime

import pytest

from tests.factories import authorities


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sunderland(north_east):
    return authorities("Sunderland")[0]


@pytest.fixture
def warrington(other_cluster):
    return authorities("Warrington")[0]


TODAY = datetime.date(2024, 6, 20)
