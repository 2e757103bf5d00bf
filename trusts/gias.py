"""Reading the DfE's Get Information about Schools (GIAS) establishment extract.

GIAS publishes every establishment in England as one CSV, `edubasealldataYYYYMMDD.csv` ("Establishment
fields CSV" on the Downloads page): Windows-1252 text, one row per establishment, about 140 columns of which
we read only the ones in `COLUMNS` (found by name, so their order and the columns around them do not
matter). Nothing here touches the database: `trusts.onboarding` turns what is read into trusts and schools.

Every function is pure and says what it does to odd input. Problems with one row are sentences starting
"Row 7 (URN 123456): ", counting rows as a spreadsheet shows them (the header is row 1), so the operator can
find the row in Excel.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from .models import School

URN = "URN"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
ESTABLISHMENT_NUMBER = "EstablishmentNumber"
NAME = "EstablishmentName"
TYPE = "TypeOfEstablishment (name)"
STATUS = "EstablishmentStatus (name)"
PHASE = "PhaseOfEducation (name)"
LOW_AGE = "StatutoryLowAge"
HIGH_AGE = "StatutoryHighAge"
TRUST_CODE = "Trusts (code)"
TRUST_NAME = "Trusts (name)"
CLOSE_DATE = "CloseDate"

COLUMNS = (
    URN,
    LA_CODE,
    LA_NAME,
    ESTABLISHMENT_NUMBER,
    NAME,
    TYPE,
    STATUS,
    PHASE,
    LOW_AGE,
    HIGH_AGE,
    TRUST_CODE,
    TRUST_NAME,
)
OPTIONAL_COLUMNS = (CLOSE_DATE,)

Phase = School.Phase
Status = School.Status

# EstablishmentStatus (name), as GIAS spells it.
STATUSES: dict[str, str] = {
    "open": Status.OPEN.value,
    "open, but proposed to close": Status.CLOSING.value,
    "proposed to open": Status.PROPOSED.value,
    "closed": Status.CLOSED.value,
}
# PhaseOfEducation (name). "Not applicable" (special schools, PRUs, some independents) is decided from the
# type and the age range instead (`school_phase`).
PHASES: dict[str, str | None] = {
    "nursery": Phase.NURSERY.value,
    "primary": Phase.PRIMARY.value,
    # A middle school is "deemed" primary or secondary for funding; for phase transfers it is a middle school
    # either way (reg 2(1): primary -> middle -> secondary), its year range taken from its statutory ages.
    "middle deemed primary": Phase.MIDDLE.value,
    "middle deemed secondary": Phase.MIDDLE.value,
    "secondary": Phase.SECONDARY.value,
    "all-through": Phase.ALL_THROUGH.value,
    "16 plus": Phase.POST16.value,
    "not applicable": None,
}
MAX_AGE = 25  # an EHC plan can run to 25 (Children and Families Act 2014, s.46); GIAS ages stop at 19-25

_URN = re.compile(r"^\d{6}$")
_LA_CODE = re.compile(r"^\d{3}$")
_ESTABLISHMENT_NUMBER = re.compile(r"^\d{4}$")
_TRUST_CODE = re.compile(r"^[A-Za-z0-9]{1,20}$")


class NotAnExtract(ValueError):
    """The file as a whole cannot be read as a GIAS extract (the message says why and what to do)."""


@dataclass(frozen=True)
class RegisterRow:
    """One row of the extract: its spreadsheet row number and the cells of the columns we read."""

    row: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Extract:
    """The rows read from one extract (all of them, or one trust's when read for a trust)."""

    rows: tuple[RegisterRow, ...]
    total_rows: int = 0


@dataclass(frozen=True)
class Establishment:
    """One establishment as the school record needs it, checked."""

    row: int
    urn: str
    la_code: str
    la_name: str
    establishment_number: str
    name: str
    establishment_type: str
    status: str
    phase: str | None  # None only for a closed establishment, which is read for its status alone
    low_age: int | None
    high_age: int | None
    trust_code: str
    trust_name: str
    closed_on: date | None


@dataclass
class Checked:
    establishments: list[Establishment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------- the file


def decode(raw: bytes) -> str:
    """The file's text. GIAS writes Windows-1252; a file re-saved from Excel as "CSV UTF-8" starts with a
    byte-order mark, and one saved by other tools may be UTF-8 without it.

    >>> decode("St Thomas à Becket".encode("cp1252"))
    'St Thomas à Becket'
    >>> decode(codecs.BOM_UTF8 + "Ysgol Gymraeg Bro Dâr".encode())
    'Ysgol Gymraeg Bro Dâr'

    UTF-8 is tried before Windows-1252 because accented Windows-1252 text is almost never valid UTF-8, while
    UTF-8 read as Windows-1252 would silently turn "à" into "Ã\xa0". Raises NotAnExtract for bytes neither
    encoding can read (a spreadsheet file, a zip).
    """
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotAnExtract(_not_text(exc)) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise NotAnExtract(_not_text(exc)) from exc


def _not_text(exc: UnicodeDecodeError) -> str:
    return (
        f"The file is not CSV text (byte {exc.start + 1} cannot be read). Upload the edubasealldata CSV file "
        "itself, not a zip or a spreadsheet (.xlsx) made from it."
    )


def normalise_trust_code(code: str) -> str:
    """The trust code as compared: trimmed, capitals. `normalise_trust_code(" tr04321 ")` is "TR04321"."""
    return (code or "").strip().upper()


def valid_trust_code(code: str) -> bool:
    """Letters and digits only, up to 20: GIAS codes are numbers ("16702") or group ids ("TR04321")."""
    return bool(_TRUST_CODE.match(normalise_trust_code(code)))


def read_extract(raw: bytes | str, *, trust_code: str | None = None) -> Extract:
    """Read the extract; keep only the rows of `trust_code` when given (a whole-country file is large).

    The header is checked first: every column of `COLUMNS` must be there (in any order, with any others
    beside it; names compared ignoring case and surrounding spaces), else NotAnExtract names the missing
    ones. Rows with no cells at all are skipped. A row shorter than the header reads its missing cells as
    empty. Raises NotAnExtract for an empty file, unreadable text or a row the CSV reader refuses.
    """
    text = decode(raw) if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise NotAnExtract(
            "The file is empty. Download the establishment CSV from Get Information about Schools."
        ) from exc
    except csv.Error as exc:
        raise NotAnExtract(f"Row 1 cannot be read as CSV ({exc}).") from exc
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name.strip().lower(), i)
    missing = [c for c in COLUMNS if c.lower() not in positions]
    if missing:
        raise NotAnExtract(
            "The file is not a GIAS establishment extract: its header row has no "
            + ", ".join(f"“{c}”" for c in missing)
            + f" column{'s' if len(missing) > 1 else ''}. Download “Establishment fields CSV” from Get "
            "Information about Schools and upload it as it is."
        )
    wanted = {c: positions[c.lower()] for c in COLUMNS + OPTIONAL_COLUMNS if c.lower() in positions}
    code = normalise_trust_code(trust_code) if trust_code is not None else None
    code_at = wanted[TRUST_CODE]
    rows: list[RegisterRow] = []
    total = 0
    row_number = 1
    try:
        for raw_row in reader:
            row_number += 1
            if not any(cell.strip() for cell in raw_row):
                continue
            total += 1
            if code is not None and normalise_trust_code(_cell(raw_row, code_at)) != code:
                continue
            rows.append(RegisterRow(row=row_number, cells={c: _cell(raw_row, i) for c, i in wanted.items()}))
    except csv.Error as exc:
        raise NotAnExtract(f"Row {row_number + 1} cannot be read as CSV ({exc}).") from exc
    return Extract(rows=tuple(rows), total_rows=total)


def _cell(raw_row: list[str], i: int) -> str:
    return raw_row[i].strip() if i < len(raw_row) else ""


def rows_of_trust(extract: Extract, trust_code: str) -> list[RegisterRow]:
    """The rows whose `Trusts (code)` is `trust_code` (compared after `normalise_trust_code`)."""
    code = normalise_trust_code(trust_code)
    return [r for r in extract.rows if normalise_trust_code(r.get(TRUST_CODE)) == code]


# ------------------------------------------------------------------------------------------- one row


def school_phase(
    *, phase_name: str, type_name: str, low_age: int | None, high_age: int | None, name: str = ""
) -> str | None:
    """The school phase for a register row, or None when it cannot be told.

    The type comes first: for SEND casework a special school or alternative provision is what matters,
    and GIAS gives most of them the phase "Not applicable".

    >>> school_phase(phase_name="Not applicable", type_name="Academy special converter", low_age=4, high_age=19)
    'special'
    >>> school_phase(phase_name="Secondary", type_name="Free schools alternative provision", low_age=11, high_age=16)
    'alternative'
    >>> school_phase(phase_name="Middle deemed primary", type_name="Academy converter", low_age=8, high_age=12)
    'middle'

    GIAS has no infant or junior phase: both are "Primary". A primary whose pupils leave by 7 is an infant
    school, one whose pupils start at 7 a junior school (`primary_kind`).

    >>> school_phase(phase_name="Primary", type_name="Academy converter", low_age=4, high_age=7)
    'infant'
    >>> school_phase(phase_name="Primary", type_name="", low_age=None, high_age=None, name="Elm Junior School")
    'junior'

    "Not applicable" with no special or AP type (some independent schools, hospital schools) goes by the
    age range: to 5 nursery, from 16 post-16, from 11 secondary, to 12 primary, else all-through.

    >>> school_phase(phase_name="Not applicable", type_name="Other independent school", low_age=3, high_age=18)
    'all_through'
    >>> school_phase(phase_name="Not applicable", type_name="Other independent school", low_age=None, high_age=None)
    """
    kind = " ".join(type_name.lower().split())
    if "special" in kind:
        return Phase.SPECIAL.value
    if "alternative provision" in kind or kind == "pupil referral unit":
        return Phase.ALTERNATIVE.value
    from_phase = PHASES.get(" ".join(phase_name.lower().split()), "unknown")
    if from_phase == Phase.PRIMARY.value:
        return primary_kind(name=name, low_age=low_age, high_age=high_age)
    if from_phase not in (None, "unknown"):
        return from_phase
    if from_phase == "unknown" or low_age is None or high_age is None:
        return None
    if high_age <= 5:
        return Phase.NURSERY.value
    if low_age >= 16:
        return Phase.POST16.value
    if low_age >= 11:
        return Phase.SECONDARY.value
    if high_age <= 12:
        return primary_kind(name=name, low_age=low_age, high_age=high_age)
    return Phase.ALL_THROUGH.value


def primary_kind(*, name: str, low_age: int | None, high_age: int | None) -> str:
    """Infant, junior or primary, for a school GIAS calls primary.

    The ages decide when GIAS gives them: leaving by 7 (4-7, 3-7) is infant; starting at 7 or later
    (7-11) is junior; anything else (3-11, a 4-9 first school) is primary. Without ages the name decides:
    "Infant" (or "Infants") without "Junior" is infant, "Junior" without "Infant" junior; a "Junior and
    Infant School" is a primary, as in the north of England.

    >>> primary_kind(name="Oak Infant School", low_age=3, high_age=7), primary_kind(name="", low_age=7, high_age=11)
    ('infant', 'junior')
    >>> primary_kind(name="St Mary's Junior and Infant School", low_age=None, high_age=None)
    'primary'
    """
    if low_age is not None and high_age is not None:
        if high_age <= 7:
            return Phase.INFANT.value
        if low_age >= 7 and high_age <= 11:
            return Phase.JUNIOR.value
        return Phase.PRIMARY.value
    words = set(re.findall(r"[a-z]+", name.lower()))
    infant = bool(words & {"infant", "infants"})
    junior = bool(words & {"junior", "juniors"})
    if infant and not junior:
        return Phase.INFANT.value
    if junior and not infant:
        return Phase.JUNIOR.value
    return Phase.PRIMARY.value


def parse_age(value: str) -> int | None:
    """A statutory age: a whole number of years from 0 to 25, or None for an empty cell. Raises ValueError.

    >>> parse_age("11"), parse_age(""), parse_age(" 4 ")
    (11, None, 4)
    """
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise ValueError(f"“{value}” is not a whole number of years")
    age = int(value)
    if age > MAX_AGE:
        raise ValueError(f"{age} is above {MAX_AGE}")
    return age


def parse_date(value: str) -> date | None:
    """A GIAS date: dd-mm-yyyy as GIAS writes it, also dd/mm/yyyy (Excel re-saved) or yyyy-mm-dd; None for
    an empty cell. Raises ValueError.

    >>> parse_date("31-08-2026"), parse_date("31/08/2026"), parse_date("2026-08-31"), parse_date("")
    (datetime.date(2026, 8, 31), datetime.date(2026, 8, 31), datetime.date(2026, 8, 31), None)
    """
    value = value.strip()
    if not value:
        return None
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"“{value}” is not a date like 31-08-2026")


