"""Import profiles made from a sample export: detect how the file is written (type,
encoding, delimiter, heading row), suggest which heading holds each tracker field, the
date formats that read every date, and the distinct codes to map.

What is kept of a sample (pipeline.models.ProfileSample) never holds an identifying value:
a column's values are kept only when they are codes (few, repeated values under a heading
that is not a name, date of birth or postcode); every other value is shown by its shape.
"""

import csv
import datetime
import difflib
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    ExitReason,
    FileType,
    ImportProfile,
    Outcome,
    ProfileSample,
    SourceChannel,
    Stage,
)
from .records import (
    CODE_FIELDS,
    DATE_FIELDS,
    FIELD_LABELS,
    IDENTITY_FIELDS,
    MAPPABLE_FIELDS,
    ImportFileError,
    read_csv,
    read_xlsx,
    save_profile,
)

SAMPLE_ROWS = 5000  # data rows read from a sample
PREVIEW_ROWS = 5
CODE_VALUES_LIMIT = 1000  # a column with more distinct values is not a code column
DELIMITERS = {",": "Comma (,)", ";": "Semicolon (;)", "\t": "Tab", "|": "Vertical bar (|)"}

# The formats a date may be written in, each with how it reads; a profile chooses one.
DATE_FORMATS = {
    "%Y-%m-%d": "yyyy-mm-dd",
    "%d/%m/%Y": "dd/mm/yyyy",
    "%d.%m.%Y": "dd.mm.yyyy",
    "%d-%m-%Y": "dd-mm-yyyy",
    "%d/%m/%y": "dd/mm/yy",
    "%d.%m.%y": "dd.mm.yy",
    "%Y/%m/%d": "yyyy/mm/dd",
    "%d %b %Y": "d Mon yyyy",
    "%d %B %Y": "d Month yyyy",
    "%d-%b-%Y": "dd-Mon-yyyy",
    "%m/%d/%Y": "mm/dd/yyyy (US order)",
    "%Y%m%d": "yyyymmdd",
}
EXAMPLE_DAY = datetime.date(2024, 12, 21)
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def format_choice_label(date_format: str) -> str:
    """ "dd.mm.yyyy, for example 21.12.2024"."""
    name = DATE_FORMATS.get(date_format, date_format)
    return f"{name}, for example {EXAMPLE_DAY.strftime(date_format)}"


# Headings each field is often exported under (compared without case, spaces or punctuation)
SYNONYMS = {
    "la": [
        "la",
        "la code",
        "la name",
        "local authority",
        "authority",
        "council",
        "dfe code",
        "gss code",
        "la number",
    ],
    "la_reference": [
        "case ref",
        "case reference",
        "reference",
        "ref",
        "case id",
        "case number",
        "person id",
        "client id",
        "id",
        "record id",
        "enquiry id",
        "la reference",
        "enquiry ref",
        "enquiry reference",
    ],
    "enquiry_date": [
        "enquiry date",
        "date of enquiry",
        "initial enquiry",
        "enquiry received",
        "first contact date",
        "contact date",
        "enquiry",
        "date enquired",
    ],
    "conversation_date": [
        "initial visit",
        "home visit",
        "home visit date",
        "initial conversation",
        "initial visit date",
        "visit date",
        "conversation date",
        "initial conversation date",
    ],
    "application_date": [
        "application date",
        "application received",
        "date of application",
        "application",
        "application received date",
    ],
    "assessment_1_date": [
        "stage 1",
        "stage 1 start",
        "stage one",
        "stage 1 date",
        "assessment stage 1",
        "stage 1 start date",
    ],
    "assessment_2_date": [
        "stage 2",
        "stage 2 start",
        "stage two",
        "stage 2 date",
        "assessment stage 2",
        "stage 2 start date",
    ],
    "panel_date": ["panel", "panel date", "fostering panel", "panel date fostering"],
    "approval_date": [
        "approval",
        "approval date",
        "approved",
        "date approved",
        "adm decision date",
        "approved date",
    ],
    "source": [
        "source",
        "channel",
        "enquiry source",
        "how heard",
        "referral source",
        "source of enquiry",
        "source channel",
        "enquiry channel",
    ],
    "outcome": ["status", "outcome", "case status", "current status"],
    "exit_stage": [
        "exit stage",
        "stage closed",
        "closed at stage",
        "stage at closure",
        "closure stage",
    ],
    "exit_reason": [
        "exit reason",
        "closure reason",
        "reason closed",
        "reason for closure",
        "withdrawal reason",
        "reason for leaving",
    ],
    "exit_date": [
        "exit date",
        "closure date",
        "closed date",
        "date closed",
        "end date",
        "date of closure",
        "closed",
    ],
    "name": ["name", "full name", "applicant name", "client name", "applicant"],
    "first_name": ["first name", "forename", "given name", "firstname", "forenames", "first names"],
    "last_name": ["last name", "surname", "family name", "lastname"],
    "date_of_birth": ["dob", "date of birth", "birth date", "birthdate", "d o b"],
    "postcode": ["postcode", "post code", "postal code", "zip", "zip code"],
}
IDENTITY_HINTS = {
    "name",
    "forename",
    "surname",
    "dob",
    "birth",
    "postcode",
    "address",
    "email",
    "phone",
    "telephone",
    "mobile",
    "nino",
    "nhs",
}


