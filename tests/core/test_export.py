from core.export import neutralise


def test_formula_like_cells_are_neutralised_for_spreadsheets():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+1+2") == "'+1+2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-cmd") == "'-cmd"


def test_ordinary_values_and_negative_numbers_are_kept():
    assert neutralise("Gateshead") == "Gateshead"
    assert neutralise(-3) == "-3"
    assert neutralise(None) == ""


def test_a_workbook_saved_for_download_holds_no_live_formula_whatever_writes_it():
    import io

    from openpyxl import Workbook, load_workbook

    from core.export import xlsx_bytes

    book = Workbook()
    hostile = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    book.active.append(hostile + ["Gateshead", -3, 2.5])

    cells = next(load_workbook(io.BytesIO(xlsx_bytes(book))).active.iter_rows())

    assert [c.data_type for c in cells[:6]] == ["s"] * 6
    # (XML reads a carriage return back as a line feed)
    assert [c.value.replace("\n", "\r") for c in cells[:6]] == ["'" + h for h in hostile]
    assert [c.value for c in cells[6:]] == ["Gateshead", -3, 2.5]
