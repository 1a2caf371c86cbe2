"""Record-level imports: parse an export with its profile, check every row, then commit.

Flow: create_batch (store the file, checksum) -> validate_batch (in Celery: parse,
hash identities, stage the clean rows, count new/changed/unchanged, list every bad row)
-> commit_batch (atomic upsert keyed on LA and LA reference).
"""

import csv
import datetime
import gzip
import hashlib
import io
import json
import logging
import operator
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from clusters.models import LocalAuthority
from core.tasks import enqueue

from ..models import (
    BatchStatus,
    ExitReason,
    FileType,
    ImportBatch,
    ImportProfile,
    Outcome,
    PipelineRecord,
    SourceChannel,
    Stage,
    StageCode,
)
from ..scope import PROGRAMME_START, editable_authorities
from .identity import person_hash

log = logging.getLogger(__name__)

DATE_FIELDS = list(PipelineRecord.DATE_FIELDS.values())  # in stage order
STAGE_OF_FIELD = {v: k for k, v in PipelineRecord.DATE_FIELDS.items()}
CODE_FIELDS = ["source", "outcome", "exit_stage", "exit_reason"]
IDENTITY_FIELDS = ["name", "first_name", "last_name", "date_of_birth", "postcode"]
# Every field a profile may map, in the order a person filling in a profile expects.
MAPPABLE_FIELDS = ["la", "la_reference", *DATE_FIELDS, *CODE_FIELDS, "exit_date", *IDENTITY_FIELDS]
REQUIRED_FIELDS = ["la_reference", "enquiry_date"]
# The columns staged per row and written to PipelineRecord (the upsert's payload).
RECORD_COLUMNS = [
    "local_authority_id",
    "la_reference",
    *DATE_FIELDS,
    "source_channel_id",
    "outcome",
    "exit_stage_id",
    "exit_reason_id",
    "exit_date",
    "person_hash",
]
COMPARED = RECORD_COLUMNS[2:]
FORMULA_PREFIXES = ("=", "+", "@")
PROGRESS_STEP = 2000
MEMO_LIMIT = 50_000  # distinct dates or codes remembered per file (bounds the memory)
_TIME_OF_DAY = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, empty, wrong encoding)."""


# Reading ---------------------------------------------------------------------------


def read_csv(data: bytes, *, encoding: str, delimiter: str):
    """Yield (line number, cells) from CSV bytes; a UTF-8 byte-order mark is dropped."""
    if data[:4] == b"PK\x03\x04" or b"\x00" in data[:4096]:
        raise ImportFileError(
            "The file is not a CSV text file (it looks like a binary or Excel file)."
        )
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not valid {encoding}: the byte at position {error.start} cannot be "
            "read. Check the import profile's encoding (Windows exports are often Windows-1252)."
        ) from None
    except LookupError:
        raise ImportFileError(f"Unknown encoding '{encoding}'.") from None
    if not text.strip():
        raise ImportFileError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ",")
    limits = _Limits("Line")
    try:
        for cells in reader:
            limits.check(reader.line_num, cells)
            yield reader.line_num, cells
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: {error}.") from None


def read_xlsx(data: bytes):
    """Yield (row number, cells) from the first sheet; formulas come back as their text."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFileError("The file is not an Excel workbook (.xlsx).") from None
    sheet = workbook.worksheets[0]
    # read the rows the file holds, not the size it declares (checked above): otherwise
    # every empty cell of the declared range is made, and a small file fills the memory
    sheet.reset_dimensions()
    limits = _Limits("Row")
    empty = True
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        empty = False
        limits.check(number, row)
        yield number, ["" if v is None else v for v in row]
    workbook.close()
    if empty:
        raise ImportFileError("The file is empty.")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")


