import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import LocalAuthority
from pipeline import example_profiles
from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.exportgen import as_record_rows, synthetic_records
from pipeline.models import ImportBatch, MonthlyReturn, PipelineRecord, ReturnStatus
from pipeline.services import save_return, submit_return
from pipeline.services.records import upsert_records
from pipeline.services.returns import ReturnCounts
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import authorities

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)

ROLES = ["pm", "consultant", "lead", "dfe"]
START, END = datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)


def add_records(las, n, seed=1):
    upsert_records(
        as_record_rows(synthetic_records(las, n, start=START, end=END, seed=seed)), batch_id=None
    )


@pytest.fixture
def data(users, north_east, other_cluster):
    ne = authorities("Sunderland", "Gateshead")
    add_records(ne, 200)
    add_records(authorities("Warrington"), 100, seed=2)
    monthly_return, _ = save_return(
        local_authority=authorities("Darlington")[0],
        month=datetime.date(2024, 5, 1),
        counts=ReturnCounts(stages={"enquiry": 80, "application": 5}, channels={"hub-website": 80}),
        user=users["lead"],
    )
    submit_return(monthly_return=monthly_return, user=users["lead"])
    other, _ = save_return(
        local_authority=authorities("Halton")[0],
        month=datetime.date(2024, 5, 1),
        counts=ReturnCounts(stages={"enquiry": 55}),
        user=users["pm"],
    )
    return {"darlington": monthly_return, "halton": other}


