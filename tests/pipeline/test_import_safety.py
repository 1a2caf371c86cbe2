"""Imports that cannot silently lose data (issue 17): a mapped column missing from the file,
values a commit would clear, the LA pinned by a profile and named per batch, a file already
committed, versioned profiles, and unknown codes a lead asks programme managers to add."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from clusters.models import LocalAuthority
from pipeline import example_profiles
from pipeline.models import BatchStatus, CodeRequest, ImportBatch, ImportProfile, PipelineRecord
from pipeline.services import (
    commit_batch,
    create_batch,
    recheck_batch,
    request_codes,
    save_profile,
)

TODAY = datetime.date(2026, 1, 15)
HEADER = "Case Ref;Enquiry Date;Home Visit Date;Application Received;Source"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.fixture
def gateshead(north_east):
    return LocalAuthority.objects.get(name="Gateshead")


@pytest.fixture
def profile(pm, gateshead):
    """One council's system: no LA column, its own source codes."""
    return save_profile(
        profile=ImportProfile(
            name="Gateshead case system",
            file_type="csv",
            encoding="cp1252",
            delimiter=";",
            date_format="%d.%m.%Y",
            local_authority=gateshead,
            column_map={
                "la_reference": "Case Ref",
                "enquiry_date": "Enquiry Date",
                "conversation_date": "Home Visit Date",
                "application_date": "Application Received",
                "source": "Source",
            },
            channel_codes={"WEB": "la-website", "HUB": "hub-website"},
        ),
        user=pm,
    )


