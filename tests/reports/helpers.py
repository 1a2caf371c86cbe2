"""Read a report back out of each format, as a person (or DfE's analyst) would."""

import io
from html.parser import HTMLParser

from openpyxl import load_workbook
from pypdf import PdfReader

from reports.render import XLSX_FORMATS, format_cell

FORMAT_OF = {number_format: fmt for fmt, number_format in XLSX_FORMATS.items()}


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._in_body = [], None, None, False
        self.has_number, self._numeric = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row, self._has_number = [], False
        elif tag == "td" and self._row is not None:
            self._cell = ""
            self._numeric = "--numeric" in (dict(attrs).get("class") or "")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._row.append(self._cell.strip())
            self._has_number |= self._numeric and self._cell.strip() not in ("", "–")
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self.has_number.append(self._has_number)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def html_rows(html: str, *, figures_only: bool = False) -> list[list[str]]:
    """The body rows of every table, as the cells' text (only those with a figure in a
    numeric column, if asked)."""
    parser = _Tables()
    parser.feed(html)
    return [
        _normal(r)
        for r, has_number in zip(parser.rows, parser.has_number, strict=True)
        if has_number or not figures_only
    ]


def _normal(row):
    row = ["" if c in (None, "–") else c for c in row]
    while row and row[-1] == "":
        row.pop()
    return row


def xlsx_rows(content: bytes) -> list[list[str]]:
    """Every row of every sheet holding a number, formatted as the web page shows it."""
    book = load_workbook(io.BytesIO(content))
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            if not any(isinstance(c.value, int | float) for c in row):
                continue
            rows.append(
                _normal(
                    [
                        format_cell(c.value, FORMAT_OF[c.number_format])
                        if isinstance(c.value, int | float)
                        else c.value
                        for c in row
                    ]
                )
            )
    return rows


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return (
        "\n".join(
            str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value
        )
        + "\n"
        + "\n".join(book.sheetnames)
    )


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def main_content(html: str) -> str:
    """The report itself: from the contents list to the end of the main element."""
    start = html.index('id="contents-heading"')
    return html[start : html.index("</main>")]
