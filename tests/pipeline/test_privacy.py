import logging

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase

from pipeline import example_profiles
from pipeline.models import PipelineRecord
from pipeline.services import commit_batch, create_batch, person_hash

HEADER = "LA Code;Case Ref;Forename;Surname;DOB;Postcode;Enquiry Date;Initial Visit;Application Received;Stage 1 Start;Stage 2 Start;Panel Date;Approval Date;Source;Status;Exit Stage;Exit Reason;Exit Date"
PEOPLE = [
    ("Zebedee", "Quarrington-Fitch", "17/08/1983", "SR9 7QZ"),
    ("Ysolde", "Vantongeren", "04/11/1979", "NE64 2XW"),
]
SECRETS = [
    "Zebedee",
    "Quarrington",
    "Ysolde",
    "Vantongeren",
    "1983-08-17",
    "17/08/1983",
    "SR9 7QZ",
    "SR97QZ",
    "NE64 2XW",
    "NE642XW",
]


def every_text_value() -> str:
    """All the text in every table of the database, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            cursor.execute(
                f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {connection.ops.quote_name(table)}"
            )
            chunks.extend(str(v) for row in cursor.fetchall() for v in row)
    return "\n".join(chunks)


def test_no_identifying_value_reaches_the_database_or_the_logs(lead, caplog, media):
    caplog.set_level(logging.DEBUG)
    profile = example_profiles.load()[0]
    rows = [
        f"394;P-{i};{first};{last};{dob};{postcode};03/03/2024;;;;;;;HUBW;OPEN;;;"
        for i, (first, last, dob, postcode) in enumerate(PEOPLE)
    ]
    # the same person enquiring with Gateshead too
    rows.append("390;G-1;ZEBEDEE;quarrington fitch;17/08/1983;sr97qz;05/03/2024;;;;;;;HUBW;OPEN;;;")
    data = ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = create_batch(
            profile=profile, upload=SimpleUploadedFile("people.csv", data), user=lead
        )
    batch.refresh_from_db()
    commit_batch(batch=batch, user=lead)

    hashes = list(
        PipelineRecord.objects.order_by("la_reference").values_list("la_reference", "person_hash")
    )
    assert len({h for _, h in hashes}) == 2  # three records, two people
    assert (
        dict(hashes)["G-1"]
        == dict(hashes)["P-0"]
        == person_hash(
            name="Zebedee Quarrington-Fitch",
            date_of_birth=__import__("datetime").date(1983, 8, 17),
            postcode="SR9 7QZ",
        )
    )
    stored = every_text_value()
    logged = caplog.text
    for secret in SECRETS:
        assert secret.lower() not in stored.lower(), secret
        assert secret.lower() not in logged.lower(), secret
    # nor does the uploaded file stay on disk
    assert not any(p.is_file() and b"Zebedee" in p.read_bytes() for p in media.rglob("*"))


def test_the_hash_needs_the_key(settings):
    one = person_hash(name="Ann Other", postcode="NE1 1AA")
    settings.PIPELINE_IDENTITY_KEY = "another-key"
    assert person_hash(name="Ann Other", postcode="NE1 1AA") != one
    assert person_hash() == ""
