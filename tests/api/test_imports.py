"""Case-management exports through the API: the web upload's background validation and
commit, polled by the LA's system."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.exportgen import carefirst_csv, synthetic_records
from pipeline.models import BatchStatus, ImportBatch, PipelineRecord
from tests.api.conftest import api_client, error
from tests.factories import authorities

START, END = datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)


def gateshead_export(n=30, seed=3) -> bytes:
    return carefirst_csv(
        synthetic_records(authorities("Gateshead"), n, start=START, end=END, seed=seed)
    )


def upload(client, profile, data: bytes, name="export.csv", **fields):
    return client.post(
        "/api/v1/imports",
        {"profile": profile.pk, "file": SimpleUploadedFile(name, data), **fields},
        format="multipart",
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the upload queues once its transaction commits (the validation task, eager
    in tests as on the embedded default)."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            response = call()
        return response

    return run


def test_an_export_is_uploaded_polled_and_committed_then_a_reupload_changes_nothing(
    gateshead_token, profiles, on_commit
):
    token, secret = gateshead_token
    client = api_client(secret)
    data = gateshead_export()
    response = on_commit(lambda: upload(client, profiles["carefirst"], data))
    assert response.status_code == 202, response.json()
    created = response.json()
    assert created["status"] == "uploaded" and created["local_authority"]["name"] == "Gateshead"
    assert response["Location"].endswith(f"/api/v1/imports/{created['id']}")

    polled = client.get(f"/api/v1/imports/{created['id']}").json()
    assert polled["status"] == "validated", polled["errors"]
    assert (polled["total_rows"], polled["new"], polled["error_count"]) == (30, 30, 0)
    assert not PipelineRecord.objects.exists()  # nothing is saved before the commit

    committed = client.post(polled["links"]["commit"], format="json")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert PipelineRecord.objects.filter(local_authority__name="Gateshead").count() == 30
    batch = ImportBatch.objects.get()
    assert batch.uploaded_by == batch.committed_by == token.account

    again = on_commit(lambda: upload(client, profiles["carefirst"], data)).json()
    again = client.get(f"/api/v1/imports/{again['id']}").json()
    assert (again["new"], again["changed"], again["unchanged"]) == (0, 0, 30)
    client.post(again["links"]["commit"])
    replay = client.post(again["links"]["commit"])  # committing twice changes nothing
    assert replay.status_code == 200 and PipelineRecord.objects.count() == 30


def test_a_bad_row_is_named_by_line_and_column_and_nothing_can_be_committed(
    gateshead_token, profiles, on_commit
):
    _, secret = gateshead_token
    client = api_client(secret)
    lines = gateshead_export(5).split(b"\r\n")
    cells = lines[3].split(b";")
    cells[6] = b"31/02/2024"  # Enquiry Date
    lines[3] = b";".join(cells)
    created = on_commit(lambda: upload(client, profiles["carefirst"], b"\r\n".join(lines))).json()
    polled = client.get(f"/api/v1/imports/{created['id']}").json()
    assert polled["status"] == "failed"
    assert polled["errors"] == [
        {
            "line": 4,
            "column": "Enquiry Date",
            "message": "'31/02/2024' is not a date in the form dd/mm/yyyy.",
        }
    ]
    refused = client.post(polled["links"]["commit"])
    assert refused.status_code == 409
    body = error(refused)
    assert body["message"] == "Only a validated file with no errors can be committed."
    assert body["details"][1] == {
        "field": "Enquiry Date",
        "row": 4,
        "message": "'31/02/2024' is not a date in the form dd/mm/yyyy.",
    }
    assert not PipelineRecord.objects.exists()


def test_rows_for_another_la_in_the_cluster_are_errors_for_an_la_token(
    gateshead_token, profiles, on_commit
):
    """The token's service account is a lead of the North East cluster, narrowed to its LA:
    the example export of Sunderland's records is refused row by row."""
    _, secret = gateshead_token
    client = api_client(secret)
    data = (EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes()
    created = on_commit(lambda: upload(client, profiles["carefirst"], data)).json()
    polled = client.get(f"/api/v1/imports/{created['id']}").json()
    assert polled["status"] == "failed"
    assert polled["error_count"] == 40
    assert polled["errors"][0]["message"] == "Sunderland is not one of the LAs you may upload for."
    assert polled["errors"][0]["column"] == "LA Code"
    assert client.post(polled["links"]["commit"]).status_code == 409
    assert not PipelineRecord.objects.exists()


def test_an_upload_for_another_la_is_forbidden(gateshead_token, profiles):
    _, secret = gateshead_token
    response = upload(api_client(secret), profiles["carefirst"], b"x", local_authority="E08000024")
    assert response.status_code == 403
    assert error(response)["field"] == "local_authority"
    assert not ImportBatch.objects.exists()


def test_an_oversized_upload_is_refused_with_413_and_nothing_is_stored(
    gateshead_token, profiles, settings
):
    _, secret = gateshead_token
    client = api_client(secret)
    settings.MAX_UPLOAD_BYTES = 2_000
    # larger than the limit, but within the request's allowance: the service refuses it
    response = upload(client, profiles["carefirst"], b"a;b\r\n" * 1_000)
    assert response.status_code == 413
    assert error(response)["field"] == "file"
    assert "the limit is 0 MB" in error(response)["message"]
    # far larger: refused from the request's length, before the body is read
    response = upload(client, profiles["carefirst"], b"a;b\r\n" * 40_000)
    assert response.status_code == 413
    assert error(response)["code"] == "too_large"
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"profile": "carefirst"}, "profile", "A valid integer is required."),
        ({"profile": 999}, "profile", "There is no import profile 999."),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"local_authority": "nowhere"}, "local_authority", "Unknown LA 'nowhere'."),
    ],
)
def test_bad_upload_fields_are_refused_naming_the_field(
    gateshead_token, profiles, fields, field, message
):
    _, secret = gateshead_token
    body = {"profile": profiles["carefirst"].pk, "file": SimpleUploadedFile("e.csv", b"x")}
    response = api_client(secret).post("/api/v1/imports", {**body, **fields}, format="multipart")
    assert response.status_code == 400
    assert error(response)["field"] == field
    assert message in error(response)["message"]
    assert not ImportBatch.objects.exists()


