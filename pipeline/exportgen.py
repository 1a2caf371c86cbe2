"""Synthetic case-management exports with realistic drop-off, for the shipped examples,
the national seed and the benchmarks. Made-up people only."""

import csv
import datetime
import io
import random

from .example_profiles import CAREFIRST, MOSAIC

# Chance of reaching each next step, from enquiry; the product gives about 6% of
# enquiries applying and 2.9% approved (national rates, year to March 2022).
NEXT_STEP = {
    "conversation_date": 0.30,
    "application_date": 0.20,
    "assessment_1_date": 0.92,
    "assessment_2_date": 0.80,
    "panel_date": 0.80,
    "approval_date": 0.85,
}
STEPS = ["enquiry_date", *NEXT_STEP]
GAP_DAYS = {  # (min, max) days from the previous step
    "conversation_date": (3, 30),
    "application_date": (14, 90),
    "assessment_1_date": (7, 40),
    "assessment_2_date": (30, 90),
    "panel_date": (30, 100),
    "approval_date": (3, 30),
}
STEP_CODE = {
    "enquiry_date": "enquiry",
    "conversation_date": "conversation",
    "application_date": "application",
    "assessment_1_date": "assessment_1",
    "assessment_2_date": "assessment_2",
    "panel_date": "panel",
}
REASONS_AT = {
    "enquiry": [
        "no-contact",
        "withdrew-personal",
        "withdrew-other-service",
        "housing",
        "financial",
    ],
    "conversation": ["withdrew-personal", "housing", "financial", "withdrew-other-service"],
}
LATE_REASONS = ["withdrew-personal", "not-suitable", "withdrew-other-service", "other"]
CHANNELS = [
    ("regional-campaign", 30),
    ("hub-website", 25),
    ("hub-phone", 10),
    ("la-website", 15),
    ("word-of-mouth", 10),
    ("event", 5),
    ("referral", 5),
]
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Zoë",
    "Siân",
    "Priya",
    "Mohammed",
    "Aisha",
    "Tom",
    "Ewa",
    "Dáithí",
]
LAST = [
    "Smith",
    "Jones",
    "O'Brien",
    "Patel",
    "Nowak",
    "Khan",
    "Brown",
    "Ní Bhriain",
    "Taylor",
    "Begum",
]


def synthetic_records(
    authorities,
    n: int,
    *,
    start: datetime.date,
    end: datetime.date,
    seed: int = 1,
    application_rate: float | None = None,
    people: int | None = None,
    prefix: str = "",
):
    """Yield n records (dicts in tracker vocabulary) spread over the LAs and dates.

    ``application_rate`` overrides the enquiry -> application rate; ``people`` draws
    identities from a pool so some people enquire with several LAs.
    """
    rng = random.Random(seed)
    chances = dict(NEXT_STEP)
    if application_rate is not None:
        chances["application_date"] = min(0.95, application_rate / chances["conversation_date"])
    span = (end - start).days
    channel_codes = [c for c, _ in CHANNELS]
    channel_weights = [w for _, w in CHANNELS]
    pool = people or n
    for i in range(n):
        la = authorities[i % len(authorities)]
        person = rng.randrange(pool)
        prng = random.Random(person)
        record = {
            "la": la,
            "la_reference": f"{prefix}{la.dfe_code}-{i:07d}",
            "first_name": prng.choice(FIRST),
            "last_name": prng.choice(LAST),
            "date_of_birth": datetime.date(1960, 1, 1)
            + datetime.timedelta(days=prng.randrange(12000)),
            "postcode": f"NE{prng.randrange(1, 40)} {prng.randrange(1, 9)}{chr(65 + prng.randrange(26))}{chr(65 + prng.randrange(26))}",
            "source": rng.choices(channel_codes, channel_weights)[0],
        }
        day = start + datetime.timedelta(days=rng.randrange(span))
        record["enquiry_date"] = day
        last = "enquiry_date"
        for step in STEPS[1:]:
            low, high = GAP_DAYS[step]
            nxt = day + datetime.timedelta(days=rng.randint(low, high))
            if rng.random() >= chances[step] or nxt > end:
                break
            day = nxt
            record[step] = day
            last = step
        if last == "approval_date":
            record["outcome"] = "approved"
        elif day + datetime.timedelta(days=60) < end or rng.random() < 0.7:
            stage = STEP_CODE[last]
            record["outcome"] = "exited"
            record["exit_stage"] = stage
            record["exit_reason"] = rng.choice(REASONS_AT.get(stage, LATE_REASONS))
            record["exit_date"] = min(end, day + datetime.timedelta(days=rng.randint(1, 20)))
        else:
            record["outcome"] = "open"
        yield record


