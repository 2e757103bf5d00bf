"""Reading an MIS file: decoding, checking it is a CSV, matching its headings to our columns. No database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_FILE_BYTES = 10 * 1024 * 1024


class FileProblem(Exception):
    """The whole file cannot be imported; the message says why and how to fix it."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: `row` is the spreadsheet row (the headings are row 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Column:
    field: str
    heading: str
    aliases: tuple[str, ...] = ()
    required: bool = False


PUPIL_COLUMNS: tuple[Column, ...] = (
    Column("upn", "UPN", ("Unique Pupil Number", "Pupil UPN"), True),
    Column("legal_surname", "Legal Surname", ("Surname", "Last Name", "Family Name"), True),
    Column("legal_forename", "Legal Forename", ("Forename", "First Name", "Given Name"), True),
    Column("preferred_forename", "Preferred Forename", ("Preferred Name", "Preferred First Name", "Known As")),
    Column("date_of_birth", "DOB", ("Date of Birth", "Birth Date"), True),
    Column("gender", "Gender", ("Sex",), True),
    Column("year_group", "Year", ("Year Group", "NC Year", "National Curriculum Year", "Curriculum Year"), True),
    Column("reg_group", "Reg Group", ("Registration Group", "Form", "Form Group", "Tutor Group", "Reg Form")),
    Column("admission_date", "Admission Date", ("Date of Admission", "Admitted", "Entry Date")),
    Column("eal", "EAL", ("English as an Additional Language",)),
    Column("fsm", "FSM", ("Free School Meals", "FSM Eligible")),
    Column("pupil_premium", "Pupil Premium", ("PP",)),
    Column("looked_after", "Looked After", ("CLA", "Child Looked After", "LAC", "Looked After Child")),
)
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("upn", "UPN", ("Unique Pupil Number", "Pupil UPN"), True),
    Column("group", "Group", ("Group Name", "Teaching Group", "Class", "Set"), True),
    Column("teacher_email", "Teacher Email", ("Teacher", "Staff Email", "Email")),
)
FLAG_FIELDS = ("eal", "fsm", "pupil_premium", "looked_after")
TEXT_LIMITS = {
    "legal_surname": 100,
    "legal_forename": 100,
    "preferred_forename": 100,
    "reg_group": 20,
    "group": 50,
}


def normalise_heading(text: str) -> str:
    """Headings match whatever their case, spaces and punctuation: "Date of Birth" == "dateofbirth"."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


@dataclass
class Table:
    """A CSV file's rows as {field: cell}, with each field's heading as written in the file."""

    headings: dict[str, str]
    ignored: list[str]
    rows: list[tuple[int, dict[str, str]]]


def decode(content: bytes) -> str:
    """UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text"), else cp1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        "The file is not a text file we can read. Save it from your MIS or spreadsheet as CSV (UTF-8) and try again."
    )


_NOT_CSV = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF"),
)


def _check_is_csv(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem(
            f"The file is {len(content) / 1024 / 1024:.1f} MB: the largest file you can import is 10 MB. "
            "Split it into smaller files, or leave out columns you do not need."
        )
    for signature, what in _NOT_CSV:
        if content.startswith(signature):
            raise FileProblem(
                f"This is {what}, not a CSV file. Open it in Excel, choose File, Save As, "
                "'CSV UTF-8 (comma delimited)', and upload that file."
            )
    text = decode(content)
    if "\x00" in text:
        raise FileProblem("This is not a CSV file: it contains binary data. Export the list as CSV and try again.")
    if not text.strip():
        raise FileProblem("The file is empty. Export the list from your MIS again and upload that file.")
    return text


def read_table(content: bytes, columns: Sequence[Column]) -> Table:
    """Decode and split a CSV file, match its headings, and return its non-blank rows.

    Raises FileProblem for anything that stops the whole file: too big, not CSV, empty, missing headings.
    """
    text = _check_is_csv(content)
    first_line = text.lstrip().splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileProblem(f"This file cannot be read as CSV ({exc}). Export the list as CSV and try again.") from exc
    header_index = next((i for i, record in enumerate(records) if any(cell.strip() for cell in record)), None)
    if header_index is None:
        raise FileProblem("The file is empty. Export the list from your MIS again and upload that file.")
    headings = _match_headings(records[header_index], columns)
    positions = {f: records[header_index].index(h) for f, h in headings.items()}
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append((number, {f: record[i].strip() if i < len(record) else "" for f, i in positions.items()}))
    if not rows:
        raise FileProblem("The file has column headings but no rows under them. Export the list again with its rows.")
    ignored = [h.strip() for h in records[header_index] if h.strip() and h not in headings.values()]
    return Table(headings=headings, ignored=ignored, rows=rows)


def _match_headings(record: list[str], columns: Sequence[Column]) -> dict[str, str]:
    names = {normalise_heading(name): c for c in columns for name in (c.heading, *c.aliases)}
    found: dict[str, str] = {}
    for heading in record:
        column = names.get(normalise_heading(heading))
        if column is None:
            continue
        if column.field in found:
            raise FileProblem(
                f"The columns '{found[column.field].strip()}' and '{heading.strip()}' both give the "
                f"{column.heading}: delete one of them and upload the file again."
            )
        found[column.field] = heading
    missing = [c.heading for c in columns if c.required and c.field not in found]
    if missing:
        expected = ", ".join(c.heading for c in columns)
        hint = ""
        if columns is PUPIL_COLUMNS and "group" in {normalise_heading(h) for h in record}:
            hint = " It looks like a teaching groups file: choose 'Teaching groups' instead."
        raise FileProblem(
            f"The file has no {_and_list(missing)} column. The first row must be the column headings "
            f"({expected}); see the list of accepted headings.{hint}"
        )
    return found


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