def normalise(heading: str) -> str:
    text = unicodedata.normalize("NFKD", str(heading)).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


_SYNONYMS = {field: {normalise(s) for s in names} for field, names in SYNONYMS.items()}


def suggest_columns(headings: list[str]) -> dict[str, str]:
    """Tracker field -> the heading that most likely holds it (exact synonyms first, then
    close ones); each heading suggested once."""
    suggested, used = {}, set()
    normal = {h: normalise(h) for h in headings}
    for field in MAPPABLE_FIELDS:
        for heading, text in normal.items():
            if heading not in used and text in _SYNONYMS[field]:
                suggested[field] = heading
                used.add(heading)
                break
    for field in MAPPABLE_FIELDS:
        if field in suggested:
            continue
        best, score = None, 0.0
        for heading, text in normal.items():
            if heading in used or not text:
                continue
            for synonym in _SYNONYMS[field]:
                ratio = difflib.SequenceMatcher(None, text, synonym).ratio()
                if ratio > score:
                    best, score = heading, ratio
        if best and score >= 0.86:
            suggested[field] = best
            used.add(best)
    return suggested


def _looks_identifying(heading: str) -> bool:
    text = normalise(heading)
    words = set(text.split()) | {text.replace(" ", "")}
    return bool(words & IDENTITY_HINTS) or any(text in _SYNONYMS[f] for f in IDENTITY_FIELDS)


def shape(value) -> str:
    """A value shown without its content: letters as X/x, digits as 9."""
    if isinstance(value, datetime.datetime | datetime.date):
        return "(a date)"
    out = []
    for ch in str(value)[:40]:
        if ch.isdigit():
            out.append("9")
        elif ch.isalpha():
            out.append("X" if ch.isupper() else "x")
        else:
            out.append(ch)
    return "".join(out)


def date_formats_for(values: list) -> list[str]:
    """The formats that read every one of these values as a date (Excel dates: all)."""
    texts = [
        _TIME.sub("", str(v).strip())
        for v in values
        if not isinstance(v, datetime.datetime | datetime.date)
    ]
    if not values:
        return []
    if not texts:
        return list(DATE_FORMATS)
    fitting = []
    for date_format in DATE_FORMATS:
        try:
            for text in texts:
                datetime.datetime.strptime(text, date_format)
        except ValueError:
            continue
        fitting.append(date_format)
    return fitting


# Reading the sample ---------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "The sample is in UTF-16, which the tracker does not read: save it as CSV UTF-8."
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _is_data(value) -> bool:
    """A cell that looks like data rather than a heading: a number or a date."""
    if isinstance(value, int | float | datetime.date):
        return True
    text = str(value).strip()
    if not text:
        return False
    if re.fullmatch(r"[-+]?\d[\d,.]*", text):
        return True
    return bool(date_formats_for([text]))


