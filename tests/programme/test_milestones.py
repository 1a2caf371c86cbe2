import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programme.models import Milestone
from programme.selectors import milestones_for_user
from programme.services import rebaseline, save_milestone
from tests.clock import FIXED_DAY
from tests.conftest import client_for

pytestmark = pytest.mark.dates


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_an_actual_date_in_the_future_is_refused_on_its_field(users, ne_milestone):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(users["pm"]).post(
        f"/programme/milestones/{ne_milestone.pk}/edit/",
        {
            "cluster": ne_milestone.cluster_id,
            "title": ne_milestone.title,
            "forecast_date": "2024-08-30",
            "actual_date": tomorrow.isoformat(),
            "status": "complete",
            "baseline_date": "2024-06-30",
        },
    )
    assert response.status_code == 200
    assert 'href="#id_actual_date"' in response.content.decode()
    assert "cannot be in the future" in response.content.decode()
    ne_milestone.refresh_from_db()
    assert ne_milestone.actual_date is None


def test_rebaselining_needs_a_reason_and_keeps_the_old_baseline(ne_milestone):
    with pytest.raises(ValidationError):
        rebaseline(milestone=ne_milestone, baseline_date=datetime.date(2024, 9, 30), reason=" ")
    rebaseline(
        milestone=ne_milestone,
        baseline_date=datetime.date(2024, 9, 30),
        reason="Legal review of the fees formula",
    )
    baselines = list(
        ne_milestone.history.order_by("history_date").values_list("baseline_date", flat=True)
    )
    assert baselines == [datetime.date(2024, 6, 30), datetime.date(2024, 9, 30)]


def test_the_baseline_cannot_be_changed_by_an_ordinary_edit(ne_milestone):
    ne_milestone.baseline_date = datetime.date(2025, 1, 1)
    with pytest.raises(ValidationError) as error:
        save_milestone(milestone=ne_milestone)
    assert "re-baselining" in error.value.message_dict["baseline_date"][0]


def test_lists_show_slippage_and_overdue_first(pm, ne_milestone, programme_milestone):
    rows = list(milestones_for_user(pm, today=datetime.date(2024, 7, 1)))
    assert rows[0] == programme_milestone  # forecast passed, not met: overdue
    assert rows[0].overdue and not rows[1].overdue
    assert rows[1].slip.days == 61


def test_a_milestone_past_its_forecast_has_slipped_until_today(pm, programme_milestone):
    """It read "Overdue" with "Slippage 0 days" when its forecast was its baseline."""
    programme_milestone.forecast_date = programme_milestone.baseline_date
    programme_milestone.save()
    later = programme_milestone.forecast_date + datetime.timedelta(days=12)
    (row,) = [r for r in milestones_for_user(pm, today=later) if r.pk == programme_milestone.pk]
    assert row.overdue and row.slip.days == 12


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
@pytest.mark.time_machine(datetime.datetime(2024, 7, 1, 9, 0, tzinfo=datetime.UTC))
def test_the_programme_manager_rebaselines_and_sees_the_slip_and_history(users, ne_milestone):
    client = client_for(users["pm"])
    response = client.post(
        f"/programme/milestones/{ne_milestone.pk}/rebaseline/",
        {"baseline_date": "2024-07-31", "reason": "Waiting for DfE guidance"},
    )
    assert response.status_code == 302
    body = client.get(f"/programme/milestones/{ne_milestone.pk}/").content.decode()
    assert "30 days against baseline" in body
    assert "Re-baselined: Waiting for DfE guidance" in body
    assert "30 Jun 2024" in body or "2024-06-30" in body  # the old baseline in the history


def test_a_cluster_lead_edits_their_own_cluster_milestones_only(
    users, ne_milestone, other_milestone, programme_milestone
):
    client = client_for(users["lead"])
    assert client.get(f"/programme/milestones/{ne_milestone.pk}/edit/").status_code == 200
    assert client.get(f"/programme/milestones/{other_milestone.pk}/").status_code == 404
    assert client.get(f"/programme/milestones/{other_milestone.pk}/edit/").status_code == 404
    assert client.post(f"/programme/milestones/{other_milestone.pk}/rebaseline/").status_code == 404
    assert client.get(f"/programme/milestones/{programme_milestone.pk}/").status_code == 200
    assert client.post(f"/programme/milestones/{programme_milestone.pk}/edit/").status_code == 403
    body = client.get("/programme/milestones/").content.decode()
    assert "Standard offer agreed" in body and "Foster4 campaign" not in body
    csv = client.get("/programme/milestones/?format=csv").content.decode()
    assert "Foster4 campaign" not in csv


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_a_cluster_lead_adds_a_milestone_only_to_their_own_cluster(
    users, north_east, other_cluster
):
    response = client_for(users["lead"]).post(
        "/programme/milestones/new/",
        {
            "cluster": other_cluster.pk,
            "title": "Sneaky",
            "baseline_date": "2025-01-31",
            "status": "not_started",
        },
    )
    assert response.status_code == 302
    assert Milestone.objects.get(title="Sneaky").cluster == north_east


def test_the_dfe_reader_reads_milestones_but_changes_none(users, ne_milestone):
    client = client_for(users["dfe"])
    assert client.get(f"/programme/milestones/{ne_milestone.pk}/").status_code == 200
    for url in [
        "/programme/milestones/new/",
        f"/programme/milestones/{ne_milestone.pk}/edit/",
        f"/programme/milestones/{ne_milestone.pk}/rebaseline/",
    ]:
        assert client.post(url, {"title": "x"}).status_code == 403, url