def csv(*rows, header=HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("cp1252")


ROWS = [f"G-{n};0{n}.03.2024;1{n}.03.2024;;WEB" for n in range(1, 6)]


def upload(user, profile, data, la=None, name="gateshead.csv"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = create_batch(
            profile=profile, upload=SimpleUploadedFile(name, data), user=user, local_authority=la
        )
    return ImportBatch.objects.get(pk=batch.pk)


def test_a_one_la_profile_needs_no_la_and_each_batch_names_its_las(lead, profile, gateshead):
    batch = upload(lead, profile, csv(*ROWS))
    assert batch.status == BatchStatus.VALIDATED, batch.errors
    assert batch.local_authority == gateshead
    assert [(a["name"], a["rows"], a["new"]) for a in batch.authority_counts] == [
        ("Gateshead", 5, 5)
    ]
    commit_batch(batch=batch, user=lead)
    assert PipelineRecord.objects.filter(local_authority=gateshead).count() == 5


def test_a_one_la_profile_refuses_another_la(lead, profile):
    sunderland = LocalAuthority.objects.get(name="Sunderland")
    with pytest.raises(ValidationError) as refused:
        upload(lead, profile, csv(*ROWS), la=sunderland)
    assert "is Gateshead's system" in str(refused.value.message_dict["local_authority"])


def test_forgetting_the_la_is_one_message_at_upload_not_one_per_row(lead, profile, pm):
    profile.local_authority = None
    save_profile(profile=profile, user=pm)
    with pytest.raises(ValidationError) as refused:
        upload(lead, profile, csv(*ROWS))
    assert refused.value.message_dict["local_authority"] == [
        "Files of the profile 'Gateshead case system' have no LA column: choose the LA whose "
        "export this is."
    ]
    assert not ImportBatch.objects.exists()


def test_a_file_of_another_las_references_is_flagged(lead, profile, gateshead):
    stored = [f"G-{n};01.03.2024;;;WEB" for n in range(100, 130)]
    commit_batch(batch=upload(lead, profile, csv(*stored)), user=lead)
    sunderlands = [f"S-{n};01.04.2024;;;WEB" for n in range(1, 40)]
    batch = upload(lead, profile, csv(*sunderlands), name="sunderland.csv")
    (entry,) = batch.authority_counts
    assert (entry["name"], entry["new"], entry["stored"], entry["suspect"]) == (
        "Gateshead",
        39,
        30,
        True,
    )
    again = upload(lead, profile, csv(*stored[:5]))
    assert not again.authority_counts[0]["suspect"]


def test_a_mapped_column_missing_from_the_file_refuses_the_whole_file(lead, profile):
    header = HEADER.replace("Home Visit Date", "Home Vist Date")
    batch = upload(lead, profile, csv(*ROWS, header=header))
    assert batch.status == BatchStatus.FAILED
    assert batch.error_count == 1
    (error,) = batch.errors
    assert error["column"] == "Home Visit Date"
    assert (
        "'Home Visit Date' (initial conversation or home visit date) is not in the file"
        in error["message"]
    )
    assert "closest headings in the file are 'Home Vist Date'" in error["message"]
    assert batch.total_rows == 0


def test_headings_differing_only_in_case_or_spaces_still_match(lead, profile):
    header = " case ref ;ENQUIRY DATE;Home Visit Date ;Application Received;source"
    batch = upload(lead, profile, csv(*ROWS, header=header))
    assert batch.status == BatchStatus.VALIDATED, batch.errors


def test_a_mapped_heading_twice_is_refused(lead, profile):
    header = HEADER + ";Source"
    batch = upload(lead, profile, csv(*(r + ";HUB" for r in ROWS), header=header))
    (error,) = batch.errors
    assert "appears 2 times (columns E and F)" in error["message"]


def test_clearing_stored_values_needs_an_explicit_yes(lead, profile):
    commit_batch(batch=upload(lead, profile, csv(*ROWS)), user=lead)
    without_visits = [f"G-{n};0{n}.03.2024;;;WEB" for n in range(1, 6)]  # no home visits
    batch = upload(lead, profile, csv(*without_visits))
    assert batch.status == BatchStatus.VALIDATED
    assert batch.clearing == {"conversation_date": 5}
    with pytest.raises(ValidationError) as refused:
        commit_batch(batch=batch, user=lead)
    assert "clears 5 initial conversation or home visit dates already stored" in str(refused.value)
    assert PipelineRecord.objects.exclude(conversation_date=None).count() == 5
    batch = commit_batch(batch=batch, user=lead, clear_confirmed=True)
    assert batch.clearing_confirmed
    assert PipelineRecord.objects.exclude(conversation_date=None).count() == 0


def test_a_file_already_committed_is_flagged_at_upload(lead, profile):
    first = upload(lead, profile, csv(*ROWS))
    assert first.duplicate_of is None
    commit_batch(batch=first, user=lead)
    again = upload(lead, profile, csv(*ROWS))
    assert again.duplicate_of == first


def test_an_unknown_code_tells_the_lead_who_adds_it_and_the_batch_is_checked_again(
    lead, pm, profile
):
    rows = [*ROWS, "G-9;01.04.2024;;;RADIO", "G-10;02.04.2024;;;RADIO"]
    batch = upload(lead, profile, csv(*rows))
    assert batch.status == BatchStatus.FAILED
    assert batch.error_count == 2
    message = batch.errors[0]["message"]
    assert "Unknown source channel code 'RADIO' in column 'Source'" in message
    assert "a programme manager adds it" in message
    assert batch.profile_version == 1

    (request,) = request_codes(batch=batch, user=lead)
    assert (request.field, request.code, request.requested_by) == ("source", "RADIO", lead)
    assert request_codes(batch=batch, user=lead) == [request]  # asked once

    with pytest.raises(ValidationError, match="has not changed since"):
        recheck_batch(batch=batch, user=lead)

    profile.refresh_from_db()
    profile.channel_codes = {**profile.channel_codes, "RADIO": "event"}
    save_profile(profile=profile, user=pm)
    request.refresh_from_db()
    assert request.settled_at is not None

    with TestCase.captureOnCommitCallbacks(execute=True):
        recheck_batch(batch=batch, user=lead)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED, batch.errors
    assert (batch.new_count, batch.profile_version) == (7, 2)
    assert not batch.kept_cells
    commit_batch(batch=batch, user=lead)
    assert PipelineRecord.objects.filter(source_channel__code="event").count() == 2


def test_a_recheck_needs_the_file_again_when_the_columns_changed(lead, pm, profile):
    batch = upload(lead, profile, csv(*ROWS, "G-9;01.04.2024;;;RADIO"))
    profile.refresh_from_db()
    profile.column_map = {**profile.column_map, "conversation_date": "Visit"}
    save_profile(profile=profile, user=pm)
    with pytest.raises(ValidationError, match="now reads other columns"):
        recheck_batch(batch=batch, user=lead)


def test_the_kept_cells_hold_no_identifying_values(lead, pm, profile):
    profile.column_map = {**profile.column_map, "name": "Name", "postcode": "Postcode"}
    save_profile(profile=profile, user=pm)
    header = HEADER + ";Name;Postcode"
    batch = upload(lead, profile, csv("G-1;01.04.2024;;;RADIO;Zoë Brown;NE8 1AA", header=header))
    with batch.kept_cells.open("rb") as f:
        import gzip

        kept = gzip.decompress(f.read()).decode()
    assert "G-1" in kept and "RADIO" in kept
    assert "Brown" not in kept and "NE8" not in kept


def test_changing_a_profile_never_changes_what_a_committed_batch_meant(lead, pm, profile):
    batch = commit_batch(batch=upload(lead, profile, csv(*ROWS)), user=lead)
    settings_then = dict(batch.profile_settings)
    assert settings_then["channel_codes"] == {"WEB": "la-website", "HUB": "hub-website"}
    profile.refresh_from_db()
    profile.channel_codes = {"WEB": "hub-website"}
    save_profile(profile=profile, user=pm)
    batch.refresh_from_db()
    assert batch.profile_version == 1 and profile.version == 2
    assert batch.profile_settings == settings_then
    assert PipelineRecord.objects.filter(source_channel__code="la-website").count() == 5


def test_the_example_profiles_still_import(lead):
    carefirst, _ = example_profiles.load()
    data = (example_profiles.EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes()
    batch = upload(lead, carefirst, data)
    assert batch.status == BatchStatus.VALIDATED
    assert [(a["name"], a["rows"]) for a in batch.authority_counts] == [("Sunderland", 40)]


def test_code_requests_are_unique_while_open(lead, profile):
    CodeRequest.objects.create(profile=profile, field="source", code="X", requested_by=lead)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CodeRequest.objects.create(profile=profile, field="source", code="X", requested_by=lead)


def test_a_request_reaches_the_programme_managers_home_and_the_lead_can_check_again(
    lead, pm, profile
):
    from tests.conftest import client_for

    batch = upload(lead, profile, csv(*ROWS, "G-9;01.04.2024;;;RADIO"))
    client = client_for(lead)
    page = client.get(f"/pipeline/imports/{batch.pk}/").content.decode()
    assert "Codes the profile does not know" in page and "Ask a programme manager" in page
    assert "What committing would do" not in page
    client.post(f"/pipeline/imports/{batch.pk}/ask-for-codes/")
    home = client_for(pm).get("/").content.decode()
    assert "Source channel code <code>RADIO</code> for Gateshead case system" in home
    codes = client_for(pm).get(f"/pipeline/profiles/{profile.pk}/codes/").content.decode()
    assert "Asked for by a cluster lead" in codes
    profile.refresh_from_db()
    profile.channel_codes = {**profile.channel_codes, "RADIO": "event"}
    save_profile(profile=profile, user=pm)
    assert "No cluster lead is waiting" in client_for(pm).get("/").content.decode()
    page = client.get(f"/pipeline/imports/{batch.pk}/").content.decode()
    assert "Check this file again" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/pipeline/imports/{batch.pk}/check-again/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED


def test_the_clearing_confirmation_is_asked_on_the_page(lead, profile):
    from tests.conftest import client_for

    commit_batch(batch=upload(lead, profile, csv(*ROWS)), user=lead)
    batch = upload(lead, profile, csv(*(f"G-{n};0{n}.03.2024;;;WEB" for n in range(1, 6))))
    client = client_for(lead)
    page = client.get(f"/pipeline/imports/{batch.pk}/").content.decode()
    assert "This import clears values already stored" in page
    assert "5 initial conversation or home visit dates" in page
    response = client.post(f"/pipeline/imports/{batch.pk}/commit/")
    assert "There is a problem" in response.content.decode()
    assert PipelineRecord.objects.exclude(conversation_date=None).count() == 5
    client.post(f"/pipeline/imports/{batch.pk}/commit/", {"clear": "yes"})
    assert PipelineRecord.objects.exclude(conversation_date=None).count() == 0


def test_a_profile_edited_while_its_batch_is_checked_leaves_the_batch_on_its_version(
    lead, pm, profile, monkeypatch
):
    from pipeline.services import records

    real = records.parse_export

    def edit_meanwhile(*args, **kwargs):
        edited = ImportProfile.objects.get(pk=profile.pk)
        edited.channel_codes = {}
        save_profile(profile=edited, user=pm)
        return real(*args, **kwargs)

    monkeypatch.setattr(records, "parse_export", edit_meanwhile)
    batch = upload(lead, profile, csv(*ROWS))
    assert batch.status == BatchStatus.VALIDATED  # read with version 1's codes
    assert batch.profile_version == 1 and ImportProfile.objects.get().version == 2
    page = __import__("tests.conftest", fromlist=["client_for"]).client_for(lead)
    body = page.get(f"/pipeline/imports/{batch.pk}/").content.decode()
    assert "version 1 (the profile is now at version 2)" in body


def test_the_import_list_names_the_las(lead, profile):
    from tests.conftest import client_for

    upload(lead, profile, csv(*ROWS))
    body = client_for(lead).get("/pipeline/imports/").content.decode()
    assert "Gateshead (5)" in body
    exported = client_for(lead).get("/pipeline/imports/?format=csv").content.decode("utf-8-sig")
    assert "Gateshead (5)" in exported
