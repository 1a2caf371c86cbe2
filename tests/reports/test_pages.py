import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from reports import services
from reports.models import Report, Status
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import MAY

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)

ROLES = ["pm", "consultant", "lead", "dfe"]


@pytest.fixture
def draft(build, pm, programme_data):
    return build(kind="quarterly", day=MAY, user=pm)


def _expect(role, allowed, denied=404):
    return 200 if role in allowed else denied


@pytest.mark.parametrize("role", ROLES)
def test_reports_list_and_csv_by_role(users, role, issued, draft):
    client = client_for(users[role])
    page = client.get(reverse("reports:list"))
    csv = client.get(reverse("reports:list") + "?format=csv")

    assert page.status_code == 200 and csv.status_code == 200
    if role in ("pm", "consultant"):
        assert "April to June 2024" in csv.content.decode()  # the draft
    else:
        assert "April to June 2024" not in csv.content.decode()
    assert "May 2024" in csv.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["detail", "status", "pdf", "xlsx"])
def test_reading_a_draft_is_for_the_delivery_partner(users, role, name, draft):
    response = client_for(users[role]).get(reverse(f"reports:{name}", args=[draft.pk]))
    assert response.status_code == _expect(role, ["pm", "consultant"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["detail", "status", "pdf", "xlsx"])
def test_an_issued_report_is_read_by_every_role(users, role, name, issued):
    response = client_for(users[role]).get(reverse(f"reports:{name}", args=[issued.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_only_a_programme_manager_asks_for_a_report(users, role, contract):
    response = client_for(users[role]).get(reverse("reports:request"))
    assert response.status_code == _expect(role, ["pm"], 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["summary", "issue"])
def test_only_a_programme_manager_writes_the_summary_and_issues(users, role, name, draft):
    response = client_for(users[role]).get(reverse(f"reports:{name}", args=[draft.pk]))
    assert response.status_code == _expect(role, ["pm"], 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_a_programme_manager_corrects_or_refreshes(users, role, issued, draft):
    client = client_for(users[role])
    assert client.get(reverse("reports:correct", args=[issued.pk])).status_code == _expect(
        role, ["pm"], 403
    )
    refresh = client.post(reverse("reports:refresh", args=[draft.pk]))
    assert refresh.status_code == (302 if role == "pm" else 403)


def test_a_consultant_whose_training_lapsed_is_kept_out_and_told_why(issued):
    lapsed = UserFactory(role=Role.CONSULTANT, data_protection_training_date=None)
    response = client_for(lapsed).get(reverse("reports:detail", args=[issued.pk]))
    assert response.status_code == 403
    assert "training" in response.content.decode().lower()


def test_programme_manager_asks_writes_and_issues(
    pm, programme_data, django_capture_on_commit_callbacks
):
    client = client_for(pm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request"), {"kind": "monthly", "month": "2024-05"})
    report = Report.objects.get()
    assert response.url == reverse("reports:detail", args=[report.pk])
    page = client.get(response.url).content.decode()
    assert "Draft: not yet issued" in page and "Data as at" in page

    form = client.get(reverse("reports:summary", args=[report.pk])).content.decode()
    assert "Delivery confidence across 2 clusters" in form  # generated first draft
    client.post(reverse("reports:summary", args=[report.pk]), {"summary": "All on track."})
    client.post(reverse("reports:issue", args=[report.pk]))

    report.refresh_from_db()
    assert report.status == Status.ISSUED
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "All on track." in page and report.checksum in page


def test_a_report_being_built_shows_its_progress(pm, contract):
    report = Report.objects.create(
        kind="monthly",
        period_start=MAY,
        status=Status.BUILDING,
        progress=40,
        progress_note="Gathered pipeline",
    )
    client = client_for(pm)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    status = client.get(reverse("reports:status", args=[report.pk])).json()

    assert "40% done. Gathered pipeline" in page
    assert status == {
        "status": "building",
        "status_label": "Building",
        "progress": 40,
        "note": "Gathered pipeline",
    }


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "monthly", "month": "2034-01"}, "is in the future"),
        ({"kind": "monthly", "month": "2099-01"}, "Enter a date between"),
        ({"kind": "monthly", "month": "2020-01"}, "outside the contract"),
        ({"kind": "monthly", "month": "May"}, "Enter the month as year and month"),
    ],
)
def test_bad_months_are_refused_with_a_message_on_the_field(pm, contract, data, message):
    response = client_for(pm).post(reverse("reports:request"), data)
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Report.objects.exists()


def test_issuing_without_a_summary_is_refused_with_a_message(pm, build, programme_data):
    report = build(user=pm)
    response = client_for(pm).post(reverse("reports:issue", args=[report.pk]))
    assert response.status_code == 400
    assert "Write the executive summary before issuing" in response.content.decode()


def test_issuing_twice_is_refused_with_a_message(pm, issued):
    response = client_for(pm).post(reverse("reports:issue", args=[issued.pk]))
    assert "has already been issued" in response.content.decode()


def test_the_report_page_uses_the_same_queries_with_few_or_many_reports(pm, issued):
    client = client_for(pm)
    url = reverse("reports:detail", args=[issued.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get(reverse("reports:list"))
    for i in range(2, 12):
        Report.objects.create(
            kind="monthly",
            period_start=MAY.replace(year=2024, month=i % 12 + 1),
            status=Status.FAILED,
            version=i,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
        client.get(reverse("reports:list"))
    assert len(many) == len(few)


def test_a_correction_keeps_both_versions_readable(
    pm, dfe, issued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pm).post(reverse("reports:correct", args=[issued.pk]))
    correction = Report.objects.get(replaces=issued)
    services.issue_report(report_id=correction.pk, user=pm)
    old = client_for(dfe).get(reverse("reports:detail", args=[issued.pk])).content.decode()
    new = client_for(dfe).get(reverse("reports:detail", args=[correction.pk])).content.decode()
    assert response.status_code == 302
    assert "This version has been corrected" in old and "Read version 2" in old
    assert "This version corrects" in new
