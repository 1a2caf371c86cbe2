import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pipeline.models import MonthlyReturn, ReturnStageCount, ReturnStatus, Stage
from pipeline.services import accept_return, import_returns_file, save_return, submit_return
from pipeline.services.returns import ReturnCounts, export_template_csv

from .conftest import TODAY

pytestmark = pytest.mark.dates

MAY = datetime.date(2024, 5, 1)


def counts(enquiry=100, conversation=40, application=6, exits=None, channels=None):
    return ReturnCounts(
        stages={"enquiry": enquiry, "conversation": conversation, "application": application},
        exits=exits or {},
        channels=channels or {"hub-website": 60, "regional-campaign": 40},
    )


def test_the_seed_loads_the_seven_stages_in_journey_order(db):
    names = list(Stage.objects.values_list("name", flat=True))
    assert names[0] == "Initial enquiry" and names[-1] == "Approval" and len(names) == 7


def test_a_cluster_lead_keys_a_return_for_a_member_la(lead, sunderland):
    monthly_return, warnings = save_return(
        local_authority=sunderland, month=MAY, counts=counts(), user=lead, today=TODAY
    )
    assert monthly_return.status == ReturnStatus.DRAFT and warnings == []
    assert monthly_return.stage_counts.get(stage__code="enquiry").count == 100


def test_a_cluster_lead_cannot_key_a_return_for_another_clusters_la(lead, warrington):
    with pytest.raises(ValidationError) as error:
        save_return(local_authority=warrington, month=MAY, counts=counts(), user=lead, today=TODAY)
    assert "local_authority" in error.value.message_dict
    assert not MonthlyReturn.objects.exists()


def test_negative_counts_are_refused_on_the_field(lead, sunderland):
    with pytest.raises(ValidationError) as error:
        save_return(
            local_authority=sunderland, month=MAY, counts=counts(enquiry=-1), user=lead, today=TODAY
        )
    assert "cannot be negative" in error.value.message_dict["stage_enquiry"][0]


def test_exits_at_a_stage_cannot_exceed_those_who_entered_it_to_date(lead, sunderland):
    save_return(
        local_authority=sunderland,
        month=datetime.date(2024, 4, 1),
        counts=counts(application=3),
        user=lead,
        today=TODAY,
    )
    # 3 + 6 applications to date: 9 exits are fine, 10 are not
    save_return(
        local_authority=sunderland,
        month=MAY,
        counts=counts(exits={("application", "not-suitable"): 9}),
        user=lead,
        today=TODAY,
    )
    with pytest.raises(ValidationError) as error:
        save_return(
            local_authority=sunderland,
            month=MAY,
            counts=counts(exits={("application", "not-suitable"): 10}),
            user=lead,
            today=TODAY,
        )
    assert (
        "more than the 9 who entered it"
        in error.value.message_dict["exit_application_not-suitable"][0]
    )


def test_an_implausible_jump_is_a_warning_not_an_error(lead, sunderland):
    for month in (1, 2, 3, 4):
        save_return(
            local_authority=sunderland,
            month=datetime.date(2024, month, 1),
            counts=counts(enquiry=50),
            user=lead,
            today=TODAY,
        )
    _, warnings = save_return(
        local_authority=sunderland, month=MAY, counts=counts(enquiry=400), user=lead, today=TODAY
    )
    assert warnings and "more than 3 times" in warnings[0]
    assert MonthlyReturn.objects.get(month=MAY).warnings == warnings


def test_a_month_in_the_future_or_before_the_programme_is_refused(lead, sunderland):
    for month in (datetime.date(2024, 7, 1), datetime.date(2023, 5, 1)):
        with pytest.raises(ValidationError) as error:
            save_return(
                local_authority=sunderland, month=month, counts=counts(), user=lead, today=TODAY
            )
        assert "month" in error.value.message_dict