def test_an_upload_without_a_file_or_as_json_is_refused(gateshead_token, profiles):
    _, secret = gateshead_token
    client = api_client(secret)
    missing = client.post(
        "/api/v1/imports", {"profile": profiles["carefirst"].pk}, format="multipart"
    )
    assert missing.status_code == 400 and error(missing)["field"] == "file"
    as_json = client.post("/api/v1/imports", {"profile": 1}, format="json")
    assert as_json.status_code == 415


def test_a_token_sees_only_its_own_uploads(gateshead_token, sunderland_token, profiles, on_commit):
    _, mine = gateshead_token
    _, theirs = sunderland_token
    created = on_commit(
        lambda: upload(
            api_client(theirs),
            profiles["carefirst"],
            (EXAMPLES_DIR / "carefirst_sunderland.csv").read_bytes(),
        )
    ).json()
    client = api_client(mine)
    assert client.get("/api/v1/imports").json()["count"] == 0
    assert client.get(f"/api/v1/imports/{created['id']}").status_code == 404
    assert client.post(f"/api/v1/imports/{created['id']}/commit").status_code == 404
    assert ImportBatch.objects.get().status == BatchStatus.VALIDATED


def test_a_dfe_token_cannot_upload(dfe_token, profiles):
    _, secret = dfe_token
    response = upload(api_client(secret), profiles["carefirst"], b"x")
    assert response.status_code == 403
    assert api_client(secret).get("/api/v1/import-profiles").status_code == 403


def test_the_profiles_are_listed_with_their_ids(gateshead_token, profiles):
    _, secret = gateshead_token
    listed = api_client(secret).get("/api/v1/import-profiles").json()
    assert {p["id"]: p["name"] for p in listed["results"]} == {
        p.pk: p.name for p in profiles.values()
    }
    assert listed["results"][0]["column_map"]


def test_an_upload_that_clears_stored_values_commits_only_when_confirmed(
    gateshead_token, profiles, on_commit
):
    _, secret = gateshead_token
    client = api_client(secret)
    data = gateshead_export()
    first = on_commit(lambda: upload(client, profiles["carefirst"], data)).json()
    client.post(first["links"]["commit"], format="json")
    # the same export with every initial-visit date emptied
    lines = data.decode("cp1252").split("\r\n")
    heading = lines[0].split(";")
    visit = heading.index("Initial Visit")
    emptied = [lines[0]] + [
        ";".join("" if i == visit else cell for i, cell in enumerate(line.split(";")))
        for line in lines[1:]
        if line
    ]
    held = PipelineRecord.objects.exclude(conversation_date=None).count()
    assert held > 0
    second = on_commit(
        lambda: upload(client, profiles["carefirst"], "\r\n".join(emptied).encode("cp1252"))
    ).json()
    second = client.get(f"/api/v1/imports/{second['id']}").json()
    assert second["clearing"] == {"conversation_date": held}
    assert second["authorities"][0]["name"] == "Gateshead"
    refused = client.post(second["links"]["commit"], format="json")
    assert refused.status_code == 409
    assert "clears" in error(refused)["message"]
    done = client.post(second["links"]["commit"], {"clear_confirmed": True}, format="json")
    assert done.status_code == 200
    assert PipelineRecord.objects.exclude(conversation_date=None).count() == 0
