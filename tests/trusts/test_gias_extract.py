"""Reading the DfE's Get Information about Schools extract: encodings, headers, phases, row-level messages."""

from __future__ import annotations

import codecs
import doctest
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.trusts.gias_support import CODE, DECEMBER, OURS, _csv, _rows
from tests.trusts.test_row_level_security import as_app_role  # noqa: F401 (a fixture)
from trusts import gias

# ------------------------------------------------------------------------------------------- the parser


def test_the_fixture_is_a_real_shaped_windows_1252_extract() -> None:
    raw = DECEMBER.read_bytes()
    assert "à".encode("cp1252") in raw and "à".encode() not in raw
    header, rows = _rows(DECEMBER)
    assert len(header) > 130 and set(gias.COLUMNS) <= set(header)
    assert header[:5] == ["URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName"]
    extract = gias.read_extract(raw)
    assert extract.total_rows == len(rows) == 8
    names = {r.get(gias.NAME) for r in extract.rows}
    assert "St Thomas à Becket Catholic Primary School" in names and "Malvern Élan Primary Academy" in names


def test_a_utf8_file_with_or_without_a_byte_order_mark_reads_the_same() -> None:
    text = DECEMBER.read_bytes().decode("cp1252")
    cp1252 = gias.read_extract(DECEMBER.read_bytes())
    assert gias.read_extract(codecs.BOM_UTF8 + text.encode()) == cp1252
    assert gias.read_extract(text.encode()) == cp1252


def test_reading_for_a_trust_keeps_only_its_rows() -> None:
    extract = gias.read_extract(DECEMBER.read_bytes(), trust_code=" tr04321 ")
    assert {r.get(gias.URN) for r in extract.rows} == OURS | {"149104"}
    assert extract.total_rows == 8


def test_a_header_without_the_named_columns_says_which_are_missing() -> None:
    header, rows = _rows(DECEMBER)
    cut = [i for i, c in enumerate(header) if c not in ("Trusts (code)", "StatutoryLowAge")]
    raw = _csv([header[i] for i in cut], [[r[i] for i in cut] for r in rows])
    with pytest.raises(gias.NotAnExtract) as exc:
        gias.read_extract(raw)
    assert "“StatutoryLowAge”, “Trusts (code)” columns" in str(exc.value)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "The file is empty"),
        (b"PK\x03\x04\x81\x8d\x90 spreadsheet", "not CSV text"),
        (codecs.BOM_UTF8 + b"URN,\xff\xfe", "not CSV text"),
    ],
)
def test_a_file_that_is_not_an_extract_is_refused_with_a_reason(raw: bytes, words: str) -> None:
    with pytest.raises(gias.NotAnExtract, match=words):
        gias.read_extract(raw)


@pytest.mark.parametrize(
    ("phase", "kind", "low", "high", "expected"),
    [
        ("Primary", "Academy converter", 4, 11, "primary"),
        ("Middle deemed primary", "Academy converter", 8, 12, "middle"),
        ("Middle deemed secondary", "Academy converter", 9, 13, "middle"),
        ("Primary", "Academy converter", 4, 7, "infant"),
        ("Primary", "Academy converter", 3, 7, "infant"),
        ("Primary", "Academy converter", 7, 11, "junior"),
        ("Primary", "Academy converter", 3, 11, "primary"),
        ("Primary", "Academy converter", 4, 9, "primary"),  # a first school: primary -> middle
        ("Not applicable", "Other independent school", 4, 7, "infant"),
        ("Secondary", "Academy sponsor led", 11, 18, "secondary"),
        ("All-through", "Free schools", 4, 18, "all_through"),
        ("Nursery", "Local authority nursery school", 2, 5, "nursery"),
        ("16 plus", "Academy 16-19 converter", 16, 19, "post16"),
        ("Not applicable", "Academy special converter", 2, 19, "special"),
        ("Secondary", "Academy special sponsor led", 11, 16, "special"),
        ("Not applicable", "Free schools alternative provision", 11, 16, "alternative"),
        ("Not applicable", "Pupil referral unit", 5, 16, "alternative"),
        ("Not applicable", "Other independent school", 3, 5, "nursery"),
        ("Not applicable", "Other independent school", 4, 11, "primary"),
        ("Not applicable", "Other independent school", 11, 18, "secondary"),
        ("Not applicable", "Other independent school", 16, 19, "post16"),
        ("Not applicable", "Other independent school", 3, 18, "all_through"),
        ("Not applicable", "Other independent school", None, None, None),
        ("Primry", "Academy converter", 4, 11, None),
    ],
)
def test_the_register_phase_and_type_map_to_a_school_phase(phase, kind, low, high, expected) -> None:
    assert gias.school_phase(phase_name=phase, type_name=kind, low_age=low, high_age=high) == expected


@pytest.mark.parametrize(
    ("name", "low", "high", "expected"),
    [
        ("Oak Infant School", None, None, "infant"),
        ("Oak Infants' School", None, None, "infant"),
        ("Elm Junior School", None, None, "junior"),
        ("St Mary's Junior and Infant School", None, None, "primary"),
        ("Juniper Primary School", None, None, "primary"),  # "Juniper" is not "Junior"
        ("Elm Junior School", 4, 11, "primary"),  # the ages, when given, decide
        ("Oak Infant School", 4, 7, "infant"),
    ],
)
def test_infant_and_junior_schools_are_told_from_the_name_and_ages(name, low, high, expected) -> None:
    """GIAS has no infant or junior phase: they are "Primary" rows, told apart by the ages or the name."""
    found = gias.school_phase(
        phase_name="Primary", type_name="Academy converter", low_age=low, high_age=high, name=name
    )
    assert found == expected


