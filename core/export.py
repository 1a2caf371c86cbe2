"""CSV export of any table, safe to open in a spreadsheet."""

import csv

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
