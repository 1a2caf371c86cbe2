"""A programme manager builds an import profile from a sample file without typing a code or
a date pattern (issue 17), and what is kept of the sample holds no identifying value."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.models import ImportProfile, ProfileSample
from pipeline.services.records import ImportFileError
from pipeline.services.samples import inspect_sample, suggest_columns
from tests.conftest import client_for

TODAY = datetime.date(2026, 1, 15)

# shaped like none of pipeline/examples: semicolons, Latin-1, dd.mm.yyyy, a title line
# above the headings, no LA column, the system's own codes, headings with spaces and case
SAMPLE = (
    "Export Fostering Enquiries\r\n"
    "Vorgang ; Name;Geburtsdatum;ENQUIRY DATE;Home Visit;Antrag;Quelle;Status;Grund;Closed\r\n"
    + "".join(
        f"GH-{n};René Ölmann {n};0{1 + n % 9}.0{1 + n % 9}.198{n % 10};"
        f"{10 + n % 18}.03.2024;{10 + n % 18}.04.2024;;{'WEB' if n % 3 else 'RAD'};"
        f"{'OFFEN' if n % 4 else 'ZU'};{'' if n % 4 else 'PERS'};"
        f"{'' if n % 4 else '01.05.2024'}\r\n"
        for n in range(1, 41)
    )
).encode("latin-1")


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def test_the_sample_is_read_and_nothing_identifying_is_kept():
    found = inspect_sample(SAMPLE, "gateshead.csv")
    assert (found["file_type"], found["encoding"], found["delimiter"]) == ("csv", "cp1252", ";")
    assert found["header_row"] == 2 and found["rows"] == 40
    columns = {c["heading"]: c for c in found["columns"]}
    assert columns["Vorgang"]["kind"] == "text"  # trailing space gone; unique: not a code
    assert columns["ENQUIRY DATE"]["formats"][:1] == ["%d.%m.%Y"]
    assert columns["Quelle"]["values"] == ["RAD", "WEB"]
    assert columns["Status"]["values"] == ["OFFEN", "ZU"]
    kept = repr(found["columns"]) + repr(found["preview"])
    assert "Ölmann" not in kept and "René" not in kept and "GH-1" not in kept
    assert "198" not in kept  # no date of birth either
    assert found["preview"][0][1] == "Xxxx Xxxxxx 9"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The sample is empty."),
        (b"Ref;Enquiry date\r\n", "headings but no rows"),
        (b"A-1;01.03.2024;WEB\r\nA-2;02.03.2024;WEB\r\n", "holds data, not headings"),
    ],
)
def test_a_sample_that_cannot_make_a_profile_says_why(data, message):
    with pytest.raises(ImportFileError, match=message):
        inspect_sample(data, "x.csv")


def test_headings_are_suggested_from_their_usual_names():
    suggested = suggest_columns(
        ["Case Ref", "Forename", "Surname ", "DOB", "Enquiry date", "Initial Visit", "Closure Date"]
    )
    assert suggested == {
        "la_reference": "Case Ref",
        "enquiry_date": "Enquiry date",
        "conversation_date": "Initial Visit",
        "exit_date": "Closure Date",
        "first_name": "Forename",
        "last_name": "Surname ",
        "date_of_birth": "DOB",
    }


def test_a_code_column_of_200_values_is_paged_not_one_form(users, db):
    rows = "".join(f"R-{n};01.03.2024;SRC{n % 200:03d}\r\n" for n in range(400))
    data = ("Ref;Enquiry date;Source\r\n" + rows).encode()
    pm = client_for(users["pm"])
    response = pm.post("/pipeline/profiles/new/", {"file": SimpleUploadedFile("many.csv", data)})
    sample = ProfileSample.objects.get()
    assert response["Location"] == f"/pipeline/profiles/samples/{sample.pk}/"
    assert len(sample.column("Source")["values"]) == 200
    from clusters.models import LocalAuthority
    from tests.conftest import NORTH_EAST  # noqa: F401

    la = LocalAuthority.objects.first()
    response = pm.post(
        response["Location"],
        {
            "name": "Many sources",
            "local_authority": la.pk,
            "file_type": "csv",
            "encoding": "utf-8",
            "delimiter": ";",
            "header_row": "1",
            "date_format": "%d.%m.%Y",
            "column_la_reference": "Ref",
            "column_enquiry_date": "Enquiry date",
            "column_source": "Source",
        },
    )
    profile = ImportProfile.objects.get(name="Many sources")
    assert response["Location"] == f"/pipeline/profiles/{profile.pk}/codes/"
    assert not ProfileSample.objects.exists()  # deleted once the profile is saved
    body = pm.get(response["Location"]).content.decode()
    assert body.count('<select name="code_') == 25
    assert "Page 1 of 8" in body
    response = pm.post(response["Location"], {"page": "1", "code_0": "event"})
    assert response["Location"].endswith("?page=2")
    profile.refresh_from_db()
    assert profile.channel_codes == {"SRC000": "event"}


def test_only_a_programme_manager_builds_profiles(users, db):
    for role in ("lead", "consultant", "dfe"):
        client = client_for(users[role])
        assert client.get("/pipeline/profiles/new/").status_code == 403
    assert client_for(users["pm"]).get("/pipeline/profiles/new/").status_code == 200


def test_another_managers_sample_is_not_found(users, db, django_user_model):
    from accounts.models import Role
    from tests.factories import UserFactory

    sample = ProfileSample.objects.create(
        created_by=users["pm"], filename="x.csv", file_type="csv", columns=[], preview=[]
    )
    other = UserFactory(role=Role.PROGRAMME_MANAGER)
    assert client_for(other).get(f"/pipeline/profiles/samples/{sample.pk}/").status_code == 404


def _form_defaults(body: str) -> dict:
    """The values a browser would send for a page's form as it is shown."""
    import re

    data = {}
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    for tag in re.findall(r"<input [^>]+>", body):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        if 'type="radio"' in tag or 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = value.group(1)
        elif 'type="file"' not in tag:
            data[name.group(1)] = value.group(1) if value else ""
    return data


