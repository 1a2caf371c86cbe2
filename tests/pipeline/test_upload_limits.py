"""Hostile spreadsheets are refused before they are read, or as soon as they pass a limit,
with a message naming the limit, whether they come as a monthly-returns upload or an
import; nothing is saved."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from pipeline import example_profiles
from pipeline.models import BatchStatus, MonthlyReturn, PipelineRecord
from pipeline.services.records import ImportFileError, read_csv, read_xlsx
from tests.conftest import client_for
from tests.pipeline.test_imports import upload


def xlsx(cells: dict[str, object]) -> bytes:
    book = Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_part(data: bytes, name: str, change) -> bytes:
    """The workbook with one part of its zip changed, as a hand-made file would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == name:
                part = change(part)
            target.writestr(info, part, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def claims_every_cell() -> bytes:
    """4 KB that declares the largest sheet Excel allows: 1,048,576 x 16,384 cells."""
    return with_part(
        xlsx({"A1": "la_code"}),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml
        ),
    )


def refusal(data: bytes) -> str:
    with pytest.raises(ImportFileError) as error:
        list(read_xlsx(data))
    return str(error.value)


def test_a_sheet_that_claims_17_billion_cells_is_refused_before_it_is_read():
    data = claims_every_cell()
    assert len(data) < 10_000
    assert refusal(data) == (
        "The sheet declares 1,048,576 rows by 16,384 columns (17,179,869,184 cells); "
        "the limit is 10,000,000 cells."
    )


def test_a_huge_text_hidden_in_a_small_file_is_refused_by_how_far_it_expands():
    data = with_part(
        xlsx({"A1": "la_code", "A2": "HIDDEN"}),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"HIDDEN", b"x" * 3_000_000),  # past what Excel itself writes
    )
    assert len(data) < 100_000
    message = refusal(data)
    assert message.startswith("Part of the workbook (xl/worksheets/sheet1.xml) expands")
    assert message.endswith(
        "the limit is 100 times. A real export does not compress so far: save it again from the system that made it."
    )


def test_a_row_reaching_the_last_column_is_refused_naming_the_row():
    assert refusal(xlsx({"A1": "la_code", "XFD2": "x"})) == (
        "Row 2 has 16,384 columns; the limit is 200 columns."
    )


def test_limits_on_rows_cells_and_cell_length_name_where_they_were_passed(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "cell_characters": 50, "rows": 3}
    assert refusal(xlsx({"A1": "la_code", "B3": "y" * 51})) == (
        "Row 3, column B: the cell holds 51 characters; the limit is 50."
    )
    assert refusal(xlsx({"A1": "a", "A2": "b", "A3": "c", "A4": "d"})).startswith(
        "The file has more than 3 rows, the limit for one upload."
    )
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "cells": 5}
    six = {"A1": "a", "B1": "b", "C1": "c", "A2": "d", "B2": "e", "C2": "f"}
    assert refusal(xlsx(six)) == (
        "The sheet declares 2 rows by 3 columns (6 cells); the limit is 5 cells."
    )
    # a sheet that declares less than it holds is still stopped, as it is read
    undeclared = with_part(
        xlsx(six), "xl/worksheets/sheet1.xml", lambda x: re.sub(rb"<dimension[^>]*>", b"", x)
    )
    assert refusal(undeclared) == "The file has more than 5 cells, the limit for one upload."


def test_a_csv_is_held_to_the_same_limits_naming_the_line(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "columns": 3, "cell_characters": 10}
    with pytest.raises(ImportFileError, match="^Line 2 has 4 columns; the limit is 3 columns.$"):
        list(read_csv(b"a,b,c\r\n1,2,3,4\r\n", encoding="utf-8", delimiter=","))
    with pytest.raises(ImportFileError, match="^Line 3, column C: the cell holds 11 characters"):
        list(read_csv(b"a,b,c\r\n1,2,3\r\n1,2,abcdefghijk\r\n", encoding="utf-8", delimiter=","))


def test_a_cluster_lead_uploading_the_bomb_as_returns_is_told_why_and_nothing_is_saved(lead):
    response = client_for(lead).post(
        reverse("pipeline:returns_upload"),
        {"file": SimpleUploadedFile("returns.xlsx", claims_every_cell())},
    )

    assert response.status_code == 200
    assert "The sheet declares 1,048,576 rows by 16,384 columns" in response.content.decode()
    assert not MonthlyReturn.objects.exists()


def test_the_bomb_as_an_import_fails_its_validation_with_the_limit_and_leaves_no_file(lead):
    _, mosaic = example_profiles.load()
    batch = upload(lead, mosaic, claims_every_cell(), name="export.xlsx")

    assert batch.status == BatchStatus.FAILED
    assert "17,179,869,184 cells" in batch.errors[0]["message"]
    assert not batch.upload
    assert not PipelineRecord.objects.exists()
