"""The RAID log's rules: what is refused, with which message on which field, and what the
history keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.history import history_rows
from insights import services
from insights.models import Kind, MitigationAction, RaidItem, Status
from tests.factories import UserFactory

from .conftest import client_for, days, log_risk


def _form_data(**overrides):
    data = {
        "kind": "risk",
        "cluster": "",
        "title": "Enquiry line overloaded",
        "cause": "One officer covers the line.",
        "event": "Calls queue for more than five minutes.",
        "effect": "Callers hang up and do not come back.",
        "description": "",
        "strand": "A",
        "owner": "",
        "likelihood": "3",
        "impact": "3",
        "proximity": "quarter",
        "response": "reduce",
        "status": "open",
        "review_date": days(20).isoformat(),
    }
    data.update(overrides)
    return data


def test_the_score_is_likelihood_times_impact(users):
    item = log_risk(by=users["consultant"], likelihood=4, impact=5)
    item.refresh_from_db()
    assert item.score == 20 and item.band == "High"


@pytest.mark.parametrize("field, value", [("likelihood", 6), ("likelihood", 0), ("impact", 9)])
def test_likelihood_and_impact_outside_1_to_5_are_refused_by_the_service(users, field, value):
    with pytest.raises(ValidationError) as error:
        log_risk(by=users["consultant"], **{field: value})
    assert "from 1" in error.value.message_dict[field][0]
    assert not RaidItem.objects.exists()


@pytest.mark.parametrize("field, value", [("likelihood", "6"), ("impact", "0")])
def test_likelihood_and_impact_outside_1_to_5_are_refused_on_the_field(users, field, value):
    data = _form_data(owner=users["consultant"].pk, **{field: value})
    response = client_for(users["consultant"]).post("/insights/raid/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="#id_{field}_0"' in body and "must be a whole number from 1" in body
    assert not RaidItem.objects.exists()


@pytest.mark.parametrize("field", ["likelihood", "impact"])
def test_the_database_refuses_a_rating_outside_1_to_5(users, field):
    item = log_risk(by=users["consultant"])
    with pytest.raises(IntegrityError), transaction.atomic():
        RaidItem.objects.filter(pk=item.pk).update(**{field: 7, "score": 7 * 4})


def test_the_database_keeps_the_score_equal_to_likelihood_times_impact(users):
    item = log_risk(by=users["consultant"])
    with pytest.raises(IntegrityError), transaction.atomic():
        RaidItem.objects.filter(pk=item.pk).update(score=1)


def test_a_risk_needs_cause_event_and_effect(users):
    with pytest.raises(ValidationError) as error:
        log_risk(by=users["consultant"], cause="", effect=" ")
    assert set(error.value.message_dict) == {"cause", "effect"}


def test_other_kinds_need_a_description(users):
    with pytest.raises(ValidationError) as error:
        log_risk(by=users["consultant"], kind=Kind.DEPENDENCY, cause="", event="", effect="")
    assert "Describe the dependency" in error.value.message_dict["description"][0]


def test_an_owner_must_be_on_the_team_or_lead_the_cluster(users, north_east, other_cluster, dfe):
    with pytest.raises(ValidationError) as error:
        log_risk(by=users["consultant"], owner=dfe, cluster=north_east)
    assert "cannot own this" in error.value.message_dict["owner"][0]
    other_lead = UserFactory(role="cluster_lead", cluster=other_cluster)
    with pytest.raises(ValidationError):
        log_risk(by=users["consultant"], owner=other_lead, cluster=north_east)
    assert log_risk(by=users["consultant"], owner=users["lead"], cluster=north_east).pk


@pytest.mark.parametrize(
    "missing, message",
    [("owner", "Choose who owns this action."), ("due_date", "Enter the date the action is due.")],
)
def test_a_mitigation_needs_an_owner_and_a_due_date(users, raid, missing, message):
    item = raid["ne"]
    data = {"description": "Ring-fence budget", "owner": users["consultant"].pk}
    data["due_date"] = days(10).isoformat()
    data[missing] = ""
    response = client_for(users["consultant"]).post(f"/insights/raid/{item.pk}/actions/new/", data)
    body = response.content.decode()
    assert f'href="#id_{missing}"' in body and message in body
    assert item.actions.count() == 1  # only the fixture's

    with pytest.raises(ValidationError) as error:
        services.add_action(
            item=item,
            description="Ring-fence budget",
            owner=None if missing == "owner" else users["consultant"],
            due_date=None if missing == "due_date" else days(10),
            by=users["consultant"],
        )
    assert error.value.message_dict[missing] == [message]


def test_an_escalation_needs_a_reason_on_its_field(users, raid):
    item = raid["ne"]
    response = client_for(users["consultant"]).post(
        f"/insights/raid/{item.pk}/escalate/", {"escalation_reason": "   "}
    )
    assert "Say why this item is escalated to DfE." in response.content.decode()
    assert 'href="#id_escalation_reason"' in response.content.decode()
    with pytest.raises(ValidationError) as error:
        services.escalate(item=item, reason=" ", by=users["consultant"])
    assert "escalation_reason" in error.value.message_dict
    item.refresh_from_db()
    assert item.escalated_on is None


def test_the_database_refuses_an_escalation_without_a_reason(raid):
    with pytest.raises(IntegrityError), transaction.atomic():
        RaidItem.objects.filter(pk=raid["ne"].pk).update(escalated_on=days(0))


def test_an_item_is_escalated_once(users, raid):
    with pytest.raises(ValidationError) as error:
        services.escalate(item=raid["escalated"], reason="Again", by=users["pm"])
    assert "already escalated" in error.value.messages[0]


def test_dfe_decision_only_on_an_escalated_item(users, raid):
    with pytest.raises(ValidationError):
        services.record_dfe_decision(item=raid["ne"], decision="Yes", by=users["pm"])
    services.record_dfe_decision(item=raid["escalated"], decision="Funded", by=users["pm"])
    raid["escalated"].refresh_from_db()
    assert raid["escalated"].dfe_decision == "Funded"


def test_closing_with_open_actions_is_refused_with_a_message(users, raid):
    item = raid["ne"]
    response = client_for(users["consultant"]).post(
        f"/insights/raid/{item.pk}/close/", {"closure_note": "Contracts extended"}
    )
    body = response.content.decode()
    assert "has 1 open action: mark it done before closing the item." in body
    assert "There is a problem" in body
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_closing_works_once_every_action_is_done_and_keeps_why(users, raid):
    item = raid["ne"]
    action = item.actions.get()
    client = client_for(users["consultant"])
    client.post(f"/insights/raid/{item.pk}/actions/{action.pk}/done/")
    response = client.post(
        f"/insights/raid/{item.pk}/close/", {"closure_note": "Contracts extended"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.closed_on == days(0)
    assert item.closure_note == "Contracts extended"


def test_the_close_page_asks_for_confirmation_and_warns_about_open_actions(users, raid):
    body = client_for(users["pm"]).get(f"/insights/raid/{raid['ne'].pk}/close/").content.decode()
    assert "Close the item" in body and "It still has 1 open action" in body
    raid["ne"].refresh_from_db()
    assert raid["ne"].status == Status.OPEN  # a GET changes nothing


def test_a_closed_item_cannot_be_changed_until_reopened(users, raid):
    item = raid["programme"]
    services.close_item(item=item, note="Funding confirmed", by=users["pm"])
    item.refresh_from_db()
    item.title = "Changed"
    with pytest.raises(ValidationError):
        services.save_item(item=item, by=users["pm"])
    with pytest.raises(ValidationError):
        services.add_action(
            item=item, description="x", owner=users["pm"], due_date=days(3), by=users["pm"]
        )
    services.reopen_item(item=item, reason="Funding withdrawn", by=users["pm"])
    item.refresh_from_db()
    assert item.status == Status.OPEN and item.closed_on is None


def test_the_edit_form_cannot_close_an_item(users, raid):
    item = raid["programme"]
    data = _form_data(owner=users["pm"].pk, status="closed", title=item.title)
    response = client_for(users["pm"]).post(f"/insights/raid/{item.pk}/change/", data)
    assert 'href="#id_status_0"' in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_a_risk_becomes_an_issue_on_the_same_row_and_the_history_shows_it(users, raid):
    item = raid["ne"]
    client = client_for(users["consultant"])
    response = client.post(
        f"/insights/raid/{item.pk}/become-issue/",
        {"description": "Two officers have left.", "became_issue_on": days(-1).isoformat()},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.kind == Kind.ISSUE and item.became_issue_on == days(-1)
    assert item.likelihood == 5 and item.actions.count() == 1  # actions kept
    rows = history_rows(item)
    assert rows[0]["reason"] == "The risk became an issue"
    changed = {c["field"]: (c["old"], c["new"]) for c in rows[0]["changes"]}
    assert changed["Type"] == ("Risk", "Issue")
    page = client.get(f"/insights/raid/{item.pk}/").content.decode()
    assert "Risk → Issue" in page and "a risk that became an issue" in page


def test_only_a_risk_becomes_an_issue(users, raid):
    services.become_issue(item=raid["ne"], what_happened="It happened", by=users["pm"])
    with pytest.raises(ValidationError):
        services.become_issue(item=raid["ne"], what_happened="Again", by=users["pm"])


def test_the_type_is_not_changed_by_an_ordinary_edit(users, raid):
    item = raid["ne"]
    item.kind = Kind.ISSUE
    with pytest.raises(ValidationError) as error:
        services.save_item(item=item, by=users["pm"])
    assert "kind" in error.value.message_dict


def test_every_change_is_kept_with_who_and_what(users, raid):
    item = raid["ne"]
    data = _form_data(
        owner=users["consultant"].pk,
        title=item.title,
        cluster=item.cluster_id,
        likelihood="5",
        status="mitigating",
    )
    client = client_for(users["pm"])
    assert client.post(f"/insights/raid/{item.pk}/change/", data).status_code == 302
    page = client.get(f"/insights/raid/{item.pk}/").content.decode()
    assert "Likelihood: 3: Possible → 5: Almost certain" in page
    assert "Status: Open → Mitigating" in page
    assert str(users["pm"]) in page  # who
    # the action's own history is on the item's page too
    assert "Action: Extend the officers" in page


def test_an_action_is_done_once(users, raid):
    action = MitigationAction.objects.get(item=raid["ne"])
    services.complete_action(action=action, by=users["consultant"])
    with pytest.raises(ValidationError):
        services.complete_action(action=action, by=users["consultant"])
