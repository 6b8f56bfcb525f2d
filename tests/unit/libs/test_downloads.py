"""Safe file names in Content-Disposition and CSV cells that stay text."""

from __future__ import annotations

import pytest

from libs.http.downloads import attachment, safe_cell, safe_filename


def test_a_file_name_cannot_break_the_header() -> None:
    header = attachment('evil\r\nSet-Cookie: x=1\x00"; name.csv')
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert header.startswith('attachment; filename="')
    assert header.count('"') == 2


def test_the_exact_name_travels_as_rfc_8187() -> None:
    header = attachment("الميزانية 2024.csv")
    assert "filename*=UTF-8''%D8%A7" in header
    assert safe_filename("C:\\Users\\me\\budget.csv") == "budget.csv"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("...") == "download"


@pytest.mark.parametrize("value", ["=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_cells_are_quoted(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_other_cells_are_unchanged() -> None:
    assert safe_cell("budget") == "budget"
    assert safe_cell(-2) == -2
    assert safe_cell(None) is None