def test_the_database_refuses_a_second_return_for_the_same_la_and_month(lead, sunderland):
    save_return(local_authority=sunderland, month=MAY, counts=counts(), user=lead, today=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReturn.objects.create(local_authority=sunderland, month=MAY)


def test_the_database_refuses_negative_counts(lead, sunderland):
    monthly_return, _ = save_return(
        local_authority=sunderland, month=MAY, counts=counts(), user=lead, today=TODAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnStageCount.objects.filter(monthly_return=monthly_return).update(count=-5)


def test_draft_submitted_accepted_and_then_final(lead, pm, sunderland):
    monthly_return, _ = save_return(
        local_authority=sunderland, month=MAY, counts=counts(), user=lead, today=TODAY
    )
    with pytest.raises(ValidationError):
        accept_return(monthly_return=monthly_return, user=pm)  # not yet submitted
    monthly_return = submit_return(monthly_return=monthly_return, user=lead)
    with pytest.raises(ValidationError):
        accept_return(monthly_return=monthly_return, user=lead)  # leads cannot accept
    monthly_return = accept_return(monthly_return=monthly_return, user=pm)
    assert monthly_return.status == ReturnStatus.ACCEPTED and monthly_return.accepted_by == pm
    with pytest.raises(ValidationError) as error:
        save_return(local_authority=sunderland, month=MAY, counts=counts(), user=lead, today=TODAY)
    assert "accepted" in error.value.message_dict["month"][0]


def test_the_spreadsheet_template_round_trips_through_the_same_rules(lead, sunderland):
    text = export_template_csv([sunderland], MAY)
    lines = text.splitlines()
    filled = [lines[0]] + [
        line
        + ("120" if ",entered,enquiry," in line else "3" if ",entered,application," in line else "")
        for line in lines[1:]
    ]
    result = import_returns_file(
        data="\n".join(filled).encode(), filename="returns.csv", user=lead, today=TODAY
    )
    assert result["errors"] == [] and result["saved"] == 1
    saved = MonthlyReturn.objects.get(local_authority=sunderland, month=MAY)
    assert saved.stage_counts.get(stage__code="enquiry").count == 120


def test_a_spreadsheet_with_one_bad_row_saves_nothing(lead, sunderland, warrington):
    data = (
        "la_code,month,measure,stage,reason_or_channel,count\n"
        f"{sunderland.dfe_code},2024-05,entered,enquiry,,100\n"
        f"{warrington.dfe_code},2024-05,entered,enquiry,,100\n"
        f"{sunderland.dfe_code},2024-05,entered,application,,-2\n"
        f'{sunderland.dfe_code},2024-05,exited,enquiry,no-contact,=HYPERLINK("x")\n'
    ).encode()
    result = import_returns_file(data=data, filename="returns.csv", user=lead, today=TODAY)
    messages = {(e["line"], e["column"]): e["message"] for e in result["errors"]}
    assert "not one of your LAs" in messages[(3, "la_code")]
    assert "negative" in messages[(4, "count")]
    assert "Formulas" in messages[(5, "")]
    assert not MonthlyReturn.objects.exists()


def test_a_spreadsheet_breaking_a_service_rule_saves_nothing(lead, sunderland):
    data = (
        "la_code,month,measure,stage,reason_or_channel,count\n"
        f"{sunderland.dfe_code},2024-04,entered,enquiry,,100\n"
        f"{sunderland.dfe_code},2024-05,entered,enquiry,,10\n"
        f"{sunderland.dfe_code},2024-05,exited,application,not-suitable,4\n"
    ).encode()
    result = import_returns_file(data=data, filename="returns.csv", user=lead, today=TODAY)
    assert result["saved"] == 0 and "more than the 0" in result["errors"][0]["message"]
    assert not MonthlyReturn.objects.exists()


def test_a_spreadsheet_that_is_not_one_is_refused(lead):
    result = import_returns_file(
        data=b"PK\x03\x04garbage", filename="returns.xlsx", user=lead, today=TODAY
    )
    assert "not an Excel workbook" in result["errors"][0]["message"]
