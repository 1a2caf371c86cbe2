import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme.models import DayRate, Grade
from programme.selectors import day_rate_on
from programme.services import add_day_rate, vary_contract
from tests.clock import FIXED_DAY
from tests.conftest import client_for

pytestmark = pytest.mark.dates


def test_a_variation_extends_the_contract_adds_caps_and_keeps_the_old_terms(contract, pm):
    variation = vary_contract(
        contract=contract,
        new_end_date=datetime.date(2028, 3, 31),
        new_total_cap=Decimal("2300000"),
        added_caps={2025: Decimal("400000")},
        reason="Funded for 2025-26",
        by=pm,
    )
    contract.refresh_from_db()
    assert contract.end_date == datetime.date(2028, 3, 31)
    assert [c.start_year for c in contract.caps.all()] == [2023, 2024, 2025]
    assert variation.previous_end_date == datetime.date(2025, 3, 31)
    assert contract.history.earliest().end_date == datetime.date(2025, 3, 31)


def test_a_variation_must_extend_the_end_date(contract):
    with pytest.raises(ValidationError) as error:
        vary_contract(
            contract=contract,
            new_end_date=datetime.date(2024, 1, 1),
            new_total_cap=Decimal("1"),
            added_caps={},
            reason="x",
        )
    assert "new_end_date" in error.value.message_dict


def test_a_rate_change_applies_from_its_date_and_never_overwrites(contract):
    grade = Grade.objects.get()
    add_day_rate(grade=grade, valid_from=datetime.date(2025, 4, 1), rate=Decimal("824"))
    assert day_rate_on(grade, datetime.date(2025, 3, 31)) == Decimal("800")
    assert day_rate_on(grade, datetime.date(2025, 4, 1)) == Decimal("824")
    with pytest.raises(ValidationError) as error:
        add_day_rate(grade=grade, valid_from=datetime.date(2025, 4, 1), rate=Decimal("900"))
    assert "never overwritten" in error.value.message_dict["valid_from"][0]
    assert DayRate.objects.get(valid_from=datetime.date(2025, 4, 1)).rate == Decimal("824")


@pytest.mark.parametrize(
    "role,status", [("pm", 200), ("consultant", 200), ("dfe", 200), ("lead", 403)]
)
def test_the_contract_and_rate_card_are_hidden_from_cluster_leads(users, contract, role, status):
    response = client_for(users[role]).get("/programme/contract/")
    assert response.status_code == status
    if status == 200:
        assert "650,000" in response.content.decode() and "800" in response.content.decode()


def test_no_money_reaches_a_cluster_lead_anywhere_they_can_go(users, contract, north_east):
    north_east.grant_amount = Decimal("2500000")
    north_east.save()
    client = client_for(users["lead"])
    for url in [
        "/",
        "/programme/",
        "/programme/milestones/",
        "/programme/kpis/",
        "/clusters/",
        "/clusters/north-east/",
    ]:
        body = client.get(url).content.decode()
        assert "650,000" not in body and "Day rate" not in body, url
        assert 'href="/programme/contract/"' not in body
    # their own cluster's grant is theirs to see
    assert "2,500,000" in client.get("/clusters/north-east/").content.decode()


@pytest.mark.parametrize("role", ["consultant", "lead", "dfe"])
def test_only_a_programme_manager_changes_the_contract(users, contract, role):
    client = client_for(users[role])
    for url in [
        "/programme/contract/settings/",
        "/programme/contract/vary/",
        "/programme/rates/add/",
    ]:
        assert client.post(url, {"hours_per_day": "8"}).status_code == 403, url


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_a_programme_manager_adds_a_rate_through_the_page(users, contract):
    grade = Grade.objects.get()
    client = client_for(users["pm"])
    response = client.post(
        "/programme/rates/add/", {"grade": grade.pk, "valid_from": "2023-06-01", "rate": "999"}
    )
    assert response.status_code == 200
    assert "never overwritten" in response.content.decode()
    response = client.post(
        "/programme/rates/add/", {"grade": grade.pk, "valid_from": "2024-04-01", "rate": "850"}
    )
    assert response.status_code == 302
    assert day_rate_on(grade, datetime.date(2024, 5, 1)) == Decimal("850")


@pytest.mark.time_machine(FIXED_DAY)  # its dates are written out
def test_a_variation_form_names_the_bad_line(users, contract):
    response = client_for(users["pm"]).post(
        "/programme/contract/vary/",
        {
            "new_end_date": "2028-03-31",
            "new_total_cap": "2300000",
            "added_caps": "2025 400000\n2026 lots",
            "agreed_on": "2025-03-01",
            "reason": "Funded",
        },
    )
    assert "Line 2 should be a starting year and a cap" in response.content.decode()
