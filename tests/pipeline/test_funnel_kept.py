"""Funnels are kept in the shared cache under a key that moves with every change of the
figures under them (pipeline.facts.figures_version): a funnel nobody changed is read, not
computed, and a change shows on the very next read, whichever process computed it before."""

import datetime

import pytest

from clusters.models import ClusterMembership
from clusters.services import end_membership
from pipeline.scope import ENGLAND, make_period, scope_for
from pipeline.selectors import _funnel, funnel, late_returns
from pipeline.services.returns import ReturnCounts, reopen_return, save_return, submit_return
from tests.clock import FIXED_DAY
from tests.factories import authorities
from tests.pipeline.test_pages import add_records

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FIXED_DAY)]

YEAR = make_period("fy", datetime.date(2024, 4, 1))
MAY = datetime.date(2024, 5, 1)


def enquiries(scope=ENGLAND, period=YEAR) -> int:
    kept = funnel(scope, period)
    # what is kept is what would be computed now
    assert kept == _funnel(scope, period, detail=True)
    return kept["enquiries"]


def test_an_unchanged_funnel_is_read_in_one_query(north_east, django_assert_num_queries):
    add_records(authorities("Sunderland"), 50)
    first = funnel(ENGLAND, YEAR)
    with django_assert_num_queries(1):  # the figures' version; the rest is kept
        assert funnel(ENGLAND, YEAR) == first


def test_a_return_moves_the_funnel_at_once_when_submitted_reopened_or_replaced(users, north_east):
    add_records(authorities("Sunderland"), 50)
    before = enquiries()
    darlington = authorities("Darlington")[0]
    draft, _ = save_return(
        local_authority=darlington,
        month=MAY,
        counts=ReturnCounts(stages={"enquiry": 80}),
        user=users["lead"],
    )
    assert enquiries() == before  # a draft is the LA's own
    submit_return(monthly_return=draft, user=users["lead"])
    assert enquiries() == before + 80
    reopen_return(monthly_return=draft, user=users["pm"])
    assert enquiries() == before
    replaced, _ = save_return(
        local_authority=darlington,
        month=MAY,
        counts=ReturnCounts(stages={"enquiry": 30}),
        user=users["lead"],
    )
    submit_return(monthly_return=replaced, user=users["lead"])
    assert enquiries() == before + 30


def test_an_import_moves_the_funnel_at_once(north_east):
    add_records(authorities("Sunderland"), 50)
    before = enquiries()
    add_records(authorities("Gateshead"), 40, seed=7)
    assert enquiries() > before


def test_a_cluster_funnel_moves_when_an_la_leaves_the_cluster(users, north_east):
    gateshead = authorities("Gateshead")
    add_records(gateshead, 40)
    cluster = scope_for(north_east)
    assert enquiries(cluster) > 0
    end_membership(
        membership=ClusterMembership.objects.get(local_authority=gateshead[0]),
        left_on=FIXED_DAY.date(),
    )
    assert enquiries(cluster) == 0


def test_late_returns_on_the_home_page_move_when_a_return_is_submitted(users, north_east):
    sunderland = authorities("Sunderland")[0]
    # two months ago: its return was due on the 10th of last month
    month = (FIXED_DAY.date().replace(day=1) - datetime.timedelta(days=40)).replace(day=1)

    def late_for_sunderland():
        return [r for r in late_returns(users["lead"]) if r["local_authority"] == "Sunderland"]

    late = late_for_sunderland()
    assert any(r["month"] == month for r in late)
    saved, _ = save_return(
        local_authority=sunderland,
        month=month,
        counts=ReturnCounts(stages={"enquiry": 3}),
        user=users["lead"],
    )
    submit_return(monthly_return=saved, user=users["lead"])
    assert not any(r["month"] == month for r in late_for_sunderland())


def test_an_import_keeps_the_most_read_funnels_ahead_of_their_first_reader(
    north_east, monkeypatch, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from core import tasks as core_tasks
    from pipeline import tasks
    from pipeline.scope import add_months

    queued = []
    monkeypatch.setattr(core_tasks, "enqueue", lambda task, *a, **k: queued.append((task, k)))
    with django_capture_on_commit_callbacks(execute=True):
        add_records(authorities("Sunderland"), 50)  # committed as an import commits
    # queued once the records are committed, never worked out in the committing request
    assert (tasks.keep_figures, {"only_apart": True}) in queued

    assert tasks.keep_figures() == 4  # what the worker does with it
    today = FIXED_DAY.date()
    for period in (make_period("fy", today), make_period("month", add_months(today, -1))):
        with django_assert_num_queries(1):  # the figures' version: the rest was kept
            funnel(ENGLAND, period)
