"""The one CSV writer every export uses, and the cell rule that keeps a download from running as a formula.

A CSV file is opened by people in Excel, LibreOffice or Google Sheets, and those programs treat a cell that
begins with `=`, `+`, `-` or `@` as a formula (and a leading tab or carriage return can hide one). Text in
our exports comes from people and from MIS files (pupil names, school names, provision names), so a name
typed as `=HYPERLINK("http://evil.example","Click")` would become a live link, or worse, on a SENCO's
machine. Every cell therefore goes through `excel_safe`, and no view writes CSV by hand.

Rule and source: OWASP "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection): a cell
beginning with `=`, `+`, `-`, `@`, tab (0x09) or carriage return (0x0D) is prefixed with a single quote,
which spreadsheets show as text and never evaluate. (The csv module already quotes cells that contain a
delimiter or a quote, which the same page also asks for.)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A plain number written as text ("-3", "+4.50") is a number to a spreadsheet, not a formula: it keeps its
# sign and stays a number. Anything more ("-2+3", "-1e5", "+44 20 …") is quoted like other text.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")

BOM = "\ufeff"


def excel_safe(value: Any) -> str:
    """The text of one CSV cell that no spreadsheet runs as a formula (OWASP "CSV Injection").

    None is an empty cell; real numbers (int, float, Decimal) and plain number text stay numbers, sign
    included; dates are ISO (2026-06-04); any other text beginning with `=`, `+`, `-`, `@`, tab or carriage
    return gets a leading single quote.

    >>> excel_safe('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> excel_safe(-3), excel_safe("-3.50"), excel_safe("-2+3"), excel_safe(None)
    ('-3', '-3.50', "'-2+3", '')
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_response(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], bom: bool = True
) -> HttpResponse:
    """A CSV download: `header` then `rows`, every cell through `excel_safe`.

    UTF-8 with a byte-order mark by default, because Excel reads a CSV without one in the Windows code page
    and shows "£" as "Â£" and accented names garbled; `bom=False` for files read by machines that expect
    plain UTF-8 (the census export). Sent as an attachment named `filename` (quotes removed, so the header
    stays well formed). `rows` may be a generator: it is consumed here, once.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    if bom:
        response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([excel_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([excel_safe(cell) for cell in row])
    return response