def test_a_checked_row_of_an_infant_school_has_the_infant_phase() -> None:
    est, problems = gias.check_row(
        _row(**{gias.NAME: "Hollybush Infant School", gias.LOW_AGE: "4", gias.HIGH_AGE: "7"})
    )
    assert problems == [] and est is not None and est.phase == "infant"


def _row(**cells: str) -> gias.RegisterRow:
    base = {
        gias.URN: "149101",
        gias.LA_CODE: "885",
        gias.LA_NAME: "Worcestershire",
        gias.ESTABLISHMENT_NUMBER: "3301",
        gias.NAME: "St Thomas à Becket",
        gias.TYPE: "Academy converter",
        gias.STATUS: "Open",
        gias.PHASE: "Primary",
        gias.LOW_AGE: "4",
        gias.HIGH_AGE: "11",
        gias.TRUST_CODE: CODE,
        gias.TRUST_NAME: "Severn Vale Learning Trust",
    }
    return gias.RegisterRow(row=7, cells=base | cells)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({gias.URN: "14910"}, "Row 7 (URN 14910): the URN is not 6 digits."),
        ({gias.URN: ""}, "Row 7 (no URN): the URN is empty."),
        ({gias.LA_CODE: "88"}, "Row 7 (URN 149101): the LA (code) “88” is not 3 digits."),
        ({gias.ESTABLISHMENT_NUMBER: "331"}, "Row 7 (URN 149101): the EstablishmentNumber “331” is not 4 digits."),
        ({gias.NAME: ""}, "Row 7 (URN 149101): the EstablishmentName is empty."),
        ({gias.LOW_AGE: "four"}, "Row 7 (URN 149101): the StatutoryLowAge “four” is not a whole number of years."),
        ({gias.HIGH_AGE: "99"}, "Row 7 (URN 149101): the StatutoryHighAge 99 is above 25."),
        ({gias.LOW_AGE: "11", gias.HIGH_AGE: "4"}, "Row 7 (URN 149101): the StatutoryLowAge 11 is above the"),
        ({gias.STATUS: "Shut"}, "Row 7 (URN 149101): the EstablishmentStatus “Shut” is not one GIAS uses"),
        ({gias.PHASE: "Primry"}, "Row 7 (URN 149101): the PhaseOfEducation “Primry” is not one GIAS uses"),
        (
            {gias.PHASE: "Not applicable", gias.LOW_AGE: "", gias.HIGH_AGE: ""},
            "Row 7 (URN 149101): the phase cannot be told",
        ),
        ({gias.CLOSE_DATE: "31st August"}, "Row 7 (URN 149101): the CloseDate “31st August” is not a date"),
    ],
)
def test_each_bad_cell_gets_a_row_level_message(cells, message) -> None:
    establishment, problems = gias.check_row(_row(**cells))
    assert establishment is None
    assert any(p.startswith(message) for p in problems), problems


def test_a_closed_row_is_read_for_its_status_and_close_date_only() -> None:
    establishment, problems = gias.check_row(
        _row(**{gias.STATUS: "Closed", gias.CLOSE_DATE: "31-08-2025", gias.LA_CODE: "", gias.PHASE: ""})
    )
    assert problems == []
    assert establishment is not None
    assert (establishment.status, establishment.closed_on) == ("closed", date(2025, 8, 31))


def test_the_same_urn_twice_names_the_first_row() -> None:
    checked = gias.check_rows([_row(), gias.RegisterRow(row=9, cells=_row().cells)])
    assert checked.problems == ["Row 9 (URN 149101): the same URN is on row 7."]


def test_the_worked_examples_in_the_docstrings_hold() -> None:
    failures, tried = doctest.testmod(gias)
    assert tried >= 8 and failures == 0


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_an_extract_or_a_reason_never_a_crash(raw: bytes) -> None:
    try:
        extract = gias.read_extract(raw)
    except gias.NotAnExtract as exc:
        assert str(exc)
    else:
        for row in extract.rows:
            gias.check_row(row)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(gias.COLUMNS + gias.OPTIONAL_COLUMNS), st.text(max_size=30)))
def test_any_cells_give_an_establishment_or_row_messages(cells: dict[str, str]) -> None:
    establishment, problems = gias.check_row(gias.RegisterRow(row=3, cells=cells))
    assert (establishment is None) == bool(problems)
    assert all(p.startswith("Row 3 (") for p in problems)


def _also_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not raw.isascii()


CP1252_TEXT = st.text(
    alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and " " not in s)


@settings(max_examples=100)
@given(
    names=st.lists(CP1252_TEXT | st.sampled_from(['St Mary\'s, "Upper" School', "Ysgol\nBro Dâr"]), min_size=1),
    bom=st.booleans(),
)
def test_names_with_commas_quotes_newlines_and_accents_survive_the_file(names: list[str], bom: bool) -> None:
    header, _ = _rows(DECEMBER)
    template = _rows(DECEMBER)[1][0]
    rows = []
    for i, name in enumerate(names):
        row = list(template)
        row[header.index("URN")] = f"{150000 + i}"
        row[header.index("EstablishmentName")] = name
        rows.append(row)
    raw = _csv(header, rows, "utf-8-sig" if bom else "cp1252")
    # The one documented ambiguity (gias.decode): Windows-1252 bytes that are also valid UTF-8 ("Â¡") read as
    # UTF-8. A real extract has thousands of accents, which never all happen to form UTF-8 sequences.
    assume(bom or not _also_utf8(raw))
    checked = gias.check_rows(gias.read_extract(raw).rows)
    assert [e.name for e in checked.establishments if len(e.name) <= 200] == [n for n in names if len(n) <= 200]