def _invert(mapping: dict) -> dict:
    return {v: k for k, v in mapping.items()}


def carefirst_csv(records) -> bytes:
    """Records as the CareFirst-style export: semicolons, Windows-1252, dd/mm/yyyy."""
    spec = CAREFIRST
    columns = spec["column_map"]
    stage, reason, channel, outcome = (
        _invert(spec[k]) for k in ("stage_codes", "reason_codes", "channel_codes", "outcome_codes")
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(columns.values()))
    for r in records:
        values = {
            "la": r["la"].dfe_code,
            "source": channel[r["source"]],
            "outcome": outcome[r["outcome"]],
            "exit_stage": stage.get(r.get("exit_stage"), ""),
            "exit_reason": reason.get(r.get("exit_reason"), ""),
        }
        row = []
        for field in columns:
            value = values.get(field, r.get(field, ""))
            if isinstance(value, datetime.date):
                value = value.strftime("%d/%m/%Y")
            row.append(value)
        writer.writerow(row)
    return out.getvalue().encode("cp1252")


def mosaic_xlsx(records) -> bytes:
    """Records as the Mosaic-style workbook: GSS codes, ISO dates, numeric codes."""
    from openpyxl import Workbook

    spec = MOSAIC
    columns = spec["column_map"]
    stage, reason, channel, outcome = (
        _invert(spec[k]) for k in ("stage_codes", "reason_codes", "channel_codes", "outcome_codes")
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Enquiries")
    sheet.append(list(columns.values()))
    for r in records:
        values = {
            "la": r["la"].gss_code,
            "name": f"{r['first_name']} {r['last_name']}",
            "source": channel[r["source"]],
            "outcome": outcome[r["outcome"]],
            "exit_stage": stage.get(r.get("exit_stage"), ""),
            "exit_reason": reason.get(r.get("exit_reason"), ""),
        }
        row = []
        for field in columns:
            value = values.get(field, r.get(field, ""))
            if isinstance(value, datetime.date):
                value = value.isoformat()  # text, as the system exports it
            row.append(value)
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_record_rows(records) -> list[dict]:
    """Synthetic records as rows for services.records.upsert_records (identities hashed)."""
    from .models import ExitReason, SourceChannel, Stage
    from .services.identity import person_hash
    from .services.records import DATE_FIELDS

    stages = dict(Stage.objects.values_list("code", "pk"))
    reasons = dict(ExitReason.objects.values_list("code", "pk"))
    channels = dict(SourceChannel.objects.values_list("code", "pk"))
    rows = []
    for r in records:
        exited = r["outcome"] == "exited"
        rows.append(
            {
                "local_authority_id": r["la"].pk,
                "la_reference": r["la_reference"],
                **{f: r[f].isoformat() if r.get(f) else None for f in DATE_FIELDS},
                "source_channel_id": channels[r["source"]],
                "outcome": r["outcome"],
                "exit_stage_id": stages[r["exit_stage"]] if exited else None,
                "exit_reason_id": reasons[r["exit_reason"]] if exited else None,
                "exit_date": r["exit_date"].isoformat() if exited else None,
                "person_hash": person_hash(
                    name=f"{r['first_name']} {r['last_name']}",
                    date_of_birth=r["date_of_birth"],
                    postcode=r["postcode"],
                ),
            }
        )
    return rows
