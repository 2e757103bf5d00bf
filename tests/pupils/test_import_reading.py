"""Reading MIS files: encodings, headings and aliases, cells, and problems that stop the whole file."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pupils.importing import (
    GROUP_COLUMNS,
    MAX_FILE_BYTES,
    PUPIL_COLUMNS,
    FileProblem,
    normalise_heading,
    parse_date,
    parse_flag,
    parse_gender,
    parse_year,
    read_table,
)
from pupils.models import YearGroup

HEADER = "UPN,Legal Surname,Legal Forename,DOB,Gender,Year"
ROW = "B801200005001,Smith,Ava,14/03/2017,F,4"


def table(text: str | bytes, columns=PUPIL_COLUMNS):
    return read_table(text.encode() if isinstance(text, str) else text, columns)


# ---------------------------------------------------------------------------------------- encodings


def test_utf8_with_bom_and_crlf_reads_like_plain_utf8() -> None:
    plain = table(f"{HEADER}\n{ROW}\n")
    bom = table(("\ufeff" + f"{HEADER}\r\n{ROW}\r\n").encode("utf-8"))
    assert bom.rows == plain.rows
    assert bom.headings == plain.headings


def test_windows_1252_file_is_read_with_its_accents() -> None:
    content = f"{HEADER}\r\nB801200005001,Brontë,Zoé,14/03/2017,F,4\r\n".encode("cp1252")
    assert table(content).rows[0][1]["legal_surname"] == "Brontë"
    assert table(content).rows[0][1]["legal_forename"] == "Zoé"


def test_utf16_unicode_text_with_tabs_is_read() -> None:
    content = f"{HEADER}\n{ROW}\n".replace(",", "\t").encode("utf-16")
    assert table(content).rows[0][1]["upn"] == "B801200005001"


def test_semicolon_separated_file_is_read() -> None:
    assert table(f"{HEADER}\n{ROW}\n".replace(",", ";")).rows[0][1]["gender"] == "F"


def test_trailing_spaces_and_blank_lines_are_ignored_and_rows_keep_spreadsheet_numbers() -> None:
    result = table(f"{HEADER}\n\n{ROW.replace('Smith', 'Smith  ')}  \n,,,,,\nB801200005001 ,Jones,Bo,14/03/2017,M,4\n")
    assert [number for number, _ in result.rows] == [3, 5]
    assert result.rows[0][1]["legal_surname"] == "Smith"
    assert result.rows[1][1]["upn"] == "B801200005001"


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff"), max_size=20
)


@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=5), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_any_cells_written_by_a_csv_writer_read_back_stripped(cells, encoding) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["UPN", "Group"])
    rows = [(f"B80120000500{i % 10}{upn}", group) for i, (upn, group) in enumerate(cells)]
    writer.writerows(rows)
    read = table(out.getvalue().encode(encoding), GROUP_COLUMNS)
    expected = [(u.strip(), g.strip()) for u, g in rows if u.strip() or g.strip()]
    assert [(r["upn"], r["group"]) for _, r in read.rows] == expected


# ---------------------------------------------------------------------------------------- headings


def test_headings_match_whatever_their_case_and_spaces() -> None:
    result = table("  upn ,LEGALSURNAME,legal  forename,d.o.b,GENDER,year\n" + ROW)
    assert set(result.headings) == {"upn", "legal_surname", "legal_forename", "date_of_birth", "gender", "year_group"}
    assert result.headings["legal_forename"] == "legal  forename"


def test_aliases_used_by_mis_exports_are_understood() -> None:
    header = (
        "UPN,Surname,Forename,Date of Birth,Sex,NC Year,Registration Group,Admission Date,"
        "EAL,Free School Meals,PP,Child Looked After,Extra Column"
    )
    result = table(f"{header}\nB801200005001,Smith,Ava,14/03/2017,F,4,4B,01/09/2021,N,Y,Y,N,x\n")
    assert set(result.headings) == {c.field for c in PUPIL_COLUMNS} - {"preferred_forename"}
    assert result.ignored == ["Extra Column"]


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Year Group", "year_group"),
        ("Form", "reg_group"),
        ("CLA", "looked_after"),
        ("Looked After", "looked_after"),
        ("Pupil Premium", "pupil_premium"),
        ("FSM", "fsm"),
        ("Preferred Forename", "preferred_forename"),
    ],
)
def test_documented_aliases_map_to_their_field(heading: str, field: str) -> None:
    names = {normalise_heading(n): c.field for c in PUPIL_COLUMNS for n in (c.heading, *c.aliases)}
    assert names[normalise_heading(heading)] == field


def test_group_file_headings() -> None:
    result = table("upn,group,teacher email\nB801200005001,4B,teacher.acorn@oak.test\n", GROUP_COLUMNS)
    assert result.rows[0][1] == {"upn": "B801200005001", "group": "4B", "teacher_email": "teacher.acorn@oak.test"}


# ---------------------------------------------------------------------------------------- whole file


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf  \r\n \r\n", "The file is empty."),
        (b",,,\r\n,,\r\n", "The file is empty."),
        (HEADER.encode() + b"\r\n", "column headings but no rows"),
        (b"UPN,Surname,Forename\r\n" + ROW.encode(), "The file has no DOB, Gender or Year column."),
        (b"Name,Address\r\nAva,1 High St\r\n", "no UPN, Legal Surname, Legal Forename, DOB, Gender or Year column"),
        (b"PK\x03\x04\x14\x00\x06\x00workbook", "This is an Excel workbook (.xlsx), not a CSV file."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-style Excel workbook"),
        (b"%PDF-1.7 binary", "This is a PDF, not a CSV file."),
        (b"UPN,Surname\x00\x01\x02,DOB\r\n", "it contains binary data"),
        (f"{HEADER},Surname\n{ROW},x\n".encode(), "both give the Legal Surname"),
    ],
)
def test_whole_file_problems_are_one_clear_message(content: bytes, message: str) -> None:
    with pytest.raises(FileProblem) as excinfo:
        table(content)
    assert message in excinfo.value.message


def test_file_over_10_mb_is_refused_before_reading_rows() -> None:
    content = (f"{HEADER}\n" + f"{ROW}\n" * (MAX_FILE_BYTES // len(ROW) + 10)).encode()
    with pytest.raises(FileProblem) as excinfo:
        table(content)
    assert "the largest file you can import is 10 MB" in excinfo.value.message


def test_groups_file_chosen_as_pupils_says_so() -> None:
    with pytest.raises(FileProblem) as excinfo:
        table("UPN,Group,Teacher Email\nB801200005001,4B,a@b.test\n")
    assert "looks like a teaching groups file" in excinfo.value.message


def test_bytes_that_are_not_text_in_any_encoding_are_refused() -> None:
    # 0x81 is undefined in Windows-1252 and cannot start a UTF-8 character.
    with pytest.raises(FileProblem) as excinfo:
        table(b"UPN,Legal Surname\x81\x8d\r\n")
    assert "not a text file" in excinfo.value.message


# ---------------------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/03/2017", date(2017, 3, 14)),
        ("4/3/2017", date(2017, 3, 4)),
        ("2017-03-14", date(2017, 3, 14)),
        ("14-03-2017", date(2017, 3, 14)),
        ("14/03/2017 00:00", date(2017, 3, 14)),
        ("2017-03-14T00:00:00", date(2017, 3, 14)),
        (" 29/02/2016 ", date(2016, 2, 29)),
    ],
)
def test_dates_in_uk_and_iso_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2017", "'31/02/2017' is not a real date"),
        ("29/02/2017", "not a real date"),
        ("2017-13-01", "not a real date"),
        ("14/03/17", "two-digit year"),
        ("March 2017", "is not a date: write dates as DD/MM/YYYY"),
        ("03/14/2017x", "is not a date"),
    ],
)
def test_impossible_or_unreadable_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_real_date_reads_back_in_both_forms(day: date) -> None:
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day


@given(st.text(max_size=12))
def test_date_parser_never_fails_with_anything_but_a_plain_message(text: str) -> None:
    try:
        parse_date(text)
    except ValueError as exc:
        assert str(exc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Y", True), ("yes", True), ("TRUE", True), ("1", True), ("N", False), ("No", False)]
    + [("false", False), ("0", False), ("", False), (" y ", True)],
)
def test_yes_no_flags(text: str, expected: bool) -> None:
    assert parse_flag(text) is expected


def test_unknown_flag_is_refused() -> None:
    with pytest.raises(ValueError, match="'Maybe' is not yes or no"):
        parse_flag("Maybe")


@pytest.mark.parametrize(("text", "code"), [("F", "F"), ("m", "M"), ("Female", "F"), ("MALE", "M")])
def test_genders(text: str, code: str) -> None:
    assert parse_gender(text) == code


def test_unknown_gender_is_refused() -> None:
    with pytest.raises(ValueError, match="use F or M"):
        parse_gender("X")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Year 4", "4"),
        ("4", "4"),
        ("04", "4"),
        ("Y11", "11"),
        ("year 14", "14"),
        ("R", "R"),
        ("Reception", "R"),
        ("YR", "R"),
        ("N1", "N1"),
        ("Nursery 2", "N2"),
    ],
)
def test_year_groups(text: str, code: str) -> None:
    assert parse_year(text) == code


def test_every_year_group_label_and_code_is_understood() -> None:
    for code, label in YearGroup.choices:
        assert parse_year(code) == code
        assert parse_year(label) == code


@pytest.mark.parametrize("text", ["15", "Year 0", "Y15", "Nursery", "K", "0"])
def test_unknown_year_groups_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a year group"):
        parse_year(text)