def pk(name):
    return LocalAuthority.objects.get(name=name).pk


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "url",
    [
        "/pipeline/",
        "/pipeline/?format=csv",
        "/pipeline/cohorts/",
        "/pipeline/cohorts/?format=csv",
        "/pipeline/returns/",
        "/pipeline/returns/?format=csv",
        "/pipeline/returns/late/",
        "/pipeline/returns/late/?format=csv",
        "/pipeline/lists/",
    ],
)
def test_every_role_with_data_access_reads_the_pipeline_pages(users, data, role, url):
    response = client_for(users[role]).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("/pipeline/returns/new/", {"pm", "consultant", "lead"}),
        ("/pipeline/returns/upload/", {"pm", "consultant", "lead"}),
        ("/pipeline/returns/template.csv", {"pm", "consultant", "lead"}),
        ("/pipeline/returns/template.xlsx", {"pm", "consultant", "lead"}),
        ("/pipeline/imports/", {"pm", "consultant", "lead"}),
        ("/pipeline/imports/new/", {"pm", "consultant", "lead"}),
        ("/pipeline/profiles/", {"pm", "consultant", "lead"}),
        ("/pipeline/profiles/new/", {"pm"}),
        ("/pipeline/lists/reasons/new/", {"pm"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_writing_pages_are_refused_to_roles_that_cannot_write(users, data, url, allowed, role):
    status = client_for(users[role]).get(url).status_code
    assert status == (200 if role in allowed else 403)


def test_a_delivery_partner_without_current_training_is_kept_out_and_told_why(users, data):
    lapsed = users["consultant"]
    lapsed.data_protection_training_date = datetime.date(2020, 1, 1)
    lapsed.save()
    for url in [
        "/pipeline/",
        "/pipeline/returns/",
        "/pipeline/imports/",
        "/pipeline/cohorts/?format=csv",
    ]:
        response = client_for(lapsed).get(url)
        assert response.status_code == 403
        assert "training expired" in response.content.decode()


def test_a_cluster_lead_sees_only_their_own_las_returns(users, data):
    client = client_for(users["lead"])
    body = client.get("/pipeline/returns/").content.decode()
    assert "Darlington" in body and "Halton" not in body
    assert "Halton" not in client.get("/pipeline/returns/?format=csv").content.decode()
    assert client.get(f"/pipeline/returns/{data['halton'].pk}/").status_code == 404
    assert client.get(f"/pipeline/returns/{data['halton'].pk}/edit/").status_code == 404
    assert client.get(f"/pipeline/returns/{data['darlington'].pk}/").status_code == 200


def test_dfe_reads_returns_once_submitted_and_never_an_las_draft(users, data):
    client = client_for(users["dfe"])
    assert client.get(f"/pipeline/returns/{data['darlington'].pk}/").status_code == 200
    assert client.get(f"/pipeline/returns/{data['halton'].pk}/").status_code == 404
    for url in (
        "/pipeline/returns/",
        "/pipeline/returns/?format=csv",
        "/pipeline/returns/?status=draft&format=csv",
    ):
        body = client.get(url).content.decode()
        assert "Halton" not in body, url
    assert "Darlington" in client.get("/pipeline/returns/?format=csv").content.decode()
    # the programme team still sees the draft
    assert client_for(users["pm"]).get(f"/pipeline/returns/{data['halton'].pk}/").status_code == 200


def test_a_cluster_lead_cannot_reach_another_clusters_funnel_by_editing_the_url(
    users, data, other_cluster
):
    client = client_for(users["lead"])
    assert client.get(f"/pipeline/?scope=la:{pk('Warrington')}").status_code == 404
    assert client.get(f"/pipeline/?scope=cluster:{other_cluster.pk}").status_code == 404
    assert (
        client.get(f"/pipeline/cohorts/?scope=la:{pk('Warrington')}&format=csv").status_code == 404
    )
    assert client.get("/pipeline/?scope=england").status_code == 404
    assert client.get(f"/pipeline/?scope=la:{pk('Sunderland')}").status_code == 200


def test_other_clusters_appear_to_a_lead_only_as_regional_and_national_rates(users, data):
    body = client_for(users["lead"]).get("/pipeline/?period=fy:2024-04").content.decode()
    assert "Pipeline funnel: North East" in body
    assert "Foster4" not in body and "Warrington" not in body and "Halton" not in body
    assert "England" in body and "North West" not in body
    options = body[body.index('name="scope"') :]
    assert "Warrington" not in options


def test_the_funnel_counts_records_and_returns_without_double_counting(users, data):
    rows = {
        r[0]: r
        for r in csv.reader(
            io.StringIO(
                client_for(users["pm"])
                .get("/pipeline/?scope=england&period=fy:2024-04&format=csv")
                .content.decode("utf-8-sig")
            )
        )
        if r
    }
    in_records = PipelineRecord.objects.filter(
        enquiry_date__gte=START, enquiry_date__lte=END
    ).count()
    # Darlington's submitted 80; Halton's draft is not counted.
    assert int(rows["Initial enquiry"][1]) == in_records + 80
    assert rows["Enquiry to application"][3] == "6.0%"


def test_a_cluster_lead_keys_submits_and_a_pm_accepts_a_return_through_the_pages(users, data):
    lead = client_for(users["lead"])
    darlington = pk("Darlington")
    form = {
        "local_authority": darlington,
        "month": "2024-06",
        "stage_enquiry": "90",
        "stage_application": "-1",
    }
    response = lead.post("/pipeline/returns/new/", form)
    assert "Application: the count cannot be negative." in response.content.decode()
    assert not MonthlyReturn.objects.filter(month=datetime.date(2024, 6, 1)).exists()
    form["stage_application"] = "4"
    response = lead.post("/pipeline/returns/new/", form)
    saved = MonthlyReturn.objects.get(month=datetime.date(2024, 6, 1))
    assert response.status_code == 302
    lead.post(f"/pipeline/returns/{saved.pk}/submit/")
    assert lead.post(f"/pipeline/returns/{saved.pk}/accept/").status_code == 403
    client_for(users["pm"]).post(f"/pipeline/returns/{saved.pk}/accept/")
    saved.refresh_from_db()
    assert saved.status == ReturnStatus.ACCEPTED
    body = client_for(users["pm"]).get(f"/pipeline/returns/{saved.pk}/").content.decode()
    assert "Accepted" in body and "History of changes" in body


def test_a_cluster_lead_cannot_key_a_return_for_an_la_outside_their_cluster(users, data):
    response = client_for(users["lead"]).post(
        "/pipeline/returns/new/",
        {"local_authority": pk("Warrington"), "month": "2024-06", "stage_enquiry": "9"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not MonthlyReturn.objects.filter(month=datetime.date(2024, 6, 1)).exists()


def test_the_check_scenario_upload_fix_commit_reupload_and_the_funnel_updates(
    users, north_east, other_cluster, django_capture_on_commit_callbacks
):
    example_profiles.load()
    profile = example_profiles.load()[0]
    lead = client_for(users["lead"])
    funnel_url = f"/pipeline/?scope=cluster:{north_east.pk}&period=fy:2024-04&format=csv"
    before = lead.get(funnel_url).content.decode("utf-8-sig")

    with (
        (EXAMPLES_DIR / "carefirst_sunderland_with_error.csv").open("rb") as f,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = lead.post("/pipeline/imports/new/", {"profile": profile.pk, "file": f})
    batch = ImportBatch.objects.latest("pk")
    body = lead.get(response["Location"]).content.decode()
    assert "&#x27;31/02/2024&#x27; is not a date in the form dd/mm/yyyy." in body
    assert "Enquiry Date" in body and "Commit this import" not in body
    assert lead.post(f"/pipeline/imports/{batch.pk}/commit/").status_code == 302
    assert not PipelineRecord.objects.exists()

    for expected in ("40 new, 0 changed", "0 new, 0 changed"):
        with (
            (EXAMPLES_DIR / "carefirst_sunderland.csv").open("rb") as f,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = lead.post("/pipeline/imports/new/", {"profile": profile.pk, "file": f})
        body = lead.get(response["Location"]).content.decode()
        assert expected in body, ImportBatch.objects.latest("pk").errors
        lead.post(response["Location"] + "commit/")
    assert PipelineRecord.objects.count() == 40
    assert lead.get(funnel_url).content.decode("utf-8-sig") != before

    other = client_for(users["consultant"])
    assert other.get(f"/pipeline/imports/{batch.pk}/").status_code == 200
    from accounts.models import Role
    from tests.factories import UserFactory

    foster4_lead = UserFactory(role=Role.CLUSTER_LEAD, cluster=other_cluster)
    assert client_for(foster4_lead).get(f"/pipeline/imports/{batch.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/pipeline/?scope=england&period=fy:2024-04",
        "/pipeline/?scope=region:{region}&period=quarter:2024-04",
        "/pipeline/?scope=cluster:{cluster}&period=month:2024-05",
        "/pipeline/cohorts/?scope=england",
        "/pipeline/returns/",
        "/pipeline/returns/late/",
        "/pipeline/imports/",
    ],
)
def test_page_queries_do_not_grow_with_the_data(users, data, north_east, url):
    from clusters.models import Region

    url = url.format(region=Region.objects.get(name="North East").pk, cluster=north_east.pk)
    client = client_for(users["pm"])
    client.get(url)
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_records(authorities("Gateshead", "Hartlepool", "Halton"), 600, seed=7)
    for month in (6, 7, 8):
        save_return(
            local_authority=authorities("Middlesbrough")[0],
            month=datetime.date(2024, month, 1),
            counts=ReturnCounts(stages={"enquiry": 10}),
            user=users["pm"],
        )
    client.get(url)  # people counted once are counted again once the records change
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
