import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from clusters.models import ClusterMembership, Constellation, Harmonisation, Hub, ProgressUpdate
from clusters.services import add_member, change_stage, save_progress_update
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import ClusterFactory, authorities

# the dates below are written out: the clock is frozen on a day they fit
pytestmark = pytest.mark.time_machine(FIXED_DAY)


def test_an_la_cannot_be_in_two_clusters_at_once(north_east, other_cluster):
    gateshead = authorities("Gateshead")[0]
    with pytest.raises(ValidationError) as error:
        add_member(
            cluster=other_cluster, local_authority=gateshead, joined_on=datetime.date(2024, 1, 1)
        )
    assert "already in North East" in error.value.message_dict["local_authority"][0]


def test_an_la_may_join_another_cluster_after_it_left(north_east, other_cluster):
    membership = ClusterMembership.objects.get(local_authority__name="Gateshead")
    membership.left_on = datetime.date(2024, 3, 31)
    membership.save()
    gateshead = membership.local_authority
    with pytest.raises(ValidationError):  # overlaps the old membership
        add_member(
            cluster=other_cluster, local_authority=gateshead, joined_on=datetime.date(2024, 3, 1)
        )
    add_member(
        cluster=other_cluster, local_authority=gateshead, joined_on=datetime.date(2024, 4, 1)
    )


def test_the_database_refuses_two_open_memberships_of_one_la(north_east, other_cluster):
    with pytest.raises(IntegrityError):
        ClusterMembership.objects.create(
            cluster=other_cluster,
            local_authority=authorities("Sunderland")[0],
            joined_on=datetime.date(2024, 1, 1),
        )


