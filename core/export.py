"""CSV and XLSX exports, safe to open in a spreadsheet: `neutralise` is the one function
that makes formula-like text inert, for every format."""

import csv
import datetime
import io
import zipfile

from django.http import HttpResponse

# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Prefix formula-like text with an apostrophe so a spreadsheet shows it as text."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        try:
            float(text)  # plain negative numbers stay numbers
        except ValueError:
            return "'" + text
    return text


def xlsx_bytes(book, *, at: datetime.datetime | None = None) -> bytes:
    """An openpyxl workbook as XLSX bytes, every text cell passed through `neutralise` (so
    no text becomes a live formula) and stored as text. Given ``at`` (an issued document's
    time), the workbook's created and modified times and every part's time in the zip are
    that time, so the same content gives the same bytes, download after download."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"
    if at is not None:
        at = at.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
        book.properties.created = book.properties.modified = at
    out = io.BytesIO()
    book.save(out)
    if at is None:
        return out.getvalue()
    from openpyxl.xml.constants import ARC_CORE
    from openpyxl.xml.functions import tostring

    book.properties.modified = at  # saving stamps the time of saving: put ``at`` back
    fixed = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=at.timetuple()[:6])
            part.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == ARC_CORE:
                data = tostring(book.properties.to_tree())
            target.writestr(part, data)
    return fixed.getvalue()


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel needs the BOM to read UTF-8
    writer = csv.writer(response)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return response


def table_csv_response(table, filename: str) -> HttpResponse:
    """Every row of a django-tables2 table (all pages), as shown, minus excluded columns."""
    values = iter(table.as_values())
    header = next(values)
    return csv_response(filename, header, values)
