"""The one CSV writer: the OWASP "CSV Injection" cell rule, the BOM, the attachment header."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trusts.exports import csv_response, excel_safe

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","Click")', '\'=HYPERLINK("http://x","Click")'),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Amy O'Neill", "Amy O'Neill"),
        ("'=already quoted", "'=already quoted"),
        ("a=b", "a=b"),
        (None, ""),
        ("", ""),
        (-3, "-3"),
        (Decimal("-4.50"), "-4.50"),
        (2.5, "2.5"),
        ("-3.50", "-3.50"),
        ("+4", "+4"),
        ("-1e5", "'-1e5"),
        (date(2026, 6, 4), "2026-06-04"),
    ],
)
def test_excel_safe(value, cell) -> None:
    assert excel_safe(value) == cell


@given(st.text())
def test_no_text_leaves_as_a_formula_and_nothing_is_lost(text: str) -> None:
    cell = excel_safe(text)
    assert cell == text or cell == "'" + text
    if cell.startswith(DANGEROUS):
        assert re.fullmatch(r"[+-][0-9]+(\.[0-9]+)?", cell)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_csv_response_is_an_excel_friendly_attachment() -> None:
    response = csv_response(
        filename='Acorn "Primary".csv', header=["Name", "Cost (£)"], rows=iter([["=Zoë", Decimal("1.50")]])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Acorn Primary.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert _rows(response) == [["Name", "Cost (£)"], ["'=Zoë", "1.50"]]


def test_without_a_bom_the_bytes_are_what_the_csv_module_writes() -> None:
    """The census export keeps its bytes: plain UTF-8, CRLF lines, no BOM."""
    rows = [["B801200005001", "K", "SPLD", ""], ["B801200005002", "E", "ASD", "SLCN"]]
    expected = io.StringIO()
    csv.writer(expected).writerows([["UPN", "SEN provision"], *rows])
    response = csv_response(filename="x.csv", header=["UPN", "SEN provision"], rows=rows, bom=False)
    assert response.content == expected.getvalue().encode()
