"""Every insights page for every role: who may see it, who may change what, and what each
role finds in the lists."""

import csv
import io

import pytest
from django.urls import reverse

from insights import services
from insights.models import Status

from .conftest import ROLES, client_for, days, log_risk

ALL = {"pm", "consultant", "lead", "dfe"}
DP = {"pm", "consultant"}


def _pages(raid, learning, event):
    """(method, url, roles that get 200 or 302, status for the others)."""
    ne, other, programme, escalated = (
        raid[k].pk for k in ("ne", "other", "programme", "escalated")
    )
    published, draft, lead_draft = (learning[k].pk for k in ("published", "draft", "lead_draft"))
    action = raid["ne"].actions.get().pk
    return [
        ("get", "/insights/raid/", ALL, None),
        ("get", "/insights/raid/?format=csv", ALL, None),
        ("get", "/insights/raid/heat-map/", ALL, None),
        ("get", "/insights/raid/top/", ALL, None),
        ("get", "/insights/raid/new/", DP, 403),
        ("get", f"/insights/raid/{ne}/", DP | {"lead"}, 404),
        ("get", f"/insights/raid/{other}/", DP, 404),
        ("get", f"/insights/raid/{programme}/", DP, 404),
        ("get", f"/insights/raid/{escalated}/", ALL, None),
        ("get", f"/insights/raid/{ne}/change/", DP, {"lead": 403, "dfe": 404}),
        ("get", f"/insights/raid/{other}/change/", DP, 404),
        ("get", f"/insights/raid/{escalated}/change/", DP, 403),
        ("get", f"/insights/raid/{ne}/actions/new/", DP, {"lead": 403, "dfe": 404}),
        ("post", f"/insights/raid/{ne}/actions/{action}/done/", DP, {"lead": 403, "dfe": 404}),
        ("get", f"/insights/raid/{ne}/escalate/", DP, {"lead": 403, "dfe": 404}),
        ("get", f"/insights/raid/{escalated}/decision/", DP, 403),
        ("get", f"/insights/raid/{ne}/become-issue/", DP, {"lead": 403, "dfe": 404}),
        ("get", f"/insights/raid/{ne}/close/", DP, {"lead": 403, "dfe": 404}),
        (
            "get",
            f"/insights/raid/{ne}/reopen/",
            set(),
            {"pm": 403, "consultant": 403, "lead": 403, "dfe": 404},
        ),
        ("get", "/insights/learning/", ALL, None),
        ("get", "/insights/learning/?format=csv", ALL, None),
        ("get", "/insights/learning/new/", DP | {"lead"}, 403),
        ("get", f"/insights/learning/{published}/", ALL, None),
        ("get", f"/insights/learning/{draft}/", DP, 404),
        ("get", f"/insights/learning/{lead_draft}/", DP | {"lead"}, 404),
        ("get", f"/insights/learning/{lead_draft}/change/", DP | {"lead"}, 404),
        ("get", f"/insights/learning/{published}/change/", DP, 403),
        ("get", f"/insights/learning/{draft}/change/", DP, 404),
        ("get", f"/insights/learning/{draft}/publish/", DP, 404),
        ("get", f"/insights/learning/{lead_draft}/publish/", DP, {"lead": 403, "dfe": 404}),
        ("get", f"/insights/learning/{published}/adopt/", DP | {"lead"}, 403),
        ("get", "/insights/learning/search/?q=hub", ALL, None),
        ("get", "/insights/learning/events/", ALL, None),
        ("get", "/insights/learning/events/?format=csv", ALL, None),
        ("get", "/insights/learning/events/new/", DP, 403),
        ("get", f"/insights/learning/events/{event.pk}/", ALL, None),
        ("get", f"/insights/learning/events/{event.pk}/change/", DP, 403),
        ("get", f"/insights/learning/events/{event.pk}/attendance/", DP, 403),
        ("get", "/insights/learning/events/not-attended/", ALL, None),
        ("get", "/insights/learning/events/not-attended/?format=csv", ALL, None),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_rules_say(users, raid, learning, event, role):
    client = client_for(users[role])
    unexpected = []
    for method, url, allowed, otherwise in _pages(raid, learning, event):
        response = getattr(client, method)(url)
        if role in allowed:
            expected = {200, 302}
        else:
            expected = {otherwise[role] if isinstance(otherwise, dict) else otherwise}
        if response.status_code not in expected:
            unexpected.append((url, response.status_code, expected))
    assert unexpected == []


def _csv_titles(client, url) -> str:
    response = client.get(url + "?format=csv")
    return response.content.decode("utf-8-sig")


def test_the_register_shows_each_role_only_what_it_may_see(users, raid):
    for role, shown, hidden in [
        ("pm", ["North East hub staff", "Foster4 fees", "Funding after 2028"], []),
        ("consultant", ["Foster4 fees", "Funding after 2028"], []),
        ("lead", ["North East hub staff", "Assessment teams"], ["Foster4 fees", "Funding after"]),
        ("dfe", ["Assessment teams"], ["North East hub staff", "Foster4 fees", "Funding after"]),
    ]:
        client = client_for(users[role])
        for body in (
            client.get("/insights/raid/").content.decode(),
            _csv_titles(client, "/insights/raid/"),
        ):
            assert all(s in body for s in shown), role
            assert not any(s in body for s in hidden), role


def test_items_past_their_review_date_come_first(users, north_east):
    consultant = users["consultant"]
    log_risk(by=consultant, title="High but reviewed", likelihood=5, impact=5, cluster=north_east)
    log_risk(by=consultant, title="Low and overdue", likelihood=1, impact=1, review_date=days(-2))
    body = client_for(consultant).get("/insights/raid/").content.decode()
    assert body.index("Low and overdue") < body.index("High but reviewed")
    assert "Past review" in body


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("cluster=programme", ["Funding after 2028"], ["North East hub staff"]),
        ("band=high", ["Funding after 2028", "Assessment teams"], ["North East hub staff"]),
        ("escalated=on", ["Assessment teams"], ["Funding after 2028"]),
        ("kind=issue", [], ["Funding after 2028", "Assessment teams"]),
        ("likelihood=4&impact=4", ["Assessment teams"], ["Funding after 2028"]),
    ],
)
def test_the_register_filters(users, raid, query, shown, hidden):
    body = client_for(users["pm"]).get(f"/insights/raid/?{query}").content.decode()
    assert all(s in body for s in shown) and not any(s in body for s in hidden)


