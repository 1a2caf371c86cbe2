"""The three formats of a report (web page, PDF, XLSX), all from the same snapshot, and
the cluster lead's cut of it."""

import datetime
import re

from django.template.loader import render_to_string

from core.export import xlsx_bytes

from .models import Status

MONEY_SECTIONS = {"programme-support"}


def format_cell(value, fmt: str = "text") -> str:
    """A cell as every format shows it (the XLSX holds the number, formatted the same)."""
    if value is None or value == "":
        return "–" if fmt != "text" else ""
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "number":
        return f"{float(value):,.1f}"
    if fmt == "percent":
        return f"{float(value):,.1f}%"
    if fmt == "money":
        return f"£{float(value):,.0f}"
    return str(value)


def snapshot_for(report, user) -> dict:
    """What this user may see of the report: a cluster lead gets their own cluster's
    section only, with no money; everyone else the whole snapshot. A draft shows the
    summary as it stands; an issued report the frozen one."""
    from programme.permissions import can_see_money

    snapshot = dict(report.snapshot)
    if report.status != Status.ISSUED:
        snapshot["summary"] = report.summary
    if getattr(user, "role", None) == "cluster_lead":
        slug = user.cluster.slug if user.cluster_id else None
        return lead_cut(snapshot, slug)
    if not can_see_money(user):
        return lead_cut(snapshot, None)
    return snapshot


def lead_cut(snapshot: dict, slug: str | None) -> dict:
    """The snapshot filtered to one cluster's section, without money or the programme-wide
    summary (which names every cluster and the spend)."""
    sections = []
    for section in snapshot.get("sections", []):
        if section.get("cluster") != slug or slug is None:
            continue
        blocks = [b for b in section["blocks"] if not b.get("money")]
        sections.append({**section, "blocks": blocks})
    return {
        **{
            k: v
            for k, v in snapshot.items()
            if k not in ("sections", "summary", "key_figures", "clusters")
        },
        "sections": sections,
        "clusters": [c for c in snapshot.get("clusters", []) if c["slug"] == slug],
        "summary": "",
        "key_figures": [],
        "cut": "cluster",
    }


def _as_at(snapshot: dict) -> datetime.datetime | None:
    value = snapshot.get("data_as_at")
    return datetime.datetime.fromisoformat(value) if value else None


def context(report, snapshot: dict) -> dict:
    return {
        "report": report,
        "snapshot": snapshot,
        "data_as_at": _as_at(snapshot),
        "title": f"{report.get_kind_display()}: {report.period_label}",
    }


def render_pdf_html(report, snapshot: dict) -> str:
    return render_to_string("reports/report_pdf.html", context(report, snapshot))


def render_pdf(report, snapshot: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_pdf_html(report, snapshot)).write_pdf()


SHEET_NAME_LIMIT = 31  # Excel's limit on a sheet's name
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


DANGLING_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def _words_within(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at the end of a word (a single word
    longer than the limit is cut, having nothing better)."""
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")[:-1]  # the last may be cut through: dropped
    # a name does not end on "the", "and", "of"... nor on a comma
    while len(words) > 1 and words[-1].lower() in DANGLING_WORDS:
        words.pop()
    cut = " ".join(words).rstrip(" -–,;.(&'")
    return cut or text[:limit].rstrip()


def sheet_name(title: str, used: set) -> str:
    """A sheet name Excel accepts for ``title``: without the characters []:*?/\\, whole
    words within 31 characters, and unique in the workbook (``used`` holds the names taken
    so far, lower case, as Excel compares them) with " (2)", " (3)"... when two would
    collide. The name is added to ``used``."""
    clean = " ".join(FORBIDDEN_IN_SHEET_NAMES.sub(" ", title).split()).strip("'") or "Sheet"
    name = _words_within(clean, SHEET_NAME_LIMIT)
    n = 2
    while name.lower() in used or name.lower() == "history":  # Excel reserves History
        suffix = f" ({n})"
        name = _words_within(clean, SHEET_NAME_LIMIT - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


XLSX_FORMATS = {
    "int": "#,##0",
    "number": "#,##0.0",
    "percent": '#,##0.0"%"',
    "money": '"£"#,##0',
}


def render_xlsx(report, snapshot: dict) -> bytes:
    """One sheet for the report's details and summary, then one per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    heading = Font(bold=True, size=14)
    book = Workbook()
    sheet = book.active
    used = set()
    sheet.title = sheet_name("Report", used)
    as_at = _as_at(snapshot)
    rows = [
        (f"{report.get_kind_display()}: {report.period_label}", heading),
        (f"Version {report.version} ({report.get_status_display()})", None),
        (f"Data as at {as_at:%-d %B %Y %H:%M}" if as_at else "", None),
        (f"Checksum (sha256): {report.checksum}" if report.status == Status.ISSUED else "", None),
    ]
    for text, font in rows:
        sheet.append([text])
        if font:
            sheet.cell(sheet.max_row, 1).font = font
    if snapshot.get("summary"):
        sheet.append([])
        sheet.append(["Executive summary"])
        sheet.cell(sheet.max_row, 1).font = bold
        for paragraph in snapshot["summary"].split("\n"):
            if paragraph.strip():
                sheet.append([paragraph.strip()])
    if snapshot.get("key_figures"):
        sheet.append([])
        sheet.append(["Key figures"])
        sheet.cell(sheet.max_row, 1).font = bold
        for line in snapshot["key_figures"]:
            sheet.append([line])
    sheet.column_dimensions["A"].width = 100

    for section in snapshot.get("sections", []):
        ws = book.create_sheet(sheet_name(section["title"], used))
        ws.append([section["title"]])
        ws.cell(1, 1).font = heading
        for b in section["blocks"]:
            ws.append([])
            ws.append([b["title"]])
            ws.cell(ws.max_row, 1).font = bold
            if not b["available"]:
                ws.append([f"Not available yet: {b['reason']}"])
                continue
            for paragraph in b["text"]:
                ws.append([paragraph])
            for t in b["tables"]:
                ws.append([t["caption"]])
                ws.cell(ws.max_row, 1).font = Font(italic=True)
                ws.append([c["label"] for c in t["columns"]])
                for cell in ws[ws.max_row]:
                    cell.font = bold
                if not t["rows"]:
                    ws.append(["None in this period."])
                for row in t["rows"]:
                    ws.append(row)
                    for cell, column in zip(ws[ws.max_row], t["columns"], strict=False):
                        if column["format"] in XLSX_FORMATS and isinstance(cell.value, int | float):
                            cell.number_format = XLSX_FORMATS[column["format"]]
        ws.column_dimensions["A"].width = 45
        for letter in "BCDEFGHIJ":
            ws.column_dimensions[letter].width = 18
    return xlsx_bytes(book, at=report.issued_at)
