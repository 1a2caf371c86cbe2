"""An issued invoice as CSV rows, a spreadsheet and a PDF, all from its frozen snapshot, so
every format shows the same lines and none changes after issue."""

from decimal import Decimal

from django.template.loader import render_to_string

from core.export import xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [
    "Consultant",
    "Grade",
    "Line",
    "Cluster",
    "Requirement",
    "Days",
    "Hours",
    "Day rate (£)",
    "Cost (£)",
]
CAP_HEADER = [
    "Cap",
    "Cap (£)",
    "Invoiced before (£)",
    "This invoice (£)",
    "Invoiced after (£)",
    "Headroom after (£)",
    "Used after (%)",
]


def _n(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def rows(snapshot: dict) -> list[list]:
    """The invoice's lines with a subtotal after each consultant and the total, then the cap
    position after it; numbers as Decimals."""
    out = []
    for person in snapshot["consultants"]:
        for line in person["lines"]:
            out.append(
                [
                    person["name"],
                    line["grade"],
                    line["kind"],
                    line["cluster"],
                    line["requirement"],
                    _n(line["days"]),
                    _n(line["hours"]),
                    _n(line["rate"]),
                    _n(line["cost"]),
                ]
            )
        out.append(
            [
                f"Subtotal: {person['name']}",
                "",
                "",
                "",
                "",
                _n(person["days"]),
                _n(person["hours"]),
                None,
                _n(person["cost"]),
            ]
        )
    out.append(
        [
            "Total excluding VAT",
            "",
            "",
            "",
            "",
            _n(snapshot["days"]),
            _n(snapshot["hours"]),
            None,
            _n(snapshot["total"]),
        ]
    )
    out.append([])
    out.append(["Cap position after this invoice"])
    out.append(CAP_HEADER)
    for cap in snapshot["caps"]:
        out.append(
            [
                cap["label"],
                _n(cap["cap"]),
                _n(cap["before"]),
                _n(cap["this"]),
                _n(cap["after"]),
                _n(cap["headroom"]),
                _n(cap["percent"]),
            ]
        )
    return out


def table(invoice) -> tuple[list[str], list[list]]:
    """Header and rows for csv_response."""
    return HEADER, [["" if v is None else v for v in row] for row in rows(invoice.snapshot)]


def xlsx(invoice) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "Invoice"
    data = invoice.snapshot
    sheet.append([f"Invoice {invoice.number}: {data['label']}"])
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append([f"{data['contract']['name']} ({data['contract']['reference']})"])
    sheet.append([f"Issued {invoice.issued_at:%-d %B %Y} by {invoice.issued_by}"])
    sheet.append(["Costs exclude VAT. Hours are days x the contract's hours per day."])
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in rows(data):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        first = row[0] if row else ""
        if first.startswith(("Subtotal", "Total", "Cap")) or row == CAP_HEADER:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 32
    for letter in "BCDEFGHI":
        sheet.column_dimensions[letter].width = 18
    return xlsx_bytes(book, at=invoice.issued_at)


def pdf(invoice) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "timesheets/invoice_pdf.html", {"invoice": invoice, "data": invoice.snapshot}
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
