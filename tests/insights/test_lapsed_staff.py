"""A member of the delivery partner whose data-protection training has lapsed is kept out of
what the reports hold (spec §26-27): they cannot change an event's attendance, and they
read KPIs programme-wide only, not the per-cluster values the reports carry (issue 16)."""

import datetime

from django.utils import timezone

from accounts.models import Role
from clusters.models import LocalAuthority
from programme.models import Kpi, KpiValue
from tests.conftest import client_for
from tests.factories import UserFactory


def lapsed_consultant():
    return UserFactory(
        email="lapsed@example.org",
        role=Role.CONSULTANT,
        data_protection_training_date=timezone.localdate() - datetime.timedelta(days=400),
    )


def test_a_lapsed_consultant_cannot_change_attendance(users, event):
    client = client_for(lapsed_consultant())
    darlington = LocalAuthority.objects.get(name="Darlington")
    url = f"/insights/learning/events/{event.pk}/attendance/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"local_authorities": [darlington.pk]})
    assert response.status_code == 403
    assert "training expired" in response.content.decode()
    names = set(event.attendances.values_list("local_authority__name", flat=True))
    assert names == {"Sunderland", "Gateshead"}


def test_a_lapsed_consultant_reads_kpis_programme_wide_only(users, north_east):
    kpi = Kpi.objects.create(
        name="Approvals", definition="Households approved", unit="count", target=10
    )
    quarter = datetime.date(2025, 4, 1)
    KpiValue.objects.create(kpi=kpi, quarter_start=quarter, value=7, recorded_by=users["pm"])
    KpiValue.objects.create(
        kpi=kpi, quarter_start=quarter, cluster=north_east, value=3, recorded_by=users["pm"]
    )
    lapsed = client_for(lapsed_consultant())
    for url in ("/programme/kpis/", f"/programme/kpis/{kpi.pk}/"):
        page = lapsed.get(url).content.decode()
        assert "North East" not in page, url
    trained = client_for(users["consultant"]).get(f"/programme/kpis/{kpi.pk}/").content.decode()
    assert "North East" in trained