def test_the_register_filters_by_owner_and_overdue_review(users, raid):
    item = raid["other"]
    item.review_date = days(-1)
    item.owner = users["pm"]
    services.save_item(item=item, by=users["pm"])
    client = client_for(users["pm"])
    body = client.get(f"/insights/raid/?owner={users['pm'].pk}").content.decode()
    assert "Foster4 fees" in body and "North East hub staff" not in body
    body = client.get("/insights/raid/?overdue=on").content.decode()
    assert "Foster4 fees" in body and "Funding after 2028" not in body


def test_the_register_sorts_and_exports_every_row(users, raid):
    client = client_for(users["pm"])
    body = client.get("/insights/raid/?sort=-item").content.decode()
    assert body.index("Assessment teams") < body.index("North East hub staff")  # newest first
    rows = list(csv.reader(io.StringIO(_csv_titles(client, "/insights/raid/"))))
    assert rows[0][:3] == ["Item", "Type", "Cluster"] and len(rows) == 5
    assert rows[1][0].startswith("RAID-")


def test_an_empty_register_says_so(users):
    body = client_for(users["pm"]).get("/insights/raid/").content.decode()
    assert "No risks, issues, assumptions or dependencies match." in body


def test_the_heat_map_counts_open_risks_by_likelihood_and_impact(users, raid):
    services.close_item(item=raid["other"], note="Agreed", by=users["pm"])
    body = client_for(users["pm"]).get("/insights/raid/heat-map/").content.decode()
    # open risks: North East 3x4, programme 3x5, escalated 4x4 (Foster4's is closed)
    assert "3 open risks, 2 of them scoring high" in body
    assert 'src="data:image/svg+xml;base64,' in body
    assert "likelihood=3&amp;impact=4" in body and "likelihood=4&amp;impact=4" in body
    body = client_for(users["dfe"]).get("/insights/raid/heat-map/").content.decode()
    assert "1 open risk escalated to DfE" in body


def test_the_heat_map_draws_with_a_figure_and_real_text(raid):
    import base64

    from insights.charts import heat_map_svg
    from insights.selectors import heat_map, raid_for_user

    svg = heat_map_svg(heat_map(raid_for_user(raid["ne"].owner)))
    assert "<svg" in svg and "Likelihood" in svg and "Almost certain" in svg
    assert base64.b64encode(svg.encode())  # embeddable as a data URI


def test_the_heat_map_filters_by_cluster(users, raid, north_east):
    body = (
        client_for(users["pm"])
        .get(f"/insights/raid/heat-map/?cluster={north_east.pk}")
        .content.decode()
    )
    assert "2 open risks" in body


def test_top_risks_show_mitigation_per_cluster_and_programme_wide(users, raid):
    body = client_for(users["pm"]).get("/insights/raid/top/").content.decode()
    assert body.index("Programme-wide") < body.index("Funding after 2028")
    assert "Extend the officers&#x27; contracts" in body  # the open action, as mitigation
    assert body.index("Assessment teams") < body.index("North East hub staff")  # by score
    lead = client_for(users["lead"]).get("/insights/raid/top/").content.decode()
    assert "Foster4" not in lead and "Programme-wide" not in lead
    dfe = client_for(users["dfe"]).get("/insights/raid/top/").content.decode()
    assert "Assessment teams" in dfe and "North East hub staff" not in dfe


def test_a_closed_item_can_be_reopened_by_the_delivery_partner(users, raid):
    item = raid["programme"]
    services.close_item(item=item, note="Funding confirmed", by=users["pm"])
    client = client_for(users["consultant"])
    assert client.get(f"/insights/raid/{item.pk}/reopen/").status_code == 200
    response = client.post(f"/insights/raid/{item.pk}/reopen/", {"reason": "Funding withdrawn"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.OPEN
    page = client.get(reverse("insights:raid_detail", args=[item.pk])).content.decode()
    assert "Reopened: Funding withdrawn" in page


def test_a_consultant_logs_a_risk_and_lands_on_its_page(users, north_east):
    client = client_for(users["consultant"])
    response = client.post(
        "/insights/raid/new/",
        {
            "kind": "risk",
            "cluster": north_east.pk,
            "title": "Website outage",
            "cause": "Single hosting provider",
            "event": "The hub website goes down in a campaign week",
            "effect": "Enquiries are lost",
            "owner": users["consultant"].pk,
            "likelihood": "2",
            "impact": "4",
            "response": "transfer",
            "status": "open",
            "review_date": days(30).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Website outage" in page and "8 of 25 (medium)" in page


def test_the_lead_reads_their_own_items_but_cannot_change_them(users, raid):
    page = client_for(users["lead"]).get(f"/insights/raid/{raid['ne'].pk}/").content.decode()
    assert "North East hub staff" in page
    assert "Escalate to DfE" not in page and "Mark as done" not in page
