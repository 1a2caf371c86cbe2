"""Search over the learning and RAID logs: full text on PostgreSQL, every word appearing on
SQLite, and in both only what the reader may see."""

import pytest
from django.db import connection

from insights.selectors import search

from .conftest import ROLES, client_for, log_risk


def _titles(user, query, **filters) -> list[str]:
    return [r.title for r in search(user, query=query, **filters)]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_finds_a_published_lesson_by_a_word_in_its_body(users, learning, role):
    body = client_for(users[role]).get("/insights/learning/search/?q=kingfisher").content.decode()
    assert "1 result" in body and "Answer within one working day" in body
    assert "kingfisher" in body  # the passage that matched


def test_drafts_are_found_only_by_those_who_may_read_them(users, learning):
    assert _titles(users["consultant"], "fees") == ["Consultant's draft on fees"]
    assert _titles(users["lead"], "fees") == []
    assert _titles(users["lead"], "texts") == ["Lead's draft on texts"]
    assert _titles(users["dfe"], "texts") == []


def test_raid_items_are_found_only_within_the_readers_scope(users, raid):
    def found(role):
        return {
            t.split(": ", 1)[1] for t in _titles(users[role], "formula OR assessment OR funding")
        }

    if connection.vendor != "postgresql":
        # the fallback has no OR: one word at a time
        def found(role):
            return {
                t.split(": ", 1)[1]
                for word in ("formula", "assessment", "funding")
                for t in _titles(users[role], word)
            }

    assert found("pm") == {
        "Foster4 fees formula stalls",
        "Assessment teams cannot keep up",
        "Funding after 2028 unconfirmed",
    }
    assert found("lead") == {"Assessment teams cannot keep up"}
    assert found("dfe") == {"Assessment teams cannot keep up"}


def test_every_word_must_match(users, learning):
    assert _titles(users["pm"], "enquirer kingfisher") == ["Answer within one working day"]
    assert _titles(users["pm"], "kingfisher zebra") == []


def test_filters_by_type_theme_and_cluster(users, learning, raid, north_east, other_cluster):
    pm = users["pm"]
    assert _titles(pm, "kingfisher", type="learning:best_practice") == [
        "Answer within one working day"
    ]
    assert _titles(pm, "kingfisher", type="learning:lesson") == []
    assert _titles(pm, "kingfisher", theme="hub_design") == ["Answer within one working day"]
    assert _titles(pm, "kingfisher", theme="mockingbird") == []
    assert _titles(pm, "kingfisher", cluster=other_cluster) == []
    assert [t.split(": ")[1] for t in _titles(pm, "formula", type="raid:risk")] == [
        "Foster4 fees formula stalls"
    ]
    assert _titles(pm, "formula", type="learning") == []
    # RAID items have no themes: a theme filter leaves them out
    assert _titles(pm, "formula", theme="standard_offer") == []
    assert _titles(pm, "formula", cluster=north_east) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_search_finds_other_forms_of_a_word_and_ranks_titles_first(users):
    consultant = users["consultant"]
    log_risk(by=consultant, title="Recruiting officers", effect="Nothing about it here.")
    log_risk(by=consultant, title="Other", cause="The hub is recruiting in winter.")
    titles = [t.split(": ", 1)[1] for t in _titles(consultant, "recruitment")]
    assert titles == ["Recruiting officers", "Other"]


def test_an_empty_search_shows_the_form_and_no_results(users):
    body = client_for(users["pm"]).get("/insights/learning/search/").content.decode()
    assert "Search the shared-learning log and the RAID log" in body
    assert "result" not in body.split("Search the shared-learning")[1]


def test_a_search_with_no_matches_says_so(users, learning):
    body = client_for(users["pm"]).get("/insights/learning/search/?q=zebra").content.decode()
    assert "0 results" in body and "Nothing you can see matches" in body