def test_a_profile_made_from_the_sample_imports_the_file_exactly(users, north_east, db):
    """The programme manager accepts every suggestion, names the profile and the council,
    picks the five codes from lists; the lead uploads the export with no LA choice."""
    from django.test import TestCase

    from clusters.models import LocalAuthority
    from pipeline.models import BatchStatus, ImportBatch, PipelineRecord

    pm = client_for(users["pm"])
    response = pm.post("/pipeline/profiles/new/", {"file": SimpleUploadedFile("s.csv", SAMPLE)})
    page = pm.get(response["Location"]).content.decode()
    assert "Xxxx Xxxxxx 9" in page and "Ölmann" not in page
    assert "dd.mm.yyyy, for example 21.12.2024" in page
    assert ">%d" not in page and 'type="text" name="date_format"' not in page  # never typed
    data = _form_defaults(page)
    assert data["date_format"] == "%d.%m.%Y"
    assert data["column_la_reference"] == ""  # not a known heading: the manager chooses it
    assert (data["column_enquiry_date"], data["column_conversation_date"]) == (
        "ENQUIRY DATE",
        "Home Visit",
    )
    gateshead = LocalAuthority.objects.get(name="Gateshead")
    data.update(
        {
            "name": "Gateshead system",
            "local_authority": gateshead.pk,
            "column_la_reference": "Vorgang",
            "column_name": "Name",
            "column_date_of_birth": "Geburtsdatum",
            "column_application_date": "Antrag",
            "column_source": "Quelle",
            "column_outcome": "Status",
            "column_exit_reason": "Grund",
            "column_exit_date": "Closed",
        }
    )
    response = pm.post(response["Location"], data)
    assert response.status_code == 302, response.content.decode()[:3000]
    codes_page = pm.get(response["Location"]).content.decode()
    for code in ("WEB", "RAD", "OFFEN", "ZU", "PERS"):
        assert f"<code>{code}</code>" in codes_page
    choices = _form_defaults(codes_page)
    labels = [c for c in ("OFFEN", "PERS", "RAD", "WEB", "ZU")]  # listed by field, then code
    assert len([k for k in choices if k.startswith("code_")]) == len(labels)
    order = {"source": ["RAD", "WEB"], "outcome": ["OFFEN", "ZU"], "exit_reason": ["PERS"]}
    targets = {
        "RAD": "event",
        "WEB": "la-website",
        "OFFEN": "open",
        "ZU": "exited",
        "PERS": "withdrew-personal",
    }
    values = [*order["source"], *order["outcome"], *order["exit_reason"]]
    posted = {"page": "1", **{f"code_{n}": targets[v] for n, v in enumerate(values)}}
    response = pm.post(response["Location"], posted)
    profile = ImportProfile.objects.get(name="Gateshead system")
    assert profile.channel_codes == {"RAD": "event", "WEB": "la-website"}
    assert profile.local_authority == gateshead

    lead = client_for(users["lead"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = lead.post(
            "/pipeline/imports/new/",
            {"profile": profile.pk, "file": SimpleUploadedFile("gateshead.csv", SAMPLE)},
        )
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.VALIDATED, batch.errors
    body = lead.get(f"/pipeline/imports/{batch.pk}/").content.decode()
    assert "Gateshead (40 rows)" in body and "40 new, 0 changed" in body
    lead.post(f"/pipeline/imports/{batch.pk}/commit/")
    records = PipelineRecord.objects.filter(local_authority=gateshead)
    assert records.count() == 40
    assert records.filter(outcome="exited", exit_date=datetime.date(2024, 5, 1)).count() == 10
    assert records.filter(source_channel__code="event").count() == 13


def test_a_heading_twice_in_the_sample_is_not_offered(users, db):
    data = b"Ref;Enquiry date;Source;Source\r\nA-1;01.03.2024;W;X\r\nA-2;02.03.2024;W;X\r\n"
    pm = client_for(users["pm"])
    response = pm.post("/pipeline/profiles/new/", {"file": SimpleUploadedFile("d.csv", data)})
    page = pm.get(response["Location"]).content.decode()
    assert "The heading 'Source' appears more than once" in page
    assert '<option value="Source"' not in page


def test_old_samples_are_swept(users, db):
    from django.utils import timezone

    from pipeline.services.records import sweep_imports

    sample = ProfileSample.objects.create(
        created_by=users["pm"], filename="x.csv", file_type="csv", columns=[], preview=[]
    )
    assert sweep_imports()["samples_deleted"] == 0
    later = timezone.now() + datetime.timedelta(days=1, minutes=1)
    assert sweep_imports(later)["samples_deleted"] == 1
    assert not ProfileSample.objects.filter(pk=sample.pk).exists()
