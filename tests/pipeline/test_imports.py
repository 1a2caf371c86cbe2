import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from pipeline import example_profiles
from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord
from pipeline.services import commit_batch, create_batch

TODAY = datetime.date(2026, 1, 15)
HEADER = "LA Code;Case Ref;Forename;Surname;DOB;Postcode;Enquiry Date;Initial Visit;Application Received;Stage 1 Start;Stage 2 Start;Panel Date;Approval Date;Source;Status;Exit Stage;Exit Reason;Exit Date"


@pytest.fixture
def profiles(db):
    carefirst, mosaic = example_profiles.load()
    return {"carefirst": carefirst, "mosaic": mosaic}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def upload(user, profile, data: bytes, name="export.csv", la=None):
    """Upload and validate (Celery runs eagerly once the transaction commits)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = create_batch(
            profile=profile, upload=SimpleUploadedFile(name, data), user=user, local_authority=la
        )
    return ImportBatch.objects.get(pk=batch.pk)


def csv_file(*rows: str, encoding="cp1252") -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding)


GOOD = "394;S-1;Zoë;Brown;01/02/1980;NE1 1AA;03/03/2024;10/03/2024;01/05/2024;;;;;HUBW;OPEN;;;"


def messages(batch):
    return {(e["line"], e["column"]): e["message"] for e in batch.errors}


def test_the_example_csv_validates_and_commits_then_a_reimport_changes_nothing(lead, profiles):
    data = (EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes()
    batch = upload(lead, profiles["carefirst"], data)
    assert batch.status == BatchStatus.VALIDATED, batch.errors
    assert (batch.total_rows, batch.new_count, batch.changed_count) == (40, 40, 0)
    assert len(batch.sha256) == 64 and not batch.upload
    commit_batch(batch=batch, user=lead)
    assert PipelineRecord.objects.filter(local_authority__name="Sunderland").count() == 40

    again = upload(lead, profiles["carefirst"], data)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 40)
    again = commit_batch(batch=again, user=lead)
    assert again.status == BatchStatus.COMMITTED and PipelineRecord.objects.count() == 40

    newer = upload(
        lead, profiles["carefirst"], (EXAMPLES_DIR / "carefirst_sunderland_newer.csv").read_bytes()
    )
    assert (newer.new_count, newer.changed_count, newer.unchanged_count) == (0, 3, 37)
    commit_batch(batch=newer, user=lead)
    assert PipelineRecord.objects.count() == 40
    assert PipelineRecord.objects.filter(batch=newer).count() == 3


def test_committing_twice_is_harmless(lead, profiles):
    batch = upload(lead, profiles["carefirst"], csv_file(GOOD))
    commit_batch(batch=batch, user=lead)
    commit_batch(batch=batch, user=lead)
    assert PipelineRecord.objects.count() == 1


def test_the_example_xlsx_maps_other_columns_and_codes(lead, profiles):
    batch = upload(
        lead, profiles["mosaic"], (EXAMPLES_DIR / "mosaic_north_east.xlsx").read_bytes(), "ne.xlsx"
    )
    assert batch.status == BatchStatus.VALIDATED, batch.errors
    commit_batch(batch=batch, user=lead)
    assert PipelineRecord.objects.values("local_authority").distinct().count() == 3
    assert PipelineRecord.objects.exclude(source_channel=None).count() == 60
    assert PipelineRecord.objects.filter(outcome="exited", exit_reason=None).count() == 0


def test_the_example_with_a_bad_row_names_its_line_and_column_and_commits_nothing(lead, profiles):
    batch = upload(
        lead,
        profiles["carefirst"],
        (EXAMPLES_DIR / "carefirst_sunderland_with_error.csv").read_bytes(),
    )
    assert batch.status == BatchStatus.FAILED
    assert messages(batch) == {
        (6, "Enquiry Date"): "'31/02/2024' is not a date in the form dd/mm/yyyy."
    }
    with pytest.raises(ValidationError):
        commit_batch(batch=batch, user=lead)
    assert not PipelineRecord.objects.exists()


@pytest.mark.parametrize(
    "row, column, message",
    [
        (GOOD.replace("HUBW", "TV"), "Source", "Unknown source channel code 'TV'"),
        (GOOD.replace("OPEN;;;", "CLSD;ENQ;XX;"), "Exit Reason", "Unknown exit reason code 'XX'"),
        (
            GOOD.replace("03/03/2024;10/03/2024;01/05/2024", "03/03/2027;;"),
            "Enquiry Date",
            "is in the future",
        ),
        (GOOD.replace("03/03/2024", "03/03/2023"), "Enquiry Date", "before the programme began"),
        (
            GOOD.replace("01/05/2024", "01/03/2024"),
            "Application Received",
            "is before the initial conversation",
        ),
        (GOOD.replace("394;", "999;", 1), "LA Code", "Unknown LA '999'"),
        (
            GOOD.replace("394;", "877;", 1),
            "LA Code",
            "not one of the LAs you may upload for",
        ),  # Warrington
        (GOOD.replace("S-1", '=HYPERLINK("http://x","y")'), "Case Ref", "Formulas are not allowed"),
        (GOOD.replace("APPR", "x").replace("OPEN", "APPR"), "Approval Date", "no approval date"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_saved(
    lead, other_cluster, profiles, row, column, message
):
    batch = upload(lead, profiles["carefirst"], csv_file(GOOD.replace("S-1", "S-0"), row))
    assert batch.status == BatchStatus.FAILED
    found = messages(batch)
    assert message in found[(3, column)], found
    assert batch.error_count == 1
    assert not PipelineRecord.objects.exists()


def test_duplicate_references_in_one_file_are_refused(lead, profiles):
    batch = upload(lead, profiles["carefirst"], csv_file(GOOD, GOOD))
    assert messages(batch)[(3, "Case Ref")] == "LA reference 'S-1' is already on line 2."


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not a CSV text file"),
        (b"PK\x03\x04\x14\x00", "not a CSV text file"),
        (b"   \r\n", "The file is empty"),
        (
            (b"LA Code;Case Ref\r\n394;A\r\n"),
            "The column 'Enquiry Date' (initial enquiry date) is not in the file",
        ),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_message(lead, profiles, data, message):
    batch = upload(lead, profiles["carefirst"], data)
    assert batch.status == BatchStatus.FAILED
    assert message in batch.errors[0]["message"]


def test_bytes_that_do_not_decode_in_the_profiles_encoding_are_refused(lead, profiles):
    profile = profiles["carefirst"]
    profile.encoding = "utf-8"
    profile.save()
    batch = upload(lead, profile, csv_file(GOOD, encoding="cp1252"))  # "ë" as 0xEB
    assert "is not valid utf-8" in batch.errors[0]["message"]


def test_a_utf8_byte_order_mark_is_accepted_silently(lead, profiles):
    profile = profiles["carefirst"]
    profile.encoding = "utf-8"
    profile.save()
    batch = upload(lead, profile, b"\xef\xbb\xbf" + csv_file(GOOD, encoding="utf-8"))
    assert batch.status == BatchStatus.VALIDATED, batch.errors


def test_an_empty_upload_and_an_oversize_file_are_refused_before_reading(lead, profiles, settings):
    with pytest.raises(ValidationError) as error:
        create_batch(
            profile=profiles["carefirst"], upload=SimpleUploadedFile("e.csv", b""), user=lead
        )
    assert "empty" in error.value.message_dict["file"][0]

    class Huge:
        """A 50 MB upload that fails the test if anything reads it."""

        name = "huge.csv"
        size = 50 * 1024 * 1024

        def chunks(self):
            raise AssertionError("read before the size check")

        read = chunks

    with pytest.raises(ValidationError) as error:
        create_batch(profile=profiles["carefirst"], upload=Huge(), user=lead)
    assert "the limit is 20 MB" in error.value.message_dict["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_workbook_that_is_not_one_and_formulas_in_workbooks_are_refused(lead, profiles):
    batch = upload(lead, profiles["mosaic"], b"not a workbook at all", "x.xlsx")
    assert "not an Excel workbook" in batch.errors[0]["message"]

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(profiles["mosaic"].column_map.values()))
    sheet.append(["E08000024", "P1", "A Person", "1980-01-01", "NE1 1AA", "2024-03-01"] + [""] * 10)
    sheet.append(["E08000024", "P2", "B Person", "1980-01-01", "NE1 1AA", "=TODAY()"] + [""] * 10)
    out = io.BytesIO()
    workbook.save(out)
    batch = upload(lead, profiles["mosaic"], out.getvalue(), "x.xlsx")
    assert messages(batch) == {
        (3, "first_contact"): "Formulas are not allowed in cells; export values only."
    }


def test_an_export_without_an_la_column_uses_the_chosen_la(lead, profiles, sunderland):
    profile = profiles["carefirst"]
    del profile.column_map["la"]
    profile.save()
    batch = upload(lead, profile, csv_file(GOOD), la=sunderland)
    assert batch.status == BatchStatus.VALIDATED
    commit_batch(batch=batch, user=lead)
    assert PipelineRecord.objects.get().local_authority == sunderland
