import datetime
import json

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import ProgressUpdate
from programme.models import Milestone
from reports.gather import gather_monthly, gather_quarterly

from .conftest import MAY


def _section(data, key):
    return next(s for s in data["sections"] if s["key"] == key)


def _block(section, key):
    return next(b for b in section["blocks"] if b["key"] == key)


def test_monthly_data_is_plain_json_with_a_section_per_cluster(programme_data):
    data = gather_monthly(MAY)

    json.dumps(data)  # nothing but numbers, strings and lists
    assert data["period"]["label"] == "May 2024"
    assert [c["name"] for c in data["clusters"]] == ["Foster4", "North East"]
    assert {"cluster-north-east", "cluster-foster4", "programme-milestones"} <= {
        s["key"] for s in data["sections"]
    }


def test_confidence_shows_the_months_rating_and_its_change(programme_data):
    ne = _section(gather_monthly(MAY), "cluster-north-east")

    confidence = _block(ne, "confidence")
    assert confidence["tables"][0]["rows"] == [["Green", "Amber", "Improved"]]
    assert "Hub answering calls across the region." in confidence["text"][0]


def test_milestones_are_counted_due_met_and_missed(programme_data):
    data = gather_monthly(MAY)

    programme = _block(_section(data, "programme-milestones"), "milestones")
    assert programme["tables"][0]["rows"] == [[0, 1, 0]]
    foster4 = _block(_section(data, "cluster-foster4"), "milestones")
    assert foster4["tables"][0]["rows"] == [[0, 0, 1]]
    ne = _block(_section(data, "cluster-north-east"), "milestones")
    assert ne["tables"][1]["rows"][0][0] == "Standard offer agreed"
    assert ne["tables"][1]["rows"][0][-1] == "Due"


def test_funnel_per_cluster_against_the_national_baseline(programme_data):
    ne = _block(_section(gather_monthly(MAY), "cluster-north-east"), "pipeline")

    month = ne["tables"][0]["rows"][0]
    assert month[1:] == [100, 20, 0, 20.0]  # 40 + 60 enquiries, 9 + 11 applications
    assert ne["tables"][0]["rows"][-1][-1] == 6.0
    assert ne["chart"]["rows"][0] == ["This month", 20.0]


def test_harmonisation_counts_members_in_place(programme_data):
    ne = _block(_section(gather_monthly(MAY), "cluster-north-east"), "harmonisation")

    branding = next(r for r in ne["tables"][0]["rows"] if r[0].startswith("Regional campaign"))
    assert branding[1] == 2 and branding[4] == 10 and branding[5] == round(100 * 2 / 12, 1)


def test_an_area_not_yet_built_is_marked_unavailable_with_the_reason(programme_data, monkeypatch):
    import reports.gather as g

    monkeypatch.setattr(
        g,
        "MONTHLY_PROVIDERS",
        [("risks", "Risks", lambda ctx: g._area_function("nowhere.selectors", "top"))]
        + g.MONTHLY_PROVIDERS[1:],
    )
    data = g.gather_monthly(MAY)

    missing = _block(_section(data, "cluster-north-east"), "risks")
    assert missing["available"] is False
    assert "does not provide these figures yet (nowhere.selectors)" in missing["reason"]
    assert data["sources"][0]["available"] is False


def test_quarterly_kpis_against_target_with_direction_of_travel(programme_data):
    data = gather_quarterly(datetime.date(2024, 5, 15))

    assert data["period"]["label"] == "April to June 2024"
    row = _block(_section(data, "programme-kpis"), "kpis")["tables"][0]["rows"][0]
    assert row[0] == "Enquiry to application conversion"
    assert row[-3:-2] == [12.5] and row[-2:] == ["Yes", "Improving"]
    foster4 = _block(_section(data, "cluster-foster4"), "kpis")["tables"][0]["rows"][0]
    assert foster4[-2:] == ["No", "No earlier value"]


def _many_rows(programme_data):
    for cluster in programme_data.values():
        for i in range(30):
            Milestone.objects.create(
                cluster=cluster,
                title=f"Extra {i}",
                baseline_date=datetime.date(2024, 5, 2),
                forecast_date=datetime.date(2024, 5, 3 + i % 20),
            )
        for year in (2019, 2020, 2021, 2022):
            for month in range(1, 13):
                ProgressUpdate.objects.create(
                    cluster=cluster,
                    month=datetime.date(year, month, 1),
                    rating="amber",
                    progress="Old news",
                )


def test_gathering_uses_the_same_number_of_queries_with_few_or_many_records(programme_data):
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as few:
        gather_monthly(MAY)
        gather_quarterly(MAY)
    _many_rows(programme_data)
    cache.clear()  # counted as computed, not as read from the cache
    with CaptureQueriesContext(connection) as many:
        gather_monthly(MAY)
        gather_quarterly(MAY)

    assert len(many) == len(few)