def test_the_member_page_refuses_a_second_cluster_on_the_field(users, other_cluster):
    response = client_for(users["pm"]).post(
        "/clusters/foster4/members/add/",
        {"local_authority": authorities("Gateshead")[0].pk, "joined_on": "2024-01-01"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="#id_local_authority"' in body and "only one cluster at a time" in body


def test_a_go_live_date_before_the_operational_date_is_refused_on_its_field(users, north_east):
    response = client_for(users["lead"]).post(
        "/clusters/north-east/hub/",
        {
            "name": "Foster with North East",
            "operational_date": "2023-09-01",
            "go_live_date": "2023-08-01",
        },
    )
    assert response.status_code == 200
    assert 'href="#id_go_live_date"' in response.content.decode()
    assert not Hub.objects.exists()


def test_a_second_update_for_the_same_month_is_refused_on_the_month(users, north_east):
    client = client_for(users["lead"])
    data = {"month": "2024-05-01", "rating": "green", "progress": "Going well"}
    assert client.post("/clusters/north-east/progress/new/", data).status_code == 302
    response = client.post("/clusters/north-east/progress/new/", {**data, "month": "2024-05-20"})
    assert response.status_code == 200
    assert 'href="#id_month"' in response.content.decode()
    assert ProgressUpdate.objects.count() == 1


def test_a_rating_change_must_say_what_changed(north_east, lead):
    save_progress_update(
        update=ProgressUpdate(
            cluster=north_east,
            month=datetime.date(2024, 5, 1),
            rating="green",
            progress="ok",
            author=lead,
        )
    )
    with pytest.raises(ValidationError) as error:
        save_progress_update(
            update=ProgressUpdate(
                cluster=north_east,
                month=datetime.date(2024, 6, 1),
                rating="amber",
                progress="x",
                author=lead,
            )
        )
    assert "changed from Green" in error.value.message_dict["what_changed"][0]


def test_a_stage_change_records_the_date_it_was_reached(north_east, pm):
    change_stage(cluster=north_east, stage="hub_live", reached_on=datetime.date(2023, 9, 28), by=pm)
    north_east.refresh_from_db()
    assert north_east.stage == "hub_live"
    assert north_east.stage_changes.get().reached_on == datetime.date(2023, 9, 28)
    assert north_east.history.first().stage == "hub_live"


def test_the_lead_updates_harmonisation_with_who_and_when_kept(users, north_east):
    client = client_for(users["lead"])
    url = "/clusters/north-east/harmonisation/E08000037/terms/"
    assert client.post(url, {"status": "agreed", "note": "Signed at DCS board"}).status_code == 302
    assert client.post(url, {"status": "in_place"}).status_code == 302
    cell = Harmonisation.objects.get()
    assert cell.status == "in_place" and cell.changed_by == users["lead"]
    body = client.get(url).content.decode()
    assert "Agreed → In place" in body and str(users["lead"]) in body
    page = client.get("/clusters/north-east/").content.decode()
    assert "1 of 72 items in place (1%)" in page


def test_a_constellation_outside_six_to_ten_is_saved_with_a_warning(users, north_east):
    client = client_for(users["lead"])
    response = client.post(
        "/clusters/north-east/constellations/new/",
        {
            "local_authority": authorities("Gateshead")[0].pk,
            "name": "Gateshead 1",
            "hub_home": "HH-1",
            "satellite_families": "12",
            "status": "live",
        },
        follow=True,
    )
    assert Constellation.objects.get().satellite_families == 12
    assert "Outside 6 to 10" in response.content.decode()
    assert "expects 6 to 10 satellite families" in response.content.decode()


EDIT_URLS = [
    "/clusters/{slug}/hub/",
    "/clusters/{slug}/harmonisation/{gss}/terms/",
    "/clusters/{slug}/progress/new/",
    "/clusters/{slug}/constellations/new/",
    "/clusters/{slug}/contacts/new/",
]
MANAGE_URLS = ["/clusters/{slug}/stage/", "/clusters/{slug}/members/add/"]


def _urls(urls, cluster, gss):
    return [u.format(slug=cluster.slug, gss=gss) for u in urls]


def test_a_cluster_lead_reaches_no_other_cluster_by_editing_urls(users, other_cluster):
    client = client_for(users["lead"])
    for url in _urls(EDIT_URLS + MANAGE_URLS, other_cluster, "E06000007") + [
        "/clusters/foster4/",
        "/clusters/foster4/progress/",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"status": "in_place"}).status_code == 404, url
    assert not Harmonisation.objects.exists()


def test_a_cluster_lead_edits_their_own_cluster_but_not_its_stage_or_members(users, north_east):
    client = client_for(users["lead"])
    for url in _urls(EDIT_URLS, north_east, "E08000037"):
        assert client.get(url).status_code == 200, url
    for url in _urls(MANAGE_URLS, north_east, "E08000037"):
        assert client.get(url).status_code == 403, url


def test_the_dfe_reader_reads_every_cluster_and_changes_nothing(users, north_east, other_cluster):
    client = client_for(users["dfe"])
    assert client.get("/clusters/foster4/").status_code == 200
    for url in _urls(EDIT_URLS + MANAGE_URLS, north_east, "E08000037"):
        assert client.post(url, {"status": "in_place"}).status_code == 403, url


@pytest.mark.parametrize("role", ["pm", "consultant"])
def test_the_delivery_partner_edits_any_cluster(users, other_cluster, role):
    client = client_for(users[role])
    for url in _urls(EDIT_URLS, other_cluster, "E06000007"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["pm", "consultant", "lead", "dfe"])
def test_every_role_reads_the_overview_and_cluster_pages(users, role):
    client = client_for(users[role])
    for url in [
        "/programme/",
        "/clusters/north-east/",
        "/clusters/north-east/progress/",
        "/programme/milestones/",
        "/programme/kpis/",
    ]:
        assert client.get(url).status_code == 200, (role, url)


def test_the_overview_and_cluster_page_queries_do_not_grow_with_clusters(users, reference, lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["pm"])
    pages = ["/programme/", "/clusters/north-east/", "/clusters/"]

    def count():
        result = {}
        for url in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result[url] = len(ctx.captured_queries)
        return result

    names = [
        "Leeds",
        "Bradford",
        "Kent",
        "Medway",
        "Barnet",
        "Camden",
        "Brent",
        "Ealing",
        "Harrow",
        "Hounslow",
        "Essex",
        "Luton",
        "Derby",
        "Rutland",
        "Bristol, City of",
        "Plymouth",
        "Torbay",
        "Swindon",
    ]
    for i in range(2):
        ClusterFactory(members=authorities(*names[2 * i : 2 * i + 2]))
    few = count()  # 3 clusters
    for i in range(2, 9):
        cluster = ClusterFactory(members=authorities(*names[2 * i : 2 * i + 2]))
        ProgressUpdate.objects.create(
            cluster=cluster, month=datetime.date(2026, 10, 1), rating="amber", progress="x"
        )
    assert count() == few  # 10 clusters
    assert len(client.get("/programme/").context["rows"]) == 10


def test_the_progress_table_shows_each_role_only_the_clusters_it_may_see(users, other_cluster):
    for cluster, rating in [(users["lead"].cluster, "green"), (other_cluster, "red")]:
        ProgressUpdate.objects.create(
            cluster=cluster,
            month=datetime.date(2026, 9, 1),
            rating=rating,
            progress=f"{cluster.name} progress",
        )
    lead_csv = client_for(users["lead"]).get("/progress/?format=csv").content.decode("utf-8-sig")
    assert "North East progress" in lead_csv and "Foster4 progress" not in lead_csv
    dfe_page = client_for(users["dfe"]).get("/progress/?rating=red").content.decode()
    assert "Foster4 progress" in dfe_page and "North East progress" not in dfe_page


def test_a_changed_progress_update_shows_its_history(users, north_east):
    client = client_for(users["lead"])
    client.post(
        "/clusters/north-east/progress/new/",
        {"month": "2026-09-01", "rating": "green", "progress": "First draft"},
    )
    update = ProgressUpdate.objects.get()
    client.post(
        f"/clusters/north-east/progress/{update.pk}/",
        {"month": "2026-09-01", "rating": "green", "progress": "Corrected"},
    )
    body = client.get(f"/clusters/north-east/progress/{update.pk}/").content.decode()
    assert "First draft → Corrected" in body
