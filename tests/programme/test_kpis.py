import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme.models import Kpi, KpiValue
from programme.services import record_kpi_value
from tests.clock import FIXED_DAY
from tests.conftest import client_for

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)


@pytest.fixture
def kpi(db):
    return Kpi.objects.create(
        name="Conversion", definition="Applications / enquiries", unit="%", target=Decimal("12")
    )


def test_a_value_is_recorded_for_its_quarter_with_who_and_when(kpi, pm):
    value = record_kpi_value(
        kpi=kpi, quarter=datetime.date(2024, 5, 17), value=Decimal("9.5"), by=pm
    )
    assert value.quarter_start == datetime.date(2024, 4, 1)
    assert value.recorded_by == pm and value.recorded_at is not None
    # recording again corrects it, and the history keeps the first value
    record_kpi_value(kpi=kpi, quarter=datetime.date(2024, 6, 1), value=Decimal("10.5"), by=pm)
    assert KpiValue.objects.get().value == Decimal("10.5")
    assert sorted(v.value for v in KpiValue.history.all()) == [Decimal("9.5"), Decimal("10.5")]


def test_a_future_quarter_is_refused(kpi, pm):
    with pytest.raises(ValidationError):
        record_kpi_value(kpi=kpi, quarter=datetime.date(2099, 1, 1), value=Decimal("1"), by=pm)


def test_the_direction_decides_whether_a_value_meets_the_target(kpi):
    assert kpi.meets_target(Decimal("12")) and not kpi.meets_target(Decimal("11"))
    kpi.direction = "lower"
    assert kpi.meets_target(Decimal("11"))


def test_a_cluster_lead_records_their_own_cluster_value_and_sees_no_other(
    users, kpi, other_cluster, pm
):
    record_kpi_value(
        kpi=kpi,
        quarter=datetime.date(2024, 4, 1),
        cluster=other_cluster,
        value=Decimal("77.31"),
        by=pm,
    )
    client = client_for(users["lead"])
    assert "77.31" not in client.get(f"/programme/kpis/{kpi.pk}/").content.decode()
    response = client.post(
        f"/programme/kpis/{kpi.pk}/record/",
        {"quarter": "2024-04-01", "cluster": other_cluster.pk, "value": "5"},
    )
    assert response.status_code == 200  # the other cluster is not a choice
    assert not KpiValue.objects.filter(value=5).exists()
    response = client.post(
        f"/programme/kpis/{kpi.pk}/record/",
        {"quarter": "2024-04-01", "cluster": users["lead"].cluster_id, "value": "23.1"},
    )
    assert response.status_code == 302
    assert KpiValue.objects.get(value=Decimal("23.1")).recorded_by == users["lead"]


@pytest.mark.parametrize(
    "role,status", [("pm", 302), ("consultant", 403), ("lead", 403), ("dfe", 403)]
)
def test_only_a_programme_manager_defines_kpis(users, db, role, status):
    response = client_for(users[role]).post(
        "/programme/kpis/new/",
        {
            "name": "Approvals",
            "definition": "Households approved",
            "unit": "count",
            "target": "100",
            "direction": "higher",
        },
    )
    assert response.status_code == status


def test_the_dfe_reader_cannot_record_a_value(users, kpi):
    assert client_for(users["dfe"]).post(f"/programme/kpis/{kpi.pk}/record/", {}).status_code == 403