def check_row(row: RegisterRow) -> tuple[Establishment | None, list[str]]:
    """The establishment of one row, or None with every problem found in it.

    A closed establishment is read for its URN, status and close date only: the register keeps rows of
    long-closed schools whose other fields are often blank, and onboarding only flags a closed school it
    already has (it never adds one).

    >>> ok, problems = check_row(RegisterRow(row=7, cells={"URN": "12345", "EstablishmentStatus (name)": "Open"}))
    >>> problems[0]
    'Row 7 (URN 12345): the URN is not 6 digits.'
    """
    urn = row.get(URN)
    where = f"Row {row.row} (URN {urn})" if urn else f"Row {row.row} (no URN)"
    problems: list[str] = []
    if not _URN.match(urn):
        problems.append("the URN is not 6 digits." if urn else "the URN is empty.")
    status = STATUSES.get(" ".join(row.get(STATUS).lower().split()))
    if status is None:
        problems.append(
            f"the EstablishmentStatus “{row.get(STATUS)}” is not one GIAS uses (Open; Open, but proposed to "
            "close; Proposed to open; Closed)."
        )
    try:
        closed_on = parse_date(row.get(CLOSE_DATE))
    except ValueError as exc:
        problems.append(f"the CloseDate {exc}.")
        closed_on = None
    closed = status == Status.CLOSED.value
    la_code, number, name, la_name = row.get(LA_CODE), row.get(ESTABLISHMENT_NUMBER), row.get(NAME), row.get(LA_NAME)
    low = high = None
    phase: str | None = None
    if not closed:
        if not _LA_CODE.match(la_code):
            problems.append(f"the LA (code) “{la_code}” is not 3 digits." if la_code else "the LA (code) is empty.")
        if not _ESTABLISHMENT_NUMBER.match(number):
            problems.append(
                f"the EstablishmentNumber “{number}” is not 4 digits."
                if number
                else "the EstablishmentNumber is empty (the DfE number is the LA code and this number)."
            )
        if not name:
            problems.append("the EstablishmentName is empty.")
        elif len(name) > 200:
            problems.append("the EstablishmentName is longer than 200 characters.")
        if not la_name:
            problems.append("the LA (name) is empty.")
        elif len(la_name) > 100:
            problems.append("the LA (name) is longer than 100 characters.")
        if len(row.get(TYPE)) > 100:
            problems.append("the TypeOfEstablishment is longer than 100 characters.")
        ages_ok = True
        for column in (LOW_AGE, HIGH_AGE):
            try:
                age = parse_age(row.get(column))
            except ValueError as exc:
                problems.append(f"the {column} {exc}.")
                ages_ok = False
                continue
            if column == LOW_AGE:
                low = age
            else:
                high = age
        if low is not None and high is not None and low > high:
            problems.append(f"the StatutoryLowAge {low} is above the StatutoryHighAge {high}.")
            ages_ok = False
        phase = school_phase(phase_name=row.get(PHASE), type_name=row.get(TYPE), low_age=low, high_age=high, name=name)
        if phase is None and ages_ok:
            known = " ".join(row.get(PHASE).lower().split()) in PHASES
            problems.append(
                "the phase cannot be told: PhaseOfEducation is “Not applicable” and the statutory ages are empty."
                if known
                else f"the PhaseOfEducation “{row.get(PHASE)}” is not one GIAS uses "
                "(Nursery, Primary, Middle deemed primary, Middle deemed secondary, Secondary, All-through, "
                "16 plus, Not applicable)."
            )
    if problems:
        return None, [f"{where}: {p}" for p in problems]
    return (
        Establishment(
            row=row.row,
            urn=urn,
            la_code=la_code,
            la_name=la_name,
            establishment_number=number,
            name=name,
            establishment_type=row.get(TYPE),
            status=str(status),
            phase=phase,
            low_age=low,
            high_age=high,
            trust_code=normalise_trust_code(row.get(TRUST_CODE)),
            trust_name=" ".join(row.get(TRUST_NAME).split()),
            closed_on=closed_on,
        ),
        [],
    )


def check_rows(rows: Iterable[RegisterRow]) -> Checked:
    """Every row checked, and the same URN twice reported (the second row names the first)."""
    result = Checked()
    first_row: dict[str, int] = {}
    for row in rows:
        establishment, problems = check_row(row)
        result.problems += problems
        if establishment is None:
            continue
        if establishment.urn in first_row:
            result.problems.append(
                f"Row {row.row} (URN {establishment.urn}): the same URN is on row {first_row[establishment.urn]}."
            )
            continue
        first_row[establishment.urn] = row.row
        result.establishments.append(establishment)
    return result
