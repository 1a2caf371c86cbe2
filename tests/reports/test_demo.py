import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from reports.models import Report, Status
from tests.conftest import client_for
from tests.snapshot import demo_snapshot

pytestmark = pytest.mark.dates


def test_the_demo_has_issued_reports_and_a_draft_for_last_month(db):
    demo_snapshot.seed()
    count = Report.objects.count()
    call_command("seed_demo", verbosity=0)

    assert Report.objects.count() == count  # a second run adds nothing
    monthly = list(Report.objects.filter(kind="monthly").order_by("period_start"))
    assert [r.status for r in monthly] == [Status.ISSUED] * 3 + [Status.DRAFT]
    assert Report.objects.filter(kind="quarterly", status=Status.ISSUED).exists()

    lead = User.objects.get(email="lead.northeast@example.org")
    page = client_for(lead).get(reverse("reports:detail", args=[monthly[0].pk]))
    assert page.status_code == 200 and "North East" in page.content.decode()
    home = client_for(lead).get(reverse("core:home")).content.decode()
    assert "Reports to DfE" in home