def inspect_sample(data: bytes, filename: str) -> dict:
    """Read a sample export: its type, encoding, delimiter, heading row, headings, and
    per column the kind of values (date, code, text) with what may be kept of them."""
    if not data or not data.strip():
        raise ImportFileError("The sample is empty.")
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"The sample is {len(data) / 1_048_576:.0f} MB; a sample of a few hundred rows is "
            "enough (the limit is "
            f"{settings.MAX_UPLOAD_BYTES / 1_048_576:.0f} MB)."
        )
    if data[:4] == b"PK\x03\x04":
        file_type, encoding, delimiter = FileType.XLSX, "", ""
        rows = read_xlsx(data)
    else:
        file_type = FileType.CSV
        encoding = detect_encoding(data)
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
        delimiter = detect_delimiter(text)
        rows = read_csv(data, encoding=encoding, delimiter=delimiter)
    header, header_row, body = None, 1, []
    for line, cells in rows:
        filled = [c for c in cells if str(c).strip()]
        if header is None:
            if not filled:
                continue
            if line > 10:
                break
            if len(filled) < 2 and line < 10:
                continue  # a title line above the headings
            data_like = [c for c in filled if _is_data(c)]
            if data_like:
                raise ImportFileError(
                    f"Line {line} of the sample holds data, not headings (for example "
                    f"'{shape(data_like[0])}', shown by its shape): the tracker needs the "
                    "export with its heading row. Export it again with headings."
                )
            header, header_row = [str(c).strip() for c in cells], line
            continue
        if not filled:
            continue
        body.append(cells)
        if len(body) >= SAMPLE_ROWS:
            break
    if header is None:
        raise ImportFileError(
            "No heading row was found in the first 10 lines of the sample: the tracker needs "
            "a row of column headings."
        )
    if not body:
        raise ImportFileError(
            "The sample has headings but no rows under them: the tracker needs some rows to "
            "suggest the date format and list the codes. Export a few hundred rows."
        )
    # trailing empty headings (a row padded with delimiters) are dropped
    while header and not header[-1]:
        header.pop()
    columns = []
    seen_headings: dict[str, int] = {}
    for index, heading in enumerate(header):
        label = heading or f"(column {index + 1}, no heading)"
        seen_headings[label.casefold()] = seen_headings.get(label.casefold(), 0) + 1
        values = [row[index] for row in body if index < len(row) and str(row[index]).strip()]
        formats = date_formats_for(values) if values else []
        distinct = {str(v).strip() for v in values}
        identifying = _looks_identifying(heading)
        is_code = (
            bool(values)
            and not formats
            and not identifying
            and len(distinct) <= CODE_VALUES_LIMIT
            and (
                any(normalise(heading) in _SYNONYMS[f] for f in CODE_FIELDS)
                or len(distinct) <= max(1, len(values) // 2)
            )
        )
        kind = "empty" if not values else "date" if formats else "code" if is_code else "text"
        columns.append(
            {
                "heading": label,
                "kind": kind,
                "filled": len(values),
                "distinct": len(distinct) if kind == "code" else None,
                "formats": formats,
                "values": sorted(distinct, key=str.casefold) if kind == "code" else [],
                "identifying": identifying,
            }
        )
    duplicates = [h for h, n in seen_headings.items() if n > 1]
    for column in columns:  # a heading twice cannot be read: it is not offered
        column["duplicate"] = column["heading"].casefold() in duplicates
    preview = []
    for row in body[:PREVIEW_ROWS]:
        cells = []
        for index, column in enumerate(columns):
            value = row[index] if index < len(row) else ""
            if not str(value).strip():
                cells.append("")
            elif column["kind"] == "code":
                cells.append(str(value).strip()[:60])
            else:
                cells.append(shape(value))
        preview.append(cells)
    return {
        "filename": filename[:255],
        "file_type": file_type,
        "encoding": encoding,
        "delimiter": delimiter,
        "header_row": header_row,
        "rows": len(body),
        "columns": columns,
        "preview": preview,
        "duplicates": duplicates,
    }


@transaction.atomic
def create_sample(*, upload, user, profile: ImportProfile | None = None) -> ProfileSample:
    """Inspect an uploaded sample and keep what may be kept of it (never the file)."""
    data = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    try:
        found = inspect_sample(data, upload.name or "sample")
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}) from None
    del found["duplicates"]  # marked on the columns
    return ProfileSample.objects.create(created_by=user, profile=profile, **found)


SAMPLE_KEPT = datetime.timedelta(days=1)


def sweep_samples(now=None) -> int:
    """Samples left by a profile never saved go after a day."""
    now = now or timezone.now()
    deleted, _ = ProfileSample.objects.filter(created_at__lt=now - SAMPLE_KEPT).delete()
    return deleted


# Saving a profile from a sample -----------------------------------------------------------


def code_targets(field: str) -> list[tuple[str, str]]:
    """The tracker's entries a code of this field may map to: (code, name)."""
    if field == "outcome":
        return [(o.value, o.label) for o in Outcome]
    model = {"source": SourceChannel, "exit_stage": Stage, "exit_reason": ExitReason}[field]
    return list(model.objects.filter(is_active=True).order_by("order").values_list("code", "name"))


