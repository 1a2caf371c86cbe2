"""Published "Fostering in England" figures per LA and year ending 31 March, loaded from CSV
by a programme manager (issue 19): the comparison group of councils outside the hubs.

Columns (headings in any case and order; a UTF-8 or Windows-1252 CSV, comma-separated):
``la_code`` (GSS code such as E08000037, or DfE code such as 390), ``year_ending`` (2024,
2024-03-31 or 2023-24: the year ending 31 March 2024), ``initial_enquiries``,
``applications``, ``approvals``. Optional ``la_name`` is read only to name a row in messages.

Treatments: a suppressed value (``x``, ``c``, ``..``, ``z``, ``:``, ``u``, ``low``) is stored
empty and named as suppressed; a former code of a council that still exists (Gateshead's and
Northumberland's before 2013, Barnsley's and Sheffield's from May 2025) is read as that council;
a council that no longer exists (Cumbria, Northamptonshire) is left out with a note, as its
figures belong to no council of today; anything else wrong (no year, a negative or non-whole
count, an unknown code, the same LA and year twice) refuses the whole file with every line
named. Nothing is half-saved.
"""

import csv
import datetime
import hashlib
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from clusters.models import LocalAuthority

from ..models import PublishedFigure, PublishedLoad

COLUMNS = ["la_code", "year_ending", "initial_enquiries", "applications", "approvals"]
MEASURES = ["initial_enquiries", "applications", "approvals"]
SUPPRESSED = {"x", "c", "..", "z", ":", "u", "low", "[c]", "[x]", "[z]"}
# codes used in older statistics for councils that still exist
FORMER_CODES = {
    "E08000020": "E08000037",  # Gateshead before 2013
    "E06000048": "E06000057",  # Northumberland before 2013
    "E08000038": "E08000016",  # Barnsley from May 2025
    "E08000039": "E08000019",  # Sheffield from May 2025
}
# councils that no longer exist: their figures belong to no council of today
ABOLISHED = {
    "909": "Cumbria (split into Cumberland and Westmorland and Furness, April 2023)",
    "E10000006": "Cumbria (split into Cumberland and Westmorland and Furness, April 2023)",
    "928": "Northamptonshire (split into North and West Northamptonshire, April 2021)",
    "E10000021": "Northamptonshire (split into North and West Northamptonshire, April 2021)",
}
MAX_BYTES = 5 * 1_048_576


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _year(text: str) -> datetime.date | None:
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m.group(1))
    elif m := re.fullmatch(r"(\d{4})-03-31", text):
        year = int(m.group(1))
    elif m := re.fullmatch(r"(\d{4})[-/](\d{2})", text):
        year = int(m.group(1)) + 1
        if int(m.group(2)) != year % 100:
            return None
    else:
        return None
    if not 2000 <= year <= 2100:
        return None
    return datetime.date(year, 3, 31)


def read_published(data: bytes) -> tuple[list[dict], list[str], list[str]]:
    """(rows to store, errors, notes) of a file; errors name the line and column."""
    if not data.strip():
        return [], ["The file is empty."], []
    if len(data) > MAX_BYTES:
        return [], [f"The file is larger than {MAX_BYTES // 1_048_576} MB."], []
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], ["The file is empty."], []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [f"Line 1: the file has no column {', '.join(missing)}."], []
    at = {name: header.index(name) for name in COLUMNS}
    by_code = {}
    for la in LocalAuthority.objects.all():
        by_code[la.gss_code.upper()] = la
        by_code[la.dfe_code] = la
    rows, errors, notes, seen = [], [], [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        code = cells[at["la_code"]].strip().upper()
        if code in ABOLISHED:
            notes.append(f"Line {line}: {ABOLISHED[code]} left out: no council of today.")
            continue
        la = by_code.get(FORMER_CODES.get(code, code))
        if la is None:
            errors.append(f"Line {line}, la_code: '{code}' is not an English LA's code.")
            continue
        year = _year(cells[at["year_ending"]])
        if year is None:
            errors.append(
                f"Line {line}, year_ending: '{cells[at['year_ending']].strip()}' is not a "
                "year ending 31 March (2024, 2024-03-31 or 2023-24)."
            )
            continue
        row = {"local_authority": la, "year_ending": year, "suppressed": []}
        for measure in MEASURES:
            text = cells[at[measure]].strip().replace(",", "")
            if text.lower() in SUPPRESSED:
                row[measure] = None
                row["suppressed"].append(measure)
            elif text == "":
                row[measure] = None
            elif text.isdigit():
                row[measure] = int(text)
            else:
                errors.append(
                    f"Line {line}, {measure}: '{cells[at[measure]].strip()}' is not a whole "
                    "number of 0 or more, nor a suppression mark (x, c, ..)."
                )
        key = (la.pk, year)
        if key in seen:
            errors.append(
                f"Line {line}: {la} for the year ending {year:%-d %B %Y} is already on line "
                f"{seen[key]}."
            )
            continue
        seen[key] = line
        if FORMER_CODES.get(code):
            notes.append(f"Line {line}: former code {code} read as {la}.")
        rows.append(row)
    if not rows and not errors:
        errors.append("The file has a header row but no figures.")
    return rows, errors, notes


@transaction.atomic
def load_published(*, upload, source: str, user) -> PublishedLoad:
    """Check a file of published figures and, only if every line is right, store them
    (a year already held for an LA is replaced, its history kept)."""
    if not source.strip():
        raise ValidationError({"source": "Say which publication the figures come from."})
    data = upload.read(MAX_BYTES + 1)
    rows, errors, notes = read_published(data)
    if errors:
        shown = errors[:50] + ([f"And {len(errors) - 50} more."] if len(errors) > 50 else [])
        raise ValidationError({"file": shown})
    load = PublishedLoad.objects.create(
        source=source.strip(),
        filename=(upload.name or "figures.csv")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        loaded_by=user,
        rows=len(rows),
        notes=notes,
    )
    held = {
        (f.local_authority_id, f.year_ending): f
        for f in PublishedFigure.objects.select_for_update().filter(
            local_authority__in={r["local_authority"] for r in rows}
        )
    }
    for row in rows:
        figure = held.get((row["local_authority"].pk, row["year_ending"]))
        values = {m: row[m] for m in MEASURES} | {"suppressed": row["suppressed"]}
        if figure is None:
            figure = PublishedFigure(
                local_authority=row["local_authority"], year_ending=row["year_ending"]
            )
            load.added += 1
        elif all(getattr(figure, k) == v for k, v in values.items()):
            continue
        else:
            load.changed += 1
        for key, value in values.items():
            setattr(figure, key, value)
        figure.load = load
        figure._history_user = user
        figure.full_clean()
        figure.save()
    load.save()
    return load
