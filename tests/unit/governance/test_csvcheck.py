"""The validation summary of small tabular files."""

from __future__ import annotations

from services.governance.domain.csvcheck import validate_table


def test_a_valid_csv() -> None:
    summary = validate_table(b"region,population\nsouss,10\noriental,20\n")
    assert summary["valid"] is True and summary["error_count"] == 0
    assert summary["encoding"] == "utf-8" and summary["rows"] == 2
    assert summary["header"] == ["region", "population"]


def test_a_byte_order_mark_is_utf8_sig() -> None:
    summary = validate_table("\ufeffville,nom\n1,Fès\n".encode())
    assert summary["valid"] is True and summary["encoding"] == "utf-8-sig"
    assert summary["header"] == ["ville", "nom"]


def test_latin1_fails_on_its_encoding_but_its_structure_is_still_read() -> None:
    summary = validate_table("commune,nom\n1,Salé\n".encode("latin-1"))
    assert summary["valid"] is False
    assert summary["errors_by_type"] == {"encoding-error": 1}
    assert summary["first_errors"][0]["message"].startswith("the file is not UTF-8")
    assert summary["header"] == ["commune", "nom"]


def test_errors_are_counted_by_type_with_their_place() -> None:
    summary = validate_table(b"a,b,b\n1,2,3\n,,\n4,5,6,7\n")
    assert summary["errors_by_type"] == {"duplicate-label": 1, "blank-row": 1, "extra-cell": 1}
    extra = next(e for e in summary["first_errors"] if e["type"] == "extra-cell")
    assert extra["row"] == 4


def test_tab_separated_values() -> None:
    summary = validate_table(b"a\tb\n1\t2\n", fmt="tsv")
    assert summary["valid"] is True and summary["fields"] == 2
