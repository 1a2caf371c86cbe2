import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import ClusterFactory, authorities


def test_the_authority_list_shows_all_153_over_pages_with_sortable_headers(users):
    client = client_for(users["consultant"])
    body = client.get("/authorities/").content.decode()
    assert "153 in all" in body
    assert "govuk-pagination" in body
    assert 'aria-sort="ascending"' not in body
    body = client.get("/authorities/?sort=-name").content.decode()
    assert 'aria-sort="descending"' in body
    assert body.index("York") < body.index("Wolverhampton")
    assert "Barnet" not in body  # A-names are on the last page now


def test_the_authority_list_filters_by_region_and_shows_each_la_cluster(users):
    client = client_for(users["pm"])
    from clusters.models import Region

    region = Region.objects.get(name="North East")
    body = client.get(f"/authorities/?region={region.pk}").content.decode()
    assert "12 in all" in body
    assert "Gateshead" in body and "Barnet" not in body
    assert "North East" in body


def test_the_authority_list_downloads_as_csv_with_every_row(users):
    response = client_for(users["dfe"]).get("/authorities/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "GSS code", "DfE code"]
    assert len(rows) == 154


def test_a_cluster_lead_sees_only_their_own_cluster(users, other_cluster):
    client = client_for(users["lead"])
    body = client.get("/clusters/").content.decode()
    assert "North East" in body and "Foster4" not in body
    assert client.get("/clusters/north-east/").status_code == 200
    assert client.get("/clusters/foster4/").status_code == 404
    rows = client.get("/clusters/?format=csv").content.decode("utf-8-sig")
    assert "Foster4" not in rows


@pytest.mark.parametrize("role", ["pm", "consultant", "dfe"])
def test_delivery_partner_and_dfe_see_every_cluster(users, other_cluster, role):
    client = client_for(users[role])
    body = client.get("/clusters/").content.decode()
    assert "North East" in body and "Foster4" in body
    assert client.get("/clusters/foster4/").status_code == 200


def test_an_invalid_filter_value_is_named_not_a_crash(users):
    response = client_for(users["pm"]).get("/authorities/?region=99999")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_cluster_pages_use_the_same_number_of_queries_however_many_clusters(users, reference):
    client = client_for(users["pm"])
    pools = [
        authorities("Leeds", "Bradford"),
        authorities("Kent", "Medway"),
        authorities("Barnet", "Camden"),
    ]
    few = {u: _queries(client, u) for u in ["/", "/clusters/", "/clusters/north-east/"]}
    for pool in pools:
        ClusterFactory(members=pool)
    many = {u: _queries(client, u) for u in ["/", "/clusters/", "/clusters/north-east/"]}
    assert few == many
