"""The service navigation stays short: related pages share one entry and a sub-navigation."""

import pytest

from tests.conftest import client_for


def _top_labels(body: str) -> list[str]:
    import re

    nav = body.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


def test_programme_pages_share_one_entry_and_a_sub_navigation(users):
    body = client_for(users["pm"]).get("/programme/milestones/").content.decode()

    labels = _top_labels(body)
    assert labels.count("Programme") == 1
    assert "Milestones" not in labels and "KPIs" not in labels
    sub = body.split('class="app-subnav"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-current="page">Milestones</a>' in sub
    for label in ("Overview", "KPIs", "Contract"):
        assert f">{label}</a>" in sub


def test_the_sub_navigation_shows_a_cluster_lead_no_money_page(users):
    body = client_for(users["lead"]).get("/programme/milestones/").content.decode()

    sub = body.split('class="app-subnav"', 1)[1].split("</nav>", 1)[0]
    assert "Contract" not in sub
    assert ">KPIs</a>" in sub


@pytest.mark.parametrize("path", ["/clusters/", "/progress/", "/authorities/"])
def test_cluster_pages_mark_the_clusters_entry_as_current(users, path):
    body = client_for(users["consultant"]).get(path).content.decode()

    nav = body.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    assert 'aria-current="page"' in nav.split("Clusters", 1)[0].rsplit("<li", 1)[1]