CODE_MAP_ATTR = {
    "source": "channel_codes",
    "outcome": "outcome_codes",
    "exit_stage": "stage_codes",
    "exit_reason": "reason_codes",
}
_OUTCOME_WORDS = {
    "open": "open",
    "active": "open",
    "in progress": "open",
    "live": "open",
    "ongoing": "open",
    "approved": "approved",
    "appr": "approved",
    "approval": "approved",
    "closed": "exited",
    "exited": "exited",
    "withdrawn": "exited",
    "clsd": "exited",
    "ended": "exited",
    "left": "exited",
}


def suggest_code(field: str, value: str, targets: list[tuple[str, str]]) -> str:
    """The tracker code an export code most likely means ('' if none stands out)."""
    text = normalise(value)
    if field == "outcome" and text in _OUTCOME_WORDS:
        return _OUTCOME_WORDS[text]
    for code, name in targets:
        if text in (normalise(code), normalise(name)):
            return code
    best, score = "", 0.0
    for code, name in targets:
        for candidate in (normalise(code), normalise(name)):
            ratio = difflib.SequenceMatcher(None, text, candidate).ratio()
            if ratio > score:
                best, score = code, ratio
    return best if score >= 0.8 else ""


def codes_to_map(profile: ImportProfile) -> list[dict]:
    """Every export code the profile has seen, has mapped or was asked for, per code field
    in turn: {field, column, value, mapped, suggested}."""
    from ..models import CodeRequest

    asked: dict[str, set] = {}
    for field, code in CodeRequest.objects.filter(
        profile=profile, settled_at__isnull=True
    ).values_list("field", "code"):
        asked.setdefault(field, set()).add(code)
    items = []
    for field in CODE_FIELDS:
        column = str(profile.column_map.get(field) or "").strip()
        code_map = getattr(profile, CODE_MAP_ATTR[field])
        values = set(profile.seen_codes.get(field, [])) | set(code_map) | asked.get(field, set())
        if not column and not code_map:
            continue
        targets = code_targets(field)
        for value in sorted(values, key=str.casefold):
            items.append(
                {
                    "field": field,
                    "label": FIELD_LABELS[field],
                    "column": column,
                    "value": value,
                    "mapped": code_map.get(value, ""),
                    "suggested": code_map.get(value) or suggest_code(field, value, targets),
                    "asked": value in asked.get(field, set()),
                }
            )
    return items


def profile_from_sample(*, profile: ImportProfile, sample: ProfileSample, user) -> ImportProfile:
    """Save a profile whose columns were chosen against a sample: it keeps the sample's
    headings and, for each mapped code column, the codes seen (mapped at once where they
    are already tracker codes or names); the sample is then deleted."""
    profile.headings = sample.headings()
    seen = dict(profile.seen_codes or {})
    for field in CODE_FIELDS:
        heading = str(profile.column_map.get(field) or "").strip()
        column = sample.column(heading) if heading else None
        if column is None:
            continue
        seen[field] = sorted(set(seen.get(field, [])) | set(column["values"]), key=str.casefold)
        code_map = dict(getattr(profile, CODE_MAP_ATTR[field]))
        targets = code_targets(field)
        for value in column["values"]:
            if value not in code_map:
                exact = next(
                    (c for c, n in targets if normalise(value) in (normalise(c), normalise(n))),
                    None,
                )
                if exact:
                    code_map[value] = exact
        setattr(profile, CODE_MAP_ATTR[field], code_map)
    profile.seen_codes = seen
    with transaction.atomic():
        saved = save_profile(profile=profile, user=user)
        ProfileSample.objects.filter(pk=sample.pk).delete()
    return saved


def save_codes(*, profile: ImportProfile, choices: dict[tuple[str, str], str], user):
    """Set (field, export code) -> tracker code ('' to unmap) and save a new version."""
    for (field, value), target in choices.items():
        attr = CODE_MAP_ATTR[field]
        code_map = dict(getattr(profile, attr))
        if target:
            code_map[value] = target
        else:
            code_map.pop(value, None)
        setattr(profile, attr, code_map)
    return save_profile(profile=profile, user=user)


__all__ = [
    "DATE_FIELDS",
    "DATE_FORMATS",
    "DELIMITERS",
    "code_targets",
    "codes_to_map",
    "create_sample",
    "format_choice_label",
    "inspect_sample",
    "profile_from_sample",
    "save_codes",
    "suggest_columns",
    "sweep_samples",
]
