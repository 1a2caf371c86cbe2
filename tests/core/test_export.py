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