def _check_archive(data: bytes) -> None:
    """Refuse an XLSX whose parts expand past the limits, or whose sheets declare more
    cells than allowed, before any of it is read."""
    from openpyxl.utils import column_index_from_string

    limits = settings.UPLOAD_LIMITS
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("The file is not an Excel workbook (.xlsx).") from None
    total = sum(part.file_size for part in parts)
    if total > limits["uncompressed_bytes"]:
        raise ImportFileError(
            f"The workbook expands to {total / 1_048_576:,.0f} MB; the limit is "
            f"{limits['uncompressed_bytes'] / 1_048_576:,.0f} MB. Split the export and upload "
            "each part."
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > 1_048_576 and ratio > limits["compression_ratio"]:
            raise ImportFileError(
                f"Part of the workbook ({part.filename}) expands {ratio:,.0f} times; the limit "
                f"is {limits['compression_ratio']} times. A real export does not compress so "
                "far: save it again from the system that made it."
            )
        if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
            with archive.open(part) as sheet:
                found = _DIMENSION.search(sheet.read(4096))
            if found and found.group(3):
                rows = int(found.group(4)) - int(found.group(2)) + 1
                columns = (
                    column_index_from_string(found.group(3).decode())
                    - column_index_from_string(found.group(1).decode())
                    + 1
                )
                if rows * columns > limits["cells"]:
                    raise ImportFileError(
                        f"The sheet declares {rows:,} rows by {columns:,} columns "
                        f"({rows * columns:,} cells); the limit is {limits['cells']:,} cells."
                    )


class _Limits:
    """Rows, columns, cells and cell length of a file, counted as it is read."""

    def __init__(self, unit: str):
        self.unit = unit  # "Row" or "Line"
        self.limits = settings.UPLOAD_LIMITS
        self.rows = self.cells = 0

    def check(self, number: int, row) -> None:
        limits = self.limits
        self.rows += 1
        if self.rows > limits["rows"]:
            raise ImportFileError(
                f"The file has more than {limits['rows']:,} rows, the limit for one upload. "
                "Split the export and upload each part."
            )
        if len(row) > limits["columns"]:
            raise ImportFileError(
                f"{self.unit} {number} has {len(row):,} columns; the limit is "
                f"{limits['columns']:,} columns."
            )
        self.cells += len(row)
        if self.cells > limits["cells"]:
            raise ImportFileError(
                f"The file has more than {limits['cells']:,} cells, the limit for one upload."
            )
        for index, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > limits["cell_characters"]:
                from openpyxl.utils import get_column_letter

                raise ImportFileError(
                    f"{self.unit} {number}, column {get_column_letter(index)}: the cell holds "
                    f"{len(value):,} characters; the limit is {limits['cell_characters']:,}."
                )


def _rows(data: bytes, profile: ImportProfile):
    if not data:
        raise ImportFileError("The file is empty.")
    if profile.file_type == FileType.XLSX:
        return read_xlsx(data)
    return read_csv(data, encoding=profile.encoding, delimiter=profile.delimiter)


# Checking --------------------------------------------------------------------------


class _Context:
    """Lookups made once per file: LAs, the user's LAs, code maps, list ids."""

    def __init__(self, profile: ImportProfile, user, default_la: LocalAuthority | None, today):
        self.profile = profile
        self.today = today
        self.default_la = default_la
        self.authorities = {}
        for la in LocalAuthority.objects.all():
            for key in (la.dfe_code, la.gss_code.upper(), la.name.casefold()):
                self.authorities[key] = la
        self.allowed = set(editable_authorities(user).values_list("pk", flat=True))
        self.stages = {s.code: s.pk for s in Stage.objects.all()}
        self.reasons = {r.code: r.pk for r in ExitReason.objects.all()}
        self.channels = {c.code: c.pk for c in SourceChannel.objects.all()}
        self.maps = {
            "source": (profile.channel_codes, self.channels, "source channel"),
            "exit_stage": (profile.stage_codes, self.stages, "stage"),
            "exit_reason": (profile.reason_codes, self.reasons, "exit reason"),
            "outcome": (profile.outcome_codes, {o.value: o.value for o in Outcome}, "outcome"),
        }
        # An export repeats a few hundred dates and a few dozen codes across its rows:
        # each distinct text is parsed or looked up once (strptime was half the time).
        # Held in memory only while the file is (dates of birth among them).
        self._dates: dict[str, datetime.date] = {}
        self._codes: dict[tuple[str, str], object] = {}

    def la(self, raw):
        text = str(raw).strip()
        return (
            self.authorities.get(text)
            or self.authorities.get(text.upper())
            or self.authorities.get(text.casefold())
        )

    def code(self, field, raw):
        """The tracker's id (or value) for a source code; KeyError if unknown."""
        key = (field, str(raw))
        if key in self._codes:
            return self._codes[key]
        code_map, targets, _ = self.maps[field]
        text = key[1].strip()
        mapped = code_map.get(text, code_map.get(text.upper(), code_map.get(text.lower())))
        if mapped is None and not code_map:
            mapped = text  # no map: the export already uses the tracker's codes
        if mapped is None or mapped not in targets:
            raise KeyError(text)
        if len(self._codes) < MEMO_LIMIT:
            self._codes[key] = targets[mapped]
        return targets[mapped]

    def date(self, raw):
        """A cell as a date in the profile's format; ValueError if it is not one."""
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        text = str(raw).strip()
        day = self._dates.get(text)
        if day is None:
            try:
                day = datetime.datetime.strptime(text, self.profile.date_format).date()
            except ValueError:
                # "21.12.2024 00:00": a date exported with a time of day
                bare = _TIME_OF_DAY.sub("", text)
                if bare == text:
                    raise
                day = datetime.datetime.strptime(bare, self.profile.date_format).date()
            if len(self._dates) < MEMO_LIMIT:
                self._dates[text] = day
        return day


def _format_example(date_format: str) -> str:
    return (
        date_format.replace("%d", "dd")
        .replace("%m", "mm")
        .replace("%Y", "yyyy")
        .replace("%y", "yy")
    )


def _check_row(ctx: _Context, line: int, values: dict, errors: list) -> dict | None:
    """One row -> the record's columns, or None with its errors appended."""
    problems = []

    def bad(column_field, message, kind="row", **extra):
        problems.append(
            {
                "line": line,
                "column": ctx.profile.column_map.get(column_field) or FIELD_LABELS[column_field],
                "message": message,
                "kind": kind,
                **extra,
            }
        )

    for name, value in values.items():
        if name in ("person_hash", "dob_bad"):
            continue
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            bad(name, "Formulas are not allowed in cells; export values only.", "formula")
    if problems:
        errors.extend(problems)
        return None

    if "la" in values:
        la = ctx.la(values["la"]) if str(values["la"]).strip() else ctx.default_la
        if la is None:
            bad(
                "la",
                f"Unknown LA '{values['la']}': use its DfE code, GSS code or name"
                + ("." if str(values["la"]).strip() else ", or choose the LA when uploading."),
                "la",
            )
    else:
        la = ctx.default_la  # never None here: a file with neither is refused whole
    if la is not None and la.pk not in ctx.allowed:
        bad("la", f"{la} is not one of the LAs you may upload for.", "la")

    reference = str(values.get("la_reference", "")).strip()
    if not reference:
        bad("la_reference", "The LA reference is missing.")
    elif len(reference) > 60:
        bad("la_reference", "The LA reference is longer than 60 characters.")

    dates = {}
    for name in [*DATE_FIELDS, "exit_date"]:
        raw = values.get(name, "")
        if raw in ("", None) or (isinstance(raw, str) and not raw.strip()):
            dates[name] = None
            continue
        try:
            day = ctx.date(raw)
        except (ValueError, TypeError):
            bad(
                name,
                f"'{raw}' is not a date in the form {_format_example(ctx.profile.date_format)}.",
                "date",
                value=str(raw)[:40],
            )
            dates[name] = None
            continue
        if day > ctx.today:
            bad(name, f"{day:%-d %B %Y} is in the future.")
        elif day < PROGRAMME_START:
            bad(
                name,
                f"{day:%-d %B %Y} is before the programme began ({PROGRAMME_START:%-d %B %Y}).",
            )
        dates[name] = day
    if dates["enquiry_date"] is None and not any(
        p["column"] == ctx.profile.column_map.get("enquiry_date") for p in problems
    ):
        bad("enquiry_date", "The enquiry date is missing.")
    previous = None
    for name in DATE_FIELDS:
        day = dates[name]
        if day is None:
            continue
        if previous and day < dates[previous]:
            bad(
                name,
                f"{StageCode(STAGE_OF_FIELD[name]).label} date ({day:%-d %B %Y}) is before the "
                f"{StageCode(STAGE_OF_FIELD[previous]).label.lower()} date ({dates[previous]:%-d %B %Y}).",
            )
        previous = name
    if dates["approval_date"] and not dates["application_date"]:
        bad("application_date", "An approved record needs its application date.")

    ids = {}
    for name in CODE_FIELDS:
        raw = values.get(name, "")
        if str(raw).strip() == "":
            ids[name] = None
            continue
        try:
            ids[name] = ctx.code(name, raw)
        except KeyError:
            code = str(raw).strip()
            bad(
                name,
                f"Unknown {ctx.maps[name][2]} code '{code}' in column "
                f"'{ctx.profile.column_map.get(name, name)}': a programme manager adds it to the "
                "import profile's code map (ask for it from the import's page), then the file "
                "can be checked again.",
                "code",
                field=name,
                code=code[:120],
            )
            ids[name] = None

    reached = [n for n in DATE_FIELDS if dates[n]]
    outcome = ids["outcome"] or (Outcome.APPROVED if dates["approval_date"] else Outcome.OPEN)
    if ids["exit_stage"] or ids["exit_reason"]:
        if ids["outcome"] is None:
            outcome = Outcome.EXITED
    if outcome == Outcome.APPROVED and not dates["approval_date"]:
        bad("approval_date", "The outcome is approved but there is no approval date.")
    exit_stage, exit_date = ids["exit_stage"], dates["exit_date"]
    if outcome == Outcome.EXITED:
        last = reached[-1] if reached else "enquiry_date"
        exit_stage = exit_stage or ctx.stages.get(STAGE_OF_FIELD[last])
        exit_date = exit_date or dates[last]

    if values.get("dob_bad"):
        bad(
            "date_of_birth",
            "The date of birth is not a date in the form "
            f"{_format_example(ctx.profile.date_format)}.",
            "date",
        )
    hashed = values["person_hash"]

    if problems:
        errors.extend(problems)
        return None
    return {
        "local_authority_id": la.pk,
        "la_reference": reference,
        **{n: dates[n].isoformat() if dates[n] else None for n in DATE_FIELDS},
        "source_channel_id": ids["source"],
        "outcome": str(outcome),
        "exit_stage_id": exit_stage if outcome == Outcome.EXITED else None,
        "exit_reason_id": ids["exit_reason"] if outcome == Outcome.EXITED else None,
        "exit_date": exit_date.isoformat() if outcome == Outcome.EXITED and exit_date else None,
        "person_hash": hashed,
    }


FIELD_LABELS = {
    "la": "LA",
    "la_reference": "LA reference",
    **{
        name: f"{StageCode(code).label[0].lower()}{StageCode(code).label[1:]} date"
        for code, name in PipelineRecord.DATE_FIELDS.items()
    },
    "source": "source channel",
    "outcome": "outcome",
    "exit_stage": "exit stage",
    "exit_reason": "exit reason",
    "exit_date": "exit (closure) date",
    "name": "full name",
    "first_name": "first name",
    "last_name": "last name",
    "date_of_birth": "date of birth",
    "postcode": "postcode",
}
# The stored values an import can clear (set before, empty after): the preview counts them
CLEARABLE = [*DATE_FIELDS, "source_channel_id", "exit_stage_id", "exit_reason_id", "exit_date"]
CLEARABLE_LABELS = {
    **{name: FIELD_LABELS[name] for name in DATE_FIELDS},
    "source_channel_id": "source channel",
    "exit_stage_id": "exit stage",
    "exit_reason_id": "exit reason",
    "exit_date": "exit (closure) date",
}


def _file_error(message: str, *, line=None, column="", kind="file") -> dict:
    return {"line": line, "column": column, "message": message, "kind": kind}


def _header_problems(header: list[str], profile, default_la, header_line: int) -> list[dict]:
    """Whole-file problems found from the headings alone: each is one message."""
    import difflib

    problems = []
    folded = [h.casefold() for h in header]
    order = {name: i for i, name in enumerate(MAPPABLE_FIELDS)}
    for name, column in sorted(profile.column_map.items(), key=lambda i: order.get(i[0], 99)):
        heading = str(column or "").strip()
        if not heading:
            continue
        label = FIELD_LABELS.get(name, name)
        found = [i for i, h in enumerate(folded) if h == heading.casefold()]
        if not found:
            close = (
                difflib.get_close_matches(heading, header, n=3, cutoff=0.6)
                or [
                    h
                    for h in header
                    if difflib.SequenceMatcher(None, heading.casefold(), h.casefold()).ratio() > 0.6
                ][:3]
            )
            hint = (
                " The closest headings in the file are " + ", ".join(f"'{c}'" for c in close) + "."
                if close
                else " No heading in the file is close to it."
            )
            lost = (
                "people could not be counted once across LAs"
                if name in IDENTITY_FIELDS
                else f"the {label} of every record would be left empty or cleared"
            )
            problems.append(
                _file_error(
                    f"The column '{heading}' ({label}) is not in the file, so nothing in it would "
                    f"be read and {lost}.{hint} Correct the export's heading or the profile's "
                    "column map.",
                    line=header_line,
                    column=heading,
                    kind="missing_column",
                )
            )
        elif len(found) > 1:
            from openpyxl.utils import get_column_letter

            where = " and ".join(get_column_letter(i + 1) for i in found)
            problems.append(
                _file_error(
                    f"The heading '{heading}' ({label}) appears {len(found)} times (columns "
                    f"{where}): the tracker cannot tell which to read. Rename one of them.",
                    line=header_line,
                    column=heading,
                    kind="duplicate_heading",
                )
            )
    for name in REQUIRED_FIELDS:
        if not str(profile.column_map.get(name) or "").strip():
            problems.append(
                _file_error(
                    f"The profile does not map the {FIELD_LABELS[name]}: a programme manager adds "
                    "it to the profile.",
                    column=FIELD_LABELS[name],
                    kind="profile",
                )
            )
    if not str(profile.column_map.get("la") or "").strip() and default_la is None:
        problems.append(
            _file_error(
                "The export has no LA column and no LA was chosen: choose the LA when uploading "
                "(or a programme manager gives the profile its LA).",
                column="LA",
                kind="no_la",
            )
        )
    return problems


def _cell_json(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return {"$date": value.isoformat()}
    raise TypeError(type(value))


def _cell_from_json(obj):
    if "$date" in obj:
        return datetime.datetime.fromisoformat(obj["$date"])
    return obj


def _extract(ctx: "_Context", data: bytes, profile, default_la):
    """The file's mapped cells, row by row: (line, values) with the identity fields already
    hashed into values["person_hash"] (a date of birth that is not a date gives
    values["dob_bad"]). Raises ImportFileError for a whole-file problem; returns the
    header problems as a list instead of rows when there are any."""
    iterator = iter(_rows(data, profile))
    header = None
    for line, cells in iterator:
        if line >= (profile.header_row or 1):
            header = [str(h).strip() for h in cells]
            header_line = line
            break
    if header is None:
        raise ImportFileError("The file is empty.")
    problems = _header_problems(header, profile, default_la, header_line)
    if problems:
        return problems, None
    headings = {h.casefold(): i for i, h in enumerate(header)}
    positions = {
        name: headings[str(column).strip().casefold()]
        for name, column in profile.column_map.items()
        if str(column or "").strip()
    }
    identity = [n for n in IDENTITY_FIELDS if n in positions]
    kept = {n: i for n, i in positions.items() if n not in IDENTITY_FIELDS}
    names, take = list(kept), operator.itemgetter(*kept.values())
    reach = max(positions.values())

    def rows():
        for line, cells in iterator:
            if not any(str(c).strip() for c in cells):
                continue
            if len(cells) > reach:
                got = take(cells)
                values = dict(zip(names, got if len(names) > 1 else (got,), strict=True))
                person = {n: cells[positions[n]] for n in identity}
            else:  # a short row: the missing cells are empty
                values = {n: (cells[i] if i < len(cells) else "") for n, i in kept.items()}
                person = {
                    n: (cells[positions[n]] if positions[n] < len(cells) else "") for n in identity
                }
            values["person_hash"], values["dob_bad"] = _hash_person(ctx, person)
            yield line, values

    return [], rows()


def _hash_person(ctx: "_Context", person: dict) -> tuple[str, bool]:
    name = (
        str(person.get("name", "")).strip()
        or " ".join(str(person.get(k, "")).strip() for k in ("first_name", "last_name")).strip()
    )
    dob, bad = None, False
    if str(person.get("date_of_birth", "")).strip():
        try:
            dob = ctx.date(person["date_of_birth"])
        except (ValueError, TypeError):
            bad = True
    return person_hash(name=name, date_of_birth=dob, postcode=str(person.get("postcode", ""))), bad


def _check_all(ctx, extracted, *, on_progress=None, keep=None):
    """Check extracted rows: (clean rows, errors, rows read)."""
    rows, errors, seen = [], [], {}
    count = 0
    reference_column = ctx.profile.column_map.get("la_reference", "la_reference")
    for line, values in extracted:
        count += 1
        if keep is not None:  # compact: the names once, each row's values as a tuple
            if not keep:
                keep.append(list(values))
            keep.append((line, tuple(values.values())))
        row = _check_row(ctx, line, values, errors)
        if row is not None:
            key = (row["local_authority_id"], row["la_reference"])
            if key in seen:
                errors.append(
                    {
                        "line": line,
                        "column": reference_column,
                        "message": f"LA reference '{row['la_reference']}' is already on line {seen[key]}.",
                        "kind": "duplicate_reference",
                    }
                )
            else:
                seen[key] = line
                rows.append(row)
        if on_progress and count % PROGRESS_STEP == 0:
            on_progress(count)
    return rows, errors, count


def parse_export(
    data: bytes,
    *,
    profile: ImportProfile,
    user,
    default_la: LocalAuthority | None = None,
    today: datetime.date | None = None,
    on_progress=None,
    keep: list | None = None,
) -> tuple[list[dict], list[dict], int]:
    """Check every row of an export: (clean rows, errors, data rows read).

    Identifying fields are hashed here and go no further. Errors are dicts of line,
    column, message and kind; a whole-file problem has line None or the heading's line.
    ``keep``, a list, receives the mapped cells (identities hashed) for a later re-check.
    """
    default_la = default_la or getattr(profile, "local_authority", None)
    ctx = _Context(profile, user, default_la, today or timezone.localdate())
    count = 0
    try:
        problems, extracted = _extract(ctx, data, profile, default_la)
        if problems:
            return [], problems, 0
        rows, errors, count = _check_all(ctx, extracted, on_progress=on_progress, keep=keep)
    except ImportFileError as error:
        return [], [_file_error(str(error))], count
    if count == 0 and not errors:
        errors.append(_file_error("The file has a header row but no records."))
    return rows, errors, count


def recheck_cells(
    cells: list, *, profile, user, default_la=None, today=None, on_progress=None
) -> tuple[list[dict], list[dict], int]:
    """Check kept cells again with a profile's current code maps and date format."""
    default_la = default_la or getattr(profile, "local_authority", None)
    ctx = _Context(profile, user, default_la, today or timezone.localdate())
    names = cells[0] if cells else []
    rows, errors, count = _check_all(
        ctx,
        ((line, dict(zip(names, values, strict=True))) for line, values in cells[1:]),
        on_progress=on_progress,
    )
    return rows, errors, count


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def to_copy_text(rows: list[dict], batch_id: int | None) -> str:
    """Rows in PostgreSQL COPY text format (RECORD_COLUMNS then batch_id), the form a
    validated batch is staged in and committed from."""
    tail = "\\N" if batch_id is None else str(batch_id)
    width = len(RECORD_COLUMNS)
    lines = []
    for row in rows:
        values = [row[c] for c in RECORD_COLUMNS]
        cells = ["\\N" if v is None else str(v) for v in values]
        line = "\t".join(cells)
        # Escape cell by cell only if a cell holds a tab, newline or backslash (the only
        # backslashes otherwise are the \N of the empty cells).
        if (
            line.count("\t") != width - 1
            or line.count("\\") != values.count(None)
            or "\n" in line
            or "\r" in line
        ):
            line = "\t".join("\\N" if v is None else str(v).translate(_ESCAPES) for v in values)
        lines.append(f"{line}\t{tail}")
    return "\n".join(lines) + ("\n" if lines else "")


def from_copy_text(text: str) -> list[dict]:
    import re

    def unescape(cell):
        return (
            None if cell == "\\N" else re.sub(r"\\[\\tnr]", lambda m: _UNESCAPES[m.group()], cell)
        )

    rows = []
    for line in text.splitlines():
        cells = [unescape(c) for c in line.split("\t")]
        row = dict(zip(RECORD_COLUMNS, cells[: len(RECORD_COLUMNS)], strict=True))
        for key in ("local_authority_id", "source_channel_id", "exit_stage_id", "exit_reason_id"):
            row[key] = None if row[key] is None else int(row[key])
        row["person_hash"] = row["person_hash"] or ""
        rows.append(row)
    return rows


def _as_compared(row: dict) -> tuple:
    return tuple(row[c] for c in COMPARED)


def diff_against_stored(rows: list[dict]) -> tuple[list[dict], list[dict], int]:
    """Split clean rows into (new, changed, unchanged count) against the stored records."""
    by_la: dict[int, list[dict]] = {}
    for row in rows:
        by_la.setdefault(row["local_authority_id"], []).append(row)
    new, changed, unchanged = [], [], 0
    for la_id, la_rows in by_la.items():
        stored = {
            values[0]: tuple(
                v.isoformat() if isinstance(v, datetime.date) else v for v in values[1:]
            )
            for values in PipelineRecord.objects.filter(local_authority_id=la_id).values_list(
                "la_reference", *COMPARED
            )
        }
        for row in la_rows:
            current = stored.get(row["la_reference"])
            if current is None:
                new.append(row)
            elif current != _as_compared(row):
                changed.append(row)
            else:
                unchanged += 1
    return new, changed, unchanged


# The batch's life -----------------------------------------------------------------


def create_batch(
    *, profile: ImportProfile, upload, user, local_authority: LocalAuthority | None = None
) -> ImportBatch:
    """Store an uploaded file as a batch awaiting validation (the size is checked before
    anything is read) and queue its validation once the batch is saved."""
    size = upload.size
    if size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": ValidationError(
                    f"The file is {size / 1_048_576:.0f} MB; the limit is {settings.MAX_UPLOAD_BYTES / 1_048_576:.0f} MB. Split the export and upload each part.",
                    code="too_large",
                )
            }
        )
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if profile.local_authority_id:
        if local_authority and local_authority.pk != profile.local_authority_id:
            raise ValidationError(
                {
                    "local_authority": f"The profile '{profile}' is {profile.local_authority}'s "
                    f"system: its files are {profile.local_authority}'s, not {local_authority}'s."
                }
            )
        local_authority = profile.local_authority
    elif local_authority is None and not str(profile.column_map.get("la") or "").strip():
        raise ValidationError(
            {
                "local_authority": f"Files of the profile '{profile}' have no LA column: "
                "choose the LA whose export this is."
            }
        )
    if local_authority and not editable_authorities(user).filter(pk=local_authority.pk).exists():
        raise ValidationError({"local_authority": f"You cannot upload for {local_authority}."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        batch = ImportBatch(
            profile=profile,
            local_authority=local_authority,
            uploaded_by=user,
            filename=upload.name[:255],
            size=size,
            sha256=digest.hexdigest(),
            duplicate_of=ImportBatch.objects.filter(
                sha256=digest.hexdigest(), status=BatchStatus.COMMITTED
            )
            .order_by("-committed_at", "-pk")
            .first(),
        )
        batch.upload.save(f"{digest.hexdigest()[:16]}.bin", upload, save=False)
        batch.full_clean(exclude=["staged"])
        batch.save()
        from ..tasks import validate_import

        batch_id = batch.pk
        transaction.on_commit(lambda: enqueue(validate_import, batch_id, background=True))
    return batch


def validate_batch(*, batch_id: int, today: datetime.date | None = None) -> ImportBatch:
    """Parse and check a batch (claimed with a conditional update so it runs once) with its
    profile as it is now (recorded on the batch: its version and settings), stage its clean
    rows and record the counts and every error. The raw file is then deleted; a batch with
    row errors keeps its mapped cells, identities hashed, to be checked again."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.UPLOADED).update(
        status=BatchStatus.VALIDATING,
        progress=1,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    batch = ImportBatch.objects.select_related(
        "profile", "profile__local_authority", "uploaded_by", "local_authority"
    ).get(pk=batch_id)
    if not claimed:
        return batch
    profile = batch.profile
    batch.profile_version = profile.version
    batch.profile_settings = profile.settings_snapshot()
    ImportBatch.objects.filter(pk=batch_id).update(
        profile_version=batch.profile_version, profile_settings=batch.profile_settings
    )
    kept = None
    if batch.upload:
        with batch.upload.open("rb") as f:
            data = f.read()
        total_guess = max(data.count(b"\n"), 1)
    elif batch.kept_cells:
        with batch.kept_cells.open("rb") as f:
            kept = json.loads(gzip.decompress(f.read()), object_hook=_cell_from_json)
        total_guess, data = max(len(kept) - 1, 1), None
    else:
        total_guess, data = 1, None

    def on_progress(done):
        ImportBatch.objects.filter(pk=batch_id).update(
            progress=min(90, int(90 * done / total_guess)), claimed_at=timezone.now()
        )

    cells: list = []
    from_file = data is not None
    if from_file:
        rows, errors, count = parse_export(
            data,
            profile=profile,
            user=batch.uploaded_by,
            default_la=batch.local_authority,
            today=today,
            on_progress=on_progress,
            keep=cells,
        )
        del data
    elif kept is not None:
        rows, errors, count = recheck_cells(
            kept,
            profile=profile,
            user=batch.uploaded_by,
            default_la=batch.local_authority,
            today=today,
            on_progress=on_progress,
        )
        cells = kept
    else:
        rows, errors, count = [], [_file_error(NO_FILE_LEFT)], 0
    staged = to_copy_text(rows, batch.pk)
    preview = preview_changes(staged, plan=True) if not errors else None
    if preview:
        batch.new_count, batch.changed_count = preview["new"], preview["changed"]
        batch.unchanged_count = preview["unchanged"]
        batch.clearing = preview["clearing"]
        batch.authority_counts = authority_counts(preview["by_la"])
    else:
        batch.new_count = batch.changed_count = batch.unchanged_count = 0
        batch.clearing = {}
        batch.authority_counts = authority_counts(_rows_per_la(rows))
    batch.total_rows = count
    batch.error_count = len(errors)
    batch.errors = errors[:5000]
    batch.progress = 100
    batch.validated_at = timezone.now()
    batch.status = BatchStatus.FAILED if errors else BatchStatus.VALIDATED
    if not errors:
        planned = preview and preview["plan"]
        if planned:
            payload, name = _plan_payload(planned), f"{batch.sha256[:16]}-{batch.pk}.plan"
        else:
            payload, name = gzip.compress(staged.encode(), 1), f"{batch.sha256[:16]}-{batch.pk}.gz"
        batch.staged.save(name, ContentFile(payload), save=False)
        _forget_file(batch, "kept_cells")
    elif cells and from_file:
        # row errors: keep the mapped cells (identities hashed) to check again later
        payload = gzip.compress(json.dumps(cells, default=_cell_json).encode(), 1)
        batch.kept_cells.save(
            f"{batch.sha256[:16]}-{batch.pk}.cells.gz", ContentFile(payload), save=False
        )
    _forget_file(batch, "upload")
    batch.save()
    log.info("Import batch %s validated: %s rows, %s errors", batch.pk, count, len(errors))
    return batch


NO_FILE_LEFT = (
    "The file is no longer held (it is deleted once checked, as it holds names): upload it again."
)


def _rows_per_la(rows: list[dict]) -> dict[int, dict]:
    by_la: dict[int, dict] = {}
    for row in rows:
        counts = by_la.setdefault(row["local_authority_id"], {"rows": 0, "new": 0, "changed": 0})
        counts["rows"] += 1
    return by_la


# what a re-check may change: a change of these needs the file itself again
RECHECK_FIXED = ["file_type", "encoding", "delimiter", "header_row", "column_map"]


def recheck_batch(*, batch: ImportBatch, user) -> ImportBatch:
    """Check a failed batch again with its profile's current version, from the cells it
    kept (the file itself is gone). Only when the profile changed in a way the kept cells
    can follow: new codes or another date format, not other columns."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("profile").get(pk=batch.pk)
        profile = locked.profile
        if locked.status != BatchStatus.FAILED:
            raise ValidationError("Only an import with problems can be checked again.")
        if not locked.kept_cells:
            raise ValidationError(
                "This import kept nothing to check again (the whole file was refused): upload "
                "the file again."
            )
        if locked.profile_version == profile.version:
            raise ValidationError(
                f"The profile '{profile}' has not changed since this file was checked: ask a "
                "programme manager to add the missing codes first."
            )
        settings_then = locked.profile_settings or {}
        if any(settings_then.get(k) != getattr(profile, k) for k in RECHECK_FIXED):
            raise ValidationError(
                f"The profile '{profile}' now reads other columns than when this file was "
                "checked: upload the file again."
            )
        locked.status = BatchStatus.UPLOADED
        locked.progress = 0
        locked.attempts = 0
        locked.errors = []
        locked.error_count = 0
        locked.save()
        from ..tasks import validate_import

        transaction.on_commit(lambda: enqueue(validate_import, locked.pk, background=True))
    return locked


def request_codes(*, batch: ImportBatch, user) -> list:
    """Ask the programme managers to add the codes a batch's profile did not know (from
    its errors). Returns the requests now open for them (made or already asked)."""
    from ..models import CodeRequest

    wanted = sorted(
        {(e["field"], e["code"]) for e in batch.errors if e.get("kind") == "code" and e.get("code")}
    )
    if not wanted:
        raise ValidationError("This import has no unknown codes to ask for.")
    requests = []
    with transaction.atomic():
        for field, code in wanted:
            request = CodeRequest.objects.filter(
                profile=batch.profile, field=field, code=code, settled_at__isnull=True
            ).first()
            if request is None:
                request = CodeRequest.objects.create(
                    profile=batch.profile, field=field, code=code, batch=batch, requested_by=user
                )
            requests.append(request)
    return requests


def load_staged(batch: ImportBatch) -> str:
    """The validated rows in COPY text format."""
    return _read_staged(batch)[0]


# A plan's texts (COPY text, tabs and newlines in every line) are kept as they are after a
# one-line JSON header giving their lengths: read at commit in a few milliseconds, where the
# same plan as gzipped JSON took 0.14 s to decompress and decode for a 100,000-row file.
_PLAN_TEXTS = ["new", "changed", "unchanged"]


def _plan_payload(planned: dict) -> bytes:
    texts = {name: planned[name].encode() for name in _PLAN_TEXTS}
    texts |= {f"counts:{name}": text.encode() for name, text in planned["counts"].items()}
    header = {
        "versions": planned["versions"],
        "lists": planned["lists"],
        "texts": [[name, len(text)] for name, text in texts.items()],
    }
    return json.dumps(header).encode() + b"\n" + b"".join(texts.values())


def _read_staged(batch: ImportBatch) -> tuple[str, dict | None]:
    """The validated rows in COPY text format, and the commit's plan if one was made
    (PostgreSQL: the rows kept as new, changed and unchanged with the plan; see _plan)."""
    with batch.staged.open("rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":  # gzipped COPY text: no plan
        return gzip.decompress(data).decode(), None
    head, _, body = data.partition(b"\n")
    header = json.loads(head)
    planned = {"versions": header["versions"], "lists": header["lists"], "counts": {}}
    start = 0
    for name, length in header["texts"]:
        text = body[start : start + length].decode()
        start += length
        if name.startswith("counts:"):
            planned["counts"][name.removeprefix("counts:")] = text
        else:
            planned[name] = text
    return "".join(planned[name] for name in _PLAN_TEXTS), planned


@transaction.atomic
def commit_batch(*, batch: ImportBatch, user, clear_confirmed: bool = False) -> ImportBatch:
    """Write a validated batch's new and changed records in one transaction (idempotent:
    a batch commits once; re-importing the same data changes nothing). A batch that would
    clear stored values commits only with ``clear_confirmed``."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.COMMITTED:
        return batch
    if batch.clearing and not clear_confirmed:
        raise ValidationError(
            {
                "clear": ValidationError(
                    f"Committing clears {clearing_in_words(batch.clearing)} already stored: "
                    "confirm that they should be cleared.",
                    code="confirm",
                )
            }
        )
    batch.clearing_confirmed = bool(batch.clearing)
    if batch.status != BatchStatus.VALIDATED or batch.error_count:
        raise ValidationError(
            {
                "status": ValidationError(
                    "Only a validated file with no errors can be committed.", code="conflict"
                )
            }
        )
    staged, planned = _read_staged(batch)
    # The uploader's LAs may have changed since validation: check again.
    allowed = {str(pk) for pk in editable_authorities(user).values_list("pk", flat=True)}
    if planned:  # its LAs, listed when it was checked
        in_file = set(planned["versions"])
    else:
        in_file = {line.partition("\t")[0] for line in staged.splitlines()}
    if in_file - allowed:
        raise ValidationError({"status": "The file holds records for LAs you cannot update."})
    done = None
    if planned and connection.vendor == "postgresql":
        done = _commit_planned(planned)
    new, changed = done if done is not None else _upsert_text(staged)
    batch.new_count, batch.changed_count = new, changed
    batch.unchanged_count = staged.count("\n") - new - changed
    batch.status = BatchStatus.COMMITTED
    batch.committed_at = timezone.now()
    batch.committed_by = user
    _forget_file(batch, "staged")
    batch.save()
    return batch


@transaction.atomic
def discard_batch(*, batch: ImportBatch, user) -> str:
    """Remove an import that will not be committed (it has errors, or its preview is not
    wanted), with its files once that commits. A committed import is part of the record and
    stays; one still being checked is left to finish. Returns the file name."""
    locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
    if locked is None:
        raise ValidationError("This import has already been discarded.")
    if locked.status == BatchStatus.COMMITTED:
        raise ValidationError(
            "This import has been committed: its records are in the tracker, so it stays in "
            "the list of imports."
        )
    if locked.status in (BatchStatus.UPLOADED, BatchStatus.VALIDATING):
        raise ValidationError(
            "This file is still being checked. Discard it once the check has finished."
        )
    _forget_file(locked, "upload")
    _forget_file(locked, "staged")
    _forget_file(locked, "kept_cells")
    locked.delete()
    log.info("Import batch %s discarded by %s", batch.pk, user)
    return locked.filename


def _forget_file(batch: ImportBatch, field: str) -> None:
    """Clear a file field and delete its file once the change is committed: if the
    transaction rolls back, the row still names the file and the file is still there."""
    file = getattr(batch, field)
    if not file:
        return
    storage, name = file.storage, file.name
    setattr(batch, field, "")
    transaction.on_commit(lambda: storage.delete(name))


# Work left behind ------------------------------------------------------------------

STALE_AFTER = datetime.timedelta(minutes=13)  # the validation task's time limit, and a minute
NEVER_QUEUED_AFTER = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 2


def sweep_imports(now: datetime.datetime | None = None) -> dict:
    """Bring every import left behind to an end state, or on its way to one: an upload never
    queued (the broker was down) is queued; a validation whose worker was lost is queued
    again, or failed with a message after MAX_ATTEMPTS; a raw upload never outlives its
    validation. Returns what it did, by kind."""
    from ..tasks import validate_import

    now = now or timezone.now()
    done = {"queued": 0, "requeued": 0, "failed": 0, "uploads_deleted": 0}
    for batch_id in ImportBatch.objects.filter(
        status=BatchStatus.UPLOADED, uploaded_at__lt=now - NEVER_QUEUED_AFTER
    ).values_list("pk", flat=True):
        done["queued"] += enqueue(validate_import, batch_id, background=True)
    stale = ImportBatch.objects.filter(
        status=BatchStatus.VALIDATING, claimed_at__lt=now - STALE_AFTER
    )
    for batch_id in stale.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True):
        if stale.filter(pk=batch_id).update(status=BatchStatus.UPLOADED, progress=0):
            done["requeued"] += 1
            enqueue(validate_import, batch_id, background=True)
    for batch in stale.filter(attempts__gte=MAX_ATTEMPTS):
        with transaction.atomic():
            if not stale.filter(pk=batch.pk).update(
                status=BatchStatus.FAILED,
                progress=100,
                validated_at=now,
                error_count=1,
                errors=[
                    {
                        "line": None,
                        "column": "",
                        "message": f"Checking the file stopped {batch.attempts} times before "
                        "it finished (the worker checking it was lost). Upload it again; if "
                        "it stops again, split it into smaller files.",
                    }
                ],
            ):
                continue
            done["failed"] += 1
            _drop_upload(batch)
    finished = ImportBatch.objects.exclude(
        status__in=[BatchStatus.UPLOADED, BatchStatus.VALIDATING]
    ).exclude(upload="")
    for batch in finished:
        _drop_upload(batch)
        done["uploads_deleted"] += 1
    from .samples import sweep_samples

    done["samples_deleted"] = sweep_samples(now)
    return done


def _drop_upload(batch: ImportBatch) -> None:
    """Clear a batch's raw upload in the database, and delete the file once that commits."""
    with transaction.atomic():
        _forget_file(batch, "upload")
        ImportBatch.objects.filter(pk=batch.pk).update(upload="")


def upsert_records(
    rows: list[dict], *, batch_id: int | None, summarise: bool = True
) -> tuple[int, int]:
    """Insert or update records keyed on (LA, LA reference) in bulk; rows whose values are
    unchanged are not written. Returns (inserted, updated). ``summarise=False`` is for a
    bulk load that calls ``facts.rebuild()`` itself before its transaction ends."""
    return _upsert_text(to_copy_text(rows, batch_id), summarise=summarise)


@transaction.atomic
def delete_records(records) -> int:
    """Delete case records (a queryset) and refresh their LAs' summaries with them."""
    from .. import facts

    la_ids = set(records.values_list("local_authority_id", flat=True).distinct())
    deleted, _ = records.delete()
    facts.refresh(la_ids)
    return deleted


@transaction.atomic
def _upsert_text(text: str, *, summarise: bool = True) -> tuple[int, int]:
    """Write the records, then their LAs' summaries in the same transaction (pipeline.facts):
    the funnels read the summaries, so they are never stale and never ahead."""
    from .. import facts

    if not text:
        return 0, 0
    if connection.vendor == "postgresql":  # the summaries move by the change (facts)
        return _copy_upsert(text, summarise=summarise)
    new, changed = _write_records(text)
    if summarise and (new or changed):
        facts.refresh({int(line.partition("\t")[0]) for line in text.splitlines()})
    return new, changed


def _write_records(text: str) -> tuple[int, int]:
    rows = from_copy_text(text)
    batch_id = text.partition("\n")[0].rpartition("\t")[2]
    batch_id = None if batch_id == "\\N" else int(batch_id)
    with transaction.atomic():  # SQLite: IMMEDIATE transactions serialise the writers
        _check_lists({column: {row[column] for row in rows} for column in LIST_COLUMNS})
        if batch_id is not None and not ImportBatch.objects.filter(pk=batch_id).exists():
            raise ValidationError({"status": "The import batch no longer exists."})
        new, changed, _ = diff_against_stored(rows)
        now = timezone.now()
        objects = [
            PipelineRecord(
                **{
                    k: (datetime.date.fromisoformat(v) if k.endswith("date") and v else v)
                    for k, v in row.items()
                },
                batch_id=batch_id,
                updated_at=now,
            )
            for row in new + changed
        ]
        PipelineRecord.objects.bulk_create(
            objects,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["local_authority", "la_reference"],
            update_fields=[c.removesuffix("_id") if c.endswith("_id") else c for c in COMPARED]
            + ["batch", "updated_at"],
        )
    return len(new), len(changed)


# The list columns a record refers to without a database constraint (see PipelineRecord).
LIST_COLUMNS = {
    "source_channel_id": SourceChannel,
    "exit_stage_id": Stage,
    "exit_reason_id": ExitReason,
}


def _check_lists(used: dict[str, set]) -> None:
    """Refuse ids of list entries that no longer exist (deleted since validation), and on
    PostgreSQL hold the entries used FOR KEY SHARE until the transaction ends, so that a
    delete of one (which locks it first) waits and then sees the records written here.
    One query per list: the set-based form of the foreign-key check."""
    gone = []
    for column, model in LIST_COLUMNS.items():
        ids = sorted(i for i in used.get(column, ()) if i is not None)
        if not ids:
            continue
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM {model._meta.db_table} WHERE id = ANY(%s) "  # noqa: S608
                    "ORDER BY id FOR KEY SHARE",
                    [ids],
                )
                found = {pk for (pk,) in cursor.fetchall()}
        else:
            found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing := [i for i in ids if i not in found]:
            gone.append(f"{model._meta.verbose_name} {', '.join(map(str, missing))}")
    if gone:
        raise ValidationError(
            {
                "status": ValidationError(
                    "The file uses list entries deleted since it was checked ("
                    + "; ".join(gone)
                    + "): upload it again.",
                    code="conflict",
                )
            }
        )


# Identifiers in the SQL below come only from the model's own column names, never input.
_TABLE = PipelineRecord._meta.db_table
_STAGING = "pipeline_staging"
_DIFFERS = "({}) IS DISTINCT FROM ({})".format(
    ", ".join(f"t.{c}" for c in COMPARED), ", ".join(f"s.{c}" for c in COMPARED)
)
_SAME_KEY = "t.local_authority_id = s.local_authority_id AND t.la_reference = s.la_reference"


def _stage_rows(cursor, text: str) -> None:
    """COPY the rows into a temporary table dropped at the end of the transaction.

    For the rest of the transaction the joins of a 100,000-row file get the memory to
    hash it at once (work_mem, 4 MB by default, made them spill to disk), and the table's
    statistics cover the join key only: the planner needs the rows and the key's spread,
    and statistics on all 15 columns took ~0.4 s of each validation and commit."""
    from .. import facts

    columns = ", ".join(RECORD_COLUMNS + ["batch_id"])
    cursor.execute("SET LOCAL work_mem = '32MB'")
    # JIT compiling the commit's one big statement cost 0.1 s and gained nothing: its
    # expressions each run on a few hundred thousand rows at most
    cursor.execute("SET LOCAL jit = off")
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
    cursor.execute(
        f"CREATE TEMP TABLE {_STAGING} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {columns} FROM {_TABLE} WITH NO DATA"
    )
    facts.copy_in(cursor, f"COPY {_STAGING} ({columns}) FROM STDIN", text)
    cursor.execute(f"ANALYZE {_STAGING} (local_authority_id, la_reference)")


def _copy_upsert(text: str, *, summarise: bool = True) -> tuple[int, int]:
    """COPY into a temporary table; then, holding the batch's LAs, one UPDATE of the stored
    records that differ and one INSERT of those not stored yet. Returns (inserted, updated).

    The LA rows are locked FOR NO KEY UPDATE, in id order (no deadlock between two
    commits), for the rest of the transaction: commits touching the same LAs run one after
    the other, and as each statement of the second reads the data committed before it
    (READ COMMITTED), its INSERT never meets a row the first inserted (no unique
    violation) and its counts are exact. NO KEY UPDATE, not UPDATE: other tables' rows
    that refer to the LA (returns, memberships) can still be written meanwhile.
    """
    columns = ", ".join(RECORD_COLUMNS + ["batch_id"])
    updates = ", ".join(f"{c} = s.{c}" for c in COMPARED + ["batch_id"])
    with transaction.atomic(), connection.cursor() as cursor:
        _stage_rows(cursor, text)
        cursor.execute(
            "SELECT id FROM clusters_localauthority "  # noqa: S608
            f"WHERE id IN (SELECT local_authority_id FROM {_STAGING}) "
            "ORDER BY id FOR NO KEY UPDATE"
        )
        la_ids = [la_id for (la_id,) in cursor.fetchall()]
        cursor.execute(
            "SELECT "  # noqa: S608
            + ", ".join(f"array_agg(DISTINCT {c})" for c in LIST_COLUMNS)
            + f", array_agg(DISTINCT batch_id) FROM {_STAGING}"
        )
        *used, batches = cursor.fetchone()
        _check_lists(dict(zip(LIST_COLUMNS, (set(ids or ()) for ids in used), strict=True)))
        if batches := [b for b in batches or () if b is not None]:
            cursor.execute(
                "SELECT count(*) FROM (SELECT id FROM pipeline_importbatch "
                "WHERE id = ANY(%s) FOR KEY SHARE) b",
                [batches],
            )
            if cursor.fetchone()[0] != len(batches):
                raise ValidationError({"status": "The import batch no longer exists."})
        # the time comes from Python, as every other timestamp does, so a test clock holds here too
        now = timezone.now()
        if not summarise:
            insert = (
                f"INSERT INTO {_TABLE} ({columns}, updated_at) "  # noqa: S608
                f"SELECT {columns}, %s FROM {_STAGING} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {_TABLE} t WHERE {_SAME_KEY})"
            )
            cursor.execute(
                f"UPDATE {_TABLE} t SET {updates}, updated_at = %s "  # noqa: S608
                f"FROM {_STAGING} s WHERE {_SAME_KEY} AND {_DIFFERS}",
                [now],
            )
            updated = cursor.rowcount
            cursor.execute(insert, [now])
            inserted = cursor.rowcount
        else:
            inserted, updated = _write_and_summarise(cursor, now)
            if inserted or updated:
                from .. import facts

                facts.new_la_versions(la_ids)
        cursor.execute(f"DROP TABLE {_STAGING}")
    return inserted, updated


def _write_and_summarise(cursor, now) -> tuple[int, int]:
    """One statement writes the staged rows and moves the summaries by the change.

    Each staged row is matched with its stored record once (``staged``: the record's id,
    whether it differs, and the record as it was if it does); the changed records are
    updated, the new ones inserted, and the records as they were (-1) and as they are now
    (+1), taken from the writes' RETURNING, feed each summary's change (facts.change_ctes).
    No temporary table is written and the records table is joined once. Returns
    (inserted, updated)."""
    from .. import facts

    columns = ", ".join(RECORD_COLUMNS + ["batch_id"])
    updates = ", ".join(f"{c} = m.{c}" for c in COMPARED + ["batch_id"])
    differs = "({}) IS DISTINCT FROM ({})".format(
        ", ".join(f"o.{c}" for c in COMPARED), ", ".join(f"s.{c}" for c in COMPARED)
    )
    # "differs = 1", not a boolean: the planner then expects few changed rows and updates
    # them through the primary key instead of hashing the whole records table
    statement = f"""WITH staged AS (
            SELECT s.*, o.id AS old_id, CASE WHEN {differs} THEN 1 ELSE 0 END AS differs,
                CASE WHEN {differs} THEN o END AS old_row
            FROM {_STAGING} s LEFT JOIN {_TABLE} o
                ON o.local_authority_id = s.local_authority_id AND o.la_reference = s.la_reference
        ),
        changed AS (
            UPDATE {_TABLE} t SET {updates}, updated_at = %s
            FROM staged m WHERE m.differs = 1 AND t.id = m.old_id
            RETURNING m.old_row, t AS new_row
        ),
        added AS (
            INSERT INTO {_TABLE} ({columns}, updated_at)
            SELECT {columns}, %s FROM staged WHERE old_id IS NULL RETURNING *
        ),
        facts_rows AS (
            SELECT (old_row).*, -1 AS sign FROM changed
            UNION ALL SELECT (new_row).*, 1 FROM changed
            UNION ALL SELECT *, 1 FROM added
        ),
        {", ".join(facts.change_ctes("facts_rows"))}
        SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM changed),
            (SELECT array_agg(DISTINCT (new_row).local_authority_id) FROM changed)"""  # noqa: S608
    summaries = {model._meta.db_table for model in facts.SUMMARIES}
    try:
        cursor.execute(statement, [now, now])
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "table_name", None) not in summaries:
            raise
        # a summary row it would take below zero: the summaries had drifted from the
        # records; the transaction rolls back and nothing of the import is kept
        log.error("Import refused, the summaries have drifted from the records: %s", error)
        raise ValidationError(
            {
                "status": ValidationError(
                    "Nothing was saved: the pipeline's summary figures no longer match the "
                    "case records. The service's operator has been told; commit again once "
                    "they have rebuilt them (manage.py rebuild_facts).",
                    code="conflict",
                )
            }
        ) from error
    inserted, updated, changed_las = cursor.fetchone()
    if changed_las:
        facts.drop_emptied(cursor, changed_las)
    return inserted, updated


def count_changes(text: str) -> tuple[int, int, int]:
    """(new, changed, unchanged) of staged rows against the stored records, without writing."""
    preview = preview_changes(text)
    return preview["new"], preview["changed"], preview["unchanged"]


def preview_changes(text: str, *, plan: bool = False) -> dict:
    """What committing staged rows would do, without writing: new, changed and unchanged
    counts, the same per LA, and per field how many stored values would be cleared. With
    ``plan`` (PostgreSQL), also what the commit needs to skip this work if the file's LAs'
    records have not changed by then (``_plan``)."""
    by_la: dict[int, dict] = {}
    clearing = dict.fromkeys(CLEARABLE, 0)
    planned = None
    if text and connection.vendor == "postgresql":
        from .. import facts

        with transaction.atomic(), connection.cursor() as cursor:
            _stage_rows(cursor, text)
            if plan:  # read before the rows are matched: a write after it changes them
                cursor.execute(f"SELECT DISTINCT local_authority_id FROM {_STAGING}")  # noqa: S608
                versions = facts.la_versions([la_id for (la_id,) in cursor.fetchall()])
            # each staged row matched once with its stored record: what it is, and which
            # stored values it would clear
            cleared = ", ".join(
                f"(t.{c} IS NOT NULL AND s.{c} IS NULL)::int AS cleared_{c}" for c in CLEARABLE
            )
            cursor.execute(f"DROP TABLE IF EXISTS {_CLASSIFIED}")
            cursor.execute(
                f"CREATE TEMP TABLE {_CLASSIFIED} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT s.*, CASE WHEN t.id IS NULL THEN 'new' WHEN {_DIFFERS} THEN 'changed' "
                f"ELSE 'unchanged' END AS kind, {cleared} "
                f"FROM {_STAGING} s LEFT JOIN {_TABLE} t ON {_SAME_KEY}"
            )
            cursor.execute(
                "SELECT local_authority_id, count(*), count(*) FILTER (WHERE kind = 'new'), "  # noqa: S608
                "count(*) FILTER (WHERE kind = 'changed'), "
                + ", ".join(f"sum(cleared_{c})" for c in CLEARABLE)
                + f" FROM {_CLASSIFIED} GROUP BY local_authority_id"
            )
            for la_id, rows, new, changed, *cleared_counts in cursor.fetchall():
                by_la[la_id] = {"rows": rows, "new": new, "changed": changed}
                for column, n in zip(CLEARABLE, cleared_counts, strict=True):
                    clearing[column] += n
            if plan:
                planned = _plan(cursor, versions)
            cursor.execute(f"DROP TABLE {_CLASSIFIED}")
            cursor.execute(f"DROP TABLE {_STAGING}")
    elif text:
        rows = from_copy_text(text)
        for la_id in {row["local_authority_id"] for row in rows}:
            by_la[la_id] = {"rows": 0, "new": 0, "changed": 0}
        stored = {}
        for la_id in by_la:
            for values in PipelineRecord.objects.filter(local_authority_id=la_id).values_list(
                "la_reference", *COMPARED
            ):
                stored[(la_id, values[0])] = dict(
                    zip(
                        COMPARED,
                        (v.isoformat() if isinstance(v, datetime.date) else v for v in values[1:]),
                        strict=True,
                    )
                )
        for row in rows:
            counts = by_la[row["local_authority_id"]]
            counts["rows"] += 1
            current = stored.get((row["local_authority_id"], row["la_reference"]))
            if current is None:
                counts["new"] += 1
                continue
            if tuple(current[c] for c in COMPARED) != _as_compared(row):
                counts["changed"] += 1
            for column in CLEARABLE:
                if current[column] is not None and row[column] is None:
                    clearing[column] += 1
    new = sum(c["new"] for c in by_la.values())
    changed = sum(c["changed"] for c in by_la.values())
    total = sum(c["rows"] for c in by_la.values())
    return {
        "new": new,
        "changed": changed,
        "unchanged": total - new - changed,
        "by_la": by_la,
        "clearing": {c: n for c, n in clearing.items() if n},
        "plan": planned,
    }


_CLASSIFIED = "pipeline_classified"


def _plan(cursor, versions: dict) -> dict:
    """PostgreSQL, at validation, over the staged rows matched with the stored records
    (``preview_changes``): the file's rows split into new, changed and unchanged (COPY text
    each), what the new ones add to each summary, the list entries they use, and the file's
    LAs' records versions, read before the rows were matched.

    If those versions are the same when the batch is committed, no record of its LAs has
    been written since, so what was found here still holds, and the commit copies the new
    rows straight into the records table and adds their counts (``_commit_planned``):
    checked once, not again at commit. If any has changed, the commit matches every row
    again (``_copy_upsert``)."""
    from .. import facts

    columns = ", ".join(RECORD_COLUMNS + ["batch_id"])
    planned = {"versions": versions}
    for kind in ("new", "changed", "unchanged"):
        planned[kind] = facts.copy_out(
            cursor,
            f"COPY (SELECT {columns} FROM {_CLASSIFIED} WHERE kind = '{kind}') TO STDOUT",  # noqa: S608
        )
    new_rows = f"(SELECT * FROM {_CLASSIFIED} WHERE kind = 'new')"  # noqa: S608
    planned["counts"] = facts.new_counts(cursor, new_rows)
    cursor.execute(
        "SELECT "  # noqa: S608
        + ", ".join(f"array_agg(DISTINCT {c})" for c in LIST_COLUMNS)
        + f" FROM {new_rows} r"
    )
    planned["lists"] = {
        column: sorted(i for i in (ids or ()) if i is not None)
        for column, ids in zip(LIST_COLUMNS, cursor.fetchone(), strict=True)
    }
    return planned


def _commit_planned(planned: dict) -> tuple[int, int] | None:
    """PostgreSQL: commit a batch as planned when it was checked (``_plan``), if none of its
    LAs' records has been written since; None (and nothing written) if one has. Returns
    (inserted, updated).

    Its LAs are locked as ``_copy_upsert`` locks them, then the records' version (whose row
    lock every writer of records takes before writing: writers run one after the other
    from here), then the versions are compared. The new rows are copied straight into the
    records table (a row that is somehow there after all fails the unique key, and the
    whole commit with it) and their counts added to the summaries; the changed rows, a
    file's few, go through ``_copy_upsert``, which matches them again."""
    from .. import facts

    la_ids = sorted(int(la_id) for la_id in planned["versions"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM clusters_localauthority WHERE id = ANY(%s) "
            "ORDER BY id FOR NO KEY UPDATE",
            [la_ids],
        )
        facts._new_version()
        if facts.la_versions(la_ids) != planned["versions"]:
            return None
        inserted = updated = 0
        if planned["new"]:
            _check_lists({column: set(ids) for column, ids in planned["lists"].items()})
            columns = ", ".join(RECORD_COLUMNS + ["batch_id", "updated_at"])
            stamp = f"\t{timezone.now().isoformat()}\n"
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")  # the summaries' joins hash in memory
            facts.copy_in(
                cursor,
                f"COPY {_TABLE} ({columns}) FROM STDIN",
                planned["new"].replace("\n", stamp),
            )
            inserted = planned["new"].count("\n")
            facts.add_counts(cursor, planned["counts"], la_ids)
        if planned["changed"]:
            more, updated = _copy_upsert(planned["changed"])
            inserted += more
    return inserted, updated


def authority_counts(by_la: dict[int, dict]) -> list[dict]:
    """Per LA of a file: its rows, new and changed counts, and how many records the tracker
    already holds for it (a file of one LA's references uploaded as another's matches none)."""
    from django.db.models import Count

    stored = dict(
        PipelineRecord.objects.filter(local_authority_id__in=list(by_la))
        .values_list("local_authority_id")
        .annotate(n=Count("pk"))
        .values_list("local_authority_id", "n")
    )
    names = dict(LocalAuthority.objects.filter(pk__in=list(by_la)).values_list("pk", "name"))
    listed = []
    for la_id, counts in by_la.items():
        matched = counts["rows"] - counts["new"]
        listed.append(
            {
                "id": la_id,
                "name": names.get(la_id, str(la_id)),
                **counts,
                "stored": stored.get(la_id, 0),
                # none of the file's references is one the LA already has, though it has many
                "suspect": matched == 0 and stored.get(la_id, 0) >= MISMATCH_STORED,
            }
        )
    return sorted(listed, key=lambda entry: entry["name"])


MISMATCH_STORED = 20


def clearing_in_words(clearing: dict) -> str:
    """{"conversation_date": 395} -> "395 conversation dates" (one phrase per field)."""
    parts = []
    for column, n in clearing.items():
        label = CLEARABLE_LABELS.get(column, column)
        parts.append(f"{n:,} {label}{'' if n == 1 else 's'}")
    return ", ".join(parts)


@transaction.atomic
def save_profile(*, profile: ImportProfile, user) -> ImportProfile:
    """Save an import profile after checking its maps name real fields and codes."""
    errors = {}
    unknown = [k for k in profile.column_map if k not in MAPPABLE_FIELDS]
    if unknown:
        errors["column_map"] = f"Unknown tracker field(s): {', '.join(unknown)}."
    elif not all(profile.column_map.get(f) for f in REQUIRED_FIELDS):
        errors["column_map"] = "Map at least the LA reference and the enquiry date."
    for name, model in (
        ("stage_codes", Stage),
        ("reason_codes", ExitReason),
        ("channel_codes", SourceChannel),
    ):
        known = set(model.objects.values_list("code", flat=True))
        bad = sorted({v for v in getattr(profile, name).values() if v not in known})
        if bad:
            errors[name] = f"These are not tracker codes: {', '.join(bad)}."
    bad = sorted({v for v in profile.outcome_codes.values() if v not in Outcome.values})
    if bad:
        errors["outcome_codes"] = f"Outcomes must be one of {', '.join(Outcome.values)}."
    if profile.file_type == FileType.CSV and not profile.delimiter:
        errors["delimiter"] = "A CSV profile needs a delimiter."
    try:
        datetime.date(2024, 1, 31).strftime(profile.date_format)
        datetime.datetime.strptime(
            datetime.date(2024, 1, 31).strftime(profile.date_format), profile.date_format
        )
    except ValueError:
        errors["date_format"] = "This is not a date format such as %d/%m/%Y."
    if errors:
        raise ValidationError(errors)
    profile.full_clean()
    if not profile.pk:
        profile.created_by = user
    else:  # versions move one at a time, even when two people save at once
        current = ImportProfile.objects.select_for_update().get(pk=profile.pk)
        profile.version = current.version + 1
    profile._history_user = user
    profile.save()
    settle_requests(profile)
    return profile


def settle_requests(profile: ImportProfile) -> int:
    """Close the open requests for codes the profile now maps."""
    from ..models import CodeRequest

    maps = {
        "source": profile.channel_codes,
        "outcome": profile.outcome_codes,
        "exit_stage": profile.stage_codes,
        "exit_reason": profile.reason_codes,
    }
    settled = [
        request.pk
        for request in CodeRequest.objects.filter(profile=profile, settled_at__isnull=True)
        if request.code in maps[request.field]
        or request.code.upper() in maps[request.field]
        or request.code.lower() in maps[request.field]
    ]
    return CodeRequest.objects.filter(pk__in=settled).update(settled_at=timezone.now())
