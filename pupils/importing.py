"""MIS import: pupils and teaching groups from the CSV files SIMS, Arbor and Bromcom export.

Reading a file (decoding, headings, cells) needs no database. `plan_*` compares a file with the
database and writes nothing: the preview page and `--dry-run` show a plan. `import_*` plans again
inside one transaction and writes the good rows in bulk, so a file is never half-imported and a
5,000-row file costs a handful of queries, not one per row. User documentation: docs/imports.md.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trusts import audit
from trusts.models import Membership, Role, School, User

from .models import GroupMember, GroupStaff, Pupil, TeachingGroup
from .upn import InvalidUPN, is_temporary, validate_upn

MAX_FILE_BYTES = 10 * 1024 * 1024
UPLOAD_DIR = "imports"
UPLOAD_LIFETIME = timedelta(days=1)
DATE_FORMATS_HINT = "write dates as DD/MM/YYYY (14/03/2017) or YYYY-MM-DD (2017-03-14)"
TEMPORARY_UPN_REGEX = r"[A-Z]$"


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
TRUE_WORDS = {"y", "yes", "true", "1"}
FALSE_WORDS = {"", "n", "no", "false", "0"}
GENDERS = {"f": "F", "female": "F", "m": "M", "male": "M"}
# Keys are normalised (lower case, no spaces): "Year 4" -> "year4".
YEARS: dict[str, str] = {"r": "R", "yr": "R", "yearr": "R", "rec": "R", "reception": "R"}
for _n in (1, 2):
    YEARS.update({f"n{_n}": f"N{_n}", f"nursery{_n}": f"N{_n}", f"yearn{_n}": f"N{_n}"})
for _y in range(1, 15):
    YEARS.update({str(_y): str(_y), f"0{_y}": str(_y), f"y{_y}": str(_y), f"year{_y}": str(_y)})


def normalise_heading(text: str) -> str:
    """Headings match whatever their case, spaces and punctuation: "Date of Birth" == "dateofbirth"."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


# ---------------------------------------------------------------------------------------- cells


def parse_date(text: str) -> date:
    """A date written DD/MM/YYYY (also with - or .) or YYYY-MM-DD; a midnight time after it is ignored."""
    value = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?", value)
    dmy = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?", value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month, year = (int(g) for g in dmy.groups())
    elif re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", value):
        raise ValueError(f"'{value}' has a two-digit year: write the year in full, for example 14/03/2017.")
    else:
        raise ValueError(f"'{value}' is not a date: {DATE_FORMATS_HINT}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date: check the day and the month.") from None


def parse_flag(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{text.strip()}' is not yes or no: use Y or N (Yes, No, True, False, 1 or 0 also work).")


def parse_gender(text: str) -> str:
    code = GENDERS.get(text.strip().casefold())
    if code is None:
        raise ValueError(f"'{text.strip()}' is not a gender code: use F or M (or Female, Male).")
    return code


def parse_year(text: str) -> str:
    code = YEARS.get(re.sub(r"\s+", "", text.casefold()))
    if code is None:
        raise ValueError(
            f"'{text.strip()}' is not a year group: use N1, N2, R (Reception) or 1 to 14 (for example Year 4)."
        )
    return code


# ---------------------------------------------------------------------------------------- files


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


def _chunks(items: Sequence[str], size: int = 5000) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upn_problems(table: Table) -> tuple[dict[int, str], list[Problem]]:
    """Each row's valid UPN, and problems for invalid ones and for UPNs that appear on several rows."""
    upns: dict[int, str] = {}
    problems: list[Problem] = []
    heading = table.headings["upn"]
    for row, cells in table.rows:
        try:
            upns[row] = validate_upn(cells["upn"])
        except InvalidUPN as exc:
            problems.append(Problem(row, heading, str(exc)))
    return upns, problems


# ---------------------------------------------------------------------------------------- pupils


@dataclass
class PupilChange:
    row: int
    pupil: Pupil
    changes: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    moved_from: str = ""
    replaced_upn: str = ""


@dataclass
class PupilPlan:
    """What a pupils file would do to the school; nothing is written until `import_pupils`."""

    school: School
    full: bool
    table: Table
    problems: list[Problem] = field(default_factory=list)
    created: list[PupilChange] = field(default_factory=list)
    updated: list[PupilChange] = field(default_factory=list)
    unchanged: int = 0
    new_leavers: list[Pupil] = field(default_factory=list)
    listed_leavers: int = 0
    on_roll: int = 0
    left_old_groups: int = 0

    @property
    def rows_not_imported(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def moved(self) -> list[PupilChange]:
        return [c for c in self.updated if c.moved_from]

    @property
    def replaced(self) -> list[PupilChange]:
        return [c for c in self.updated if c.replaced_upn]

    @property
    def leaver_warning(self) -> str:
        """Most of the school missing from a full file usually means the wrong file or the wrong school."""
        leavers = len(self.new_leavers) + self.listed_leavers
        if leavers > 10 and leavers * 2 > self.on_roll:
            return (
                f"{leavers} of the {self.on_roll} pupils on roll at {self.school.name} are not in this file. "
                "Check that it is the full list for this school before you import it."
            )
        return ""

    def summary(self) -> str:
        parts = [f"{len(self.created)} created, {len(self.updated)} updated, {self.unchanged} unchanged"]
        if self.rows_not_imported:
            parts.append(_plural(self.rows_not_imported, "row") + " not imported")
        if self.moved:
            parts.append(f"{_plural(len(self.moved), 'pupil')} moved from another school")
        if self.replaced:
            parts.append(_plural(len(self.replaced), "temporary UPN") + " replaced")
        if self.full:
            parts.append(_plural(len(self.new_leavers) + self.listed_leavers, "possible leaver"))
        return "; ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


_FIELD_LABELS = {
    "legal_surname": "legal surname",
    "legal_forename": "legal forename",
    "preferred_forename": "preferred forename",
    "date_of_birth": "date of birth",
    "gender": "gender",
    "year_group": "year group",
    "reg_group": "registration group",
    "admission_date": "admission date",
    "eal": "EAL",
    "fsm": "FSM",
    "pupil_premium": "pupil premium",
    "looked_after": "looked after",
}


def _show(value: Any) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


_PARSERS = {
    "date_of_birth": parse_date,
    "admission_date": parse_date,
    "gender": parse_gender,
    "year_group": parse_year,
    **{f: parse_flag for f in FLAG_FIELDS},
}
_REQUIRED_PUPIL_FIELDS = {c.field for c in PUPIL_COLUMNS if c.required}


def _clean_pupil_row(
    row: int, cells: dict[str, str], table: Table, today: date
) -> tuple[dict[str, Any], list[Problem]]:
    """The row's values by model field (only for the columns the file has) and its problems."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, heading in table.headings.items():
        if name == "upn":
            continue
        cell, label = cells[name], _FIELD_LABELS[name]
        if not cell:
            if name in _REQUIRED_PUPIL_FIELDS:
                problems.append(Problem(row, heading, f"The {label} is blank: every pupil needs one."))
            else:
                values[name] = False if name in FLAG_FIELDS else None if name == "admission_date" else ""
            continue
        limit = TEXT_LIMITS.get(name)
        if limit and len(cell) > limit:
            problems.append(Problem(row, heading, f"The {label} is longer than {limit} characters."))
            continue
        parser = _PARSERS.get(name)
        try:
            values[name] = parser(cell) if parser else cell
        except ValueError as exc:
            problems.append(Problem(row, heading, str(exc)))
    born, admitted = values.get("date_of_birth"), values.get("admission_date")
    if born and born > today:
        problems.append(
            Problem(row, table.headings["date_of_birth"], f"The date of birth {_show(born)} is in the future.")
        )
    elif born and admitted and admitted < born:
        problems.append(
            Problem(
                row,
                table.headings["admission_date"],
                f"The admission date {_show(admitted)} is before the date of birth {_show(born)}.",
            )
        )
    return values, problems


def _from(source: str) -> str:
    return f" from {source}" if source else ""


def _name_key(surname: str, forename: str, born: date) -> tuple[str, str, date]:
    return (surname.strip().casefold(), forename.strip().casefold(), born)


def plan_pupil_import(*, school: School, content: bytes, full: bool = False) -> PupilPlan:
    """Compare a pupils file with the trust's pupils; write nothing.

    Upserts by UPN within the trust (a pupil of another school of the trust moves here); a new UPN
    whose legal names and date of birth match a pupil with a temporary UPN replaces that UPN. With
    `full`, on-roll pupils of the school missing from the file become possible leavers.
    Raises FileProblem when the whole file is unusable.
    """
    table = read_table(content, PUPIL_COLUMNS)
    plan = PupilPlan(school=school, full=full, table=table)
    today = timezone.localdate()
    upns, plan.problems = _upn_problems(table)
    seen = Counter(upns.values())
    rows_of: dict[str, list[int]] = defaultdict(list)
    for row, valid_upn in upns.items():
        rows_of[valid_upn].append(row)
    cleaned: list[tuple[int, str, dict[str, Any]]] = []
    for row, cells in table.rows:
        values, problems = _clean_pupil_row(row, cells, table, today)
        upn = upns.get(row)
        if upn and seen[upn] > 1:
            others = [str(r) for r in rows_of[upn] if r != row]
            where = f"row {others[0]}" if len(others) == 1 else f"rows {', '.join(others)}"
            message = f"UPN {upn} is also on {where}: keep one row per pupil."
            problems.insert(0, Problem(row, table.headings["upn"], message))
        plan.problems += problems
        if upn and not problems:
            cleaned.append((row, upn, values))

    existing = _existing_pupils(school=school, upns=sorted(seen))
    temporary = {
        _name_key(p.legal_surname, p.legal_forename, p.date_of_birth): p
        for p in existing.values()
        if is_temporary(p.upn) and p.upn not in seen
    }
    claimed: dict[int, int] = {}
    for row, upn, values in cleaned:
        pupil = existing.get(upn)
        replaced = ""
        if pupil is None:
            match = temporary.get(_name_key(values["legal_surname"], values["legal_forename"], values["date_of_birth"]))
            if match is not None and match.pk in claimed:
                message = (
                    f"Row {claimed[match.pk]} already gives a new UPN to {match.legal_forename} "
                    f"{match.legal_surname} (same names and date of birth): keep one row per pupil."
                )
                plan.problems.append(Problem(row, table.headings["upn"], message))
                continue
            if match is not None:
                pupil, replaced = match, match.upn
                claimed[match.pk] = row
        if pupil is None:
            plan.created.append(PupilChange(row, _new_pupil(school, upn, values)))
            continue
        change = _apply_values(pupil, values, school=school, upn=upn, today=today)
        change.row, change.replaced_upn = row, replaced
        if change.changes:
            plan.updated.append(change)
        else:
            plan.unchanged += 1
    if full:
        # Every UPN written in the file counts, even on a bad row: a typo must not make a leaver.
        in_file = {normalise_upn(cells["upn"]) for _, cells in table.rows}
        for pupil in existing.values():
            if pupil.school_id != school.pk or pupil.leaving_date is not None:
                continue
            plan.on_roll += 1
            if pupil.upn in in_file:
                continue
            if pupil.possible_leaver_since is None:
                plan.new_leavers.append(pupil)
            else:
                plan.listed_leavers += 1
        plan.new_leavers.sort(key=lambda p: (p.legal_surname, p.legal_forename))
    plan.problems.sort(key=lambda p: p.row)
    return plan


def normalise_upn(text: str) -> str:
    return text.strip().upper()


def _existing_pupils(*, school: School, upns: list[str]) -> dict[str, Pupil]:
    """The trust's pupils with these UPNs, every pupil of the school, and every temporary UPN of the trust.

    Two queries for up to 5,000 rows; UPNs go in chunks so a 10 MB file stays within database limits.
    """
    base = Pupil.objects.filter(trust_id=school.trust_id).select_related("school")
    found = {p.upn: p for p in base.filter(Q(school=school) | Q(upn__regex=TEMPORARY_UPN_REGEX))}
    for chunk in _chunks([u for u in upns if u not in found]):
        found.update((p.upn, p) for p in base.filter(upn__in=chunk))
    return found


def _new_pupil(school: School, upn: str, values: dict[str, Any]) -> Pupil:
    return Pupil(trust_id=school.trust_id, school=school, upn=upn, **values)


def _apply_values(pupil: Pupil, values: dict[str, Any], *, school: School, upn: str, today: date) -> PupilChange:
    """Set the file's values on an existing pupil (in memory only) and say what changed."""
    change = PupilChange(0, pupil)
    if pupil.upn != upn:
        change.changes.append(f"UPN: {pupil.upn} (temporary) → {upn}")
        change.fields |= {"upn", "former_upn"}
        pupil.former_upn, pupil.upn = pupil.upn, upn
    for name, value in values.items():
        old = getattr(pupil, name)
        if old != value:
            label = _FIELD_LABELS[name]
            change.changes.append(f"{label[0].upper()}{label[1:]}: {_show(old)} → {_show(value)}")
            change.fields.add(name)
            setattr(pupil, name, value)
    if pupil.school_id != school.pk:
        change.moved_from = pupil.school.name
        change.changes.append(f"School: {pupil.school.name} → {school.name}")
        change.fields.add("school")
        pupil.school = school
    # In the file means on roll; a leaving date still to come is kept (the MIS lists them until they go).
    if pupil.leaving_date is not None and pupil.leaving_date <= today:
        change.changes.append(f"Back on roll: leaving date {_show(pupil.leaving_date)} cleared")
        change.fields.add("leaving_date")
        pupil.leaving_date = None
    if pupil.possible_leaver_since is not None:
        change.changes.append("No longer a possible leaver")
        change.fields.add("possible_leaver_since")
        pupil.possible_leaver_since = None
    return change


def import_pupils(
    *, school: School, content: bytes, full: bool = False, actor: User | None, source: str = ""
) -> PupilPlan:
    """Import a pupils file into `school`: create, update and move pupils; with `full`, list possible leavers.

    Plans again (the database may have changed since a preview) and writes every good row in one
    transaction; bad rows are left out and reported in the returned plan. Moving pupils leave their
    old school's teaching groups. Audited with a summary of the counts. Never deletes a pupil.
    """
    try:
        with transaction.atomic():
            plan = plan_pupil_import(school=school, content=content, full=full)
            now = timezone.now()
            Pupil.objects.bulk_create([c.pupil for c in plan.created], batch_size=500)
            updated = [c.pupil for c in plan.updated]
            for pupil in updated:
                pupil.updated_at = now
            if updated:
                fields = sorted(set().union(*(c.fields for c in plan.updated)))
                Pupil.objects.bulk_update(updated, [*fields, "updated_at"], batch_size=200)
            moved_ids = [c.pupil.pk for c in plan.moved]
            if moved_ids:
                plan.left_old_groups, _ = (
                    GroupMember.objects.filter(pupil_id__in=moved_ids).exclude(group__school=school).delete()
                )
            if plan.new_leavers:
                Pupil.objects.filter(pk__in=[p.pk for p in plan.new_leavers]).update(
                    possible_leaver_since=timezone.localdate(), updated_at=now
                )
            audit.record(
                actor=actor,
                action=audit.Action.CHANGE,
                obj=school,
                summary=f"Pupils imported{' (full)' if full else ''}{_from(source)}: {plan.summary()}",
            )
    except IntegrityError as exc:
        raise FileProblem(
            "Someone else changed these pupils while the file was being imported. Nothing was saved: try again."
        ) from exc
    return plan


# ---------------------------------------------------------------------------------------- leavers


def possible_leavers(*, school: School) -> QuerySet[Pupil]:
    """Pupils of the school listed as possible leavers by a full import and not yet decided."""
    return Pupil.objects.filter(school=school, possible_leaver_since__isnull=False, leaving_date=None).order_by(
        "legal_surname", "legal_forename", "pk"
    )


def possible_leaver_counts(*, schools: Sequence[School]) -> dict[int, int]:
    rows = (
        Pupil.objects.filter(school__in=schools, possible_leaver_since__isnull=False, leaving_date=None)
        .values("school")
        .annotate(n=Count("pk"))
    )
    return {r["school"]: r["n"] for r in rows}


# Apps above pupils register what follows a pupil leaving (ehcp opens C1 for a pupil on the SEN register).
# Each is called inside confirm_leaver's transaction as hook(pupil=..., left_on=..., actor=...).
PUPIL_LEFT_HOOKS: list[Any] = []


@transaction.atomic
def confirm_leaver(*, pupil: Pupil, leaving_date: date, actor: User | None) -> Pupil:
    """The pupil has left: set their leaving date and take them off the possible-leavers list. Audited;
    then every PUPIL_LEFT_HOOKS entry runs (for example the records-transfer deadline C1).

    Raises ValidationError for a date in the future or before the pupil joined.
    """
    if leaving_date > timezone.localdate():
        raise ValidationError(
            "The leaving date cannot be in the future: confirm the leaver on or after the day they leave."
        )
    if pupil.admission_date and leaving_date < pupil.admission_date:
        raise ValidationError(f"The leaving date is before the pupil joined ({pupil.admission_date:%d/%m/%Y}).")
    pupil.leaving_date, pupil.possible_leaver_since = leaving_date, None
    pupil.save(update_fields=["leaving_date", "possible_leaver_since", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"Confirmed as a leaver, leaving date {leaving_date:%d/%m/%Y}",
    )
    for hook in PUPIL_LEFT_HOOKS:
        hook(pupil=pupil, left_on=leaving_date, actor=actor)
    return pupil


@transaction.atomic
def keep_on_roll(*, pupil: Pupil, actor: User | None) -> Pupil:
    """The pupil is still in school: take them off the possible-leavers list. Audited."""
    pupil.possible_leaver_since = None
    pupil.save(update_fields=["possible_leaver_since", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="Not a leaver: still in school",
    )
    return pupil


# ---------------------------------------------------------------------------------------- groups


@dataclass
class GroupPlan:
    """What a teaching groups file would do: new groups, pupils added to groups, staff added or changed."""

    school: School
    table: Table
    problems: list[Problem] = field(default_factory=list)
    new_groups: list[TeachingGroup] = field(default_factory=list)
    new_members: list[GroupMember] = field(default_factory=list)
    new_staff: list[GroupStaff] = field(default_factory=list)
    changed_staff: list[GroupStaff] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows_not_imported(self) -> int:
        return len({p.row for p in self.problems})

    def summary(self) -> str:
        parts = [f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"]
        if self.rows_not_imported:
            parts.append(_plural(self.rows_not_imported, "row") + " not imported")
        if self.new_groups:
            parts.append(_plural(len(self.new_groups), "new group"))
        if self.new_staff or self.changed_staff:
            parts.append(_plural(len(self.new_staff) + len(self.changed_staff), "staff link") + " added or changed")
        return "; ".join(parts)


GROUP_ROLE_OF = {
    Role.TEACHER: GroupStaff.Role.TEACHER,
    Role.SENCO: GroupStaff.Role.TEACHER,
    Role.TEACHING_ASSISTANT: GroupStaff.Role.TA,
}


def _staff_of(school: School) -> dict[str, tuple[User, str]]:
    """Email -> (user, group role) for the school's teachers, TAs and SENCOs; a teacher role wins over TA."""
    staff: dict[str, tuple[User, str]] = {}
    memberships = Membership.objects.filter(
        school=school, role__in=list(GROUP_ROLE_OF), user__trust_id=school.trust_id, user__is_active=True
    ).select_related("user")
    for m in memberships:
        role = GROUP_ROLE_OF[Role(m.role)]
        key = m.user.email.casefold()
        if key not in staff or role == GroupStaff.Role.TEACHER:
            staff[key] = (m.user, role)
    return staff


def plan_group_import(*, school: School, content: bytes) -> GroupPlan:
    """Compare a teaching groups file with the school's groups; write nothing.

    Each row puts a pupil of the school in a group (created if new) and, if an email is given, links
    a teacher, TA or SENCO of the school to the group; their membership role decides teacher or TA.
    Nothing is ever removed. Raises FileProblem when the whole file is unusable.
    """
    table = read_table(content, GROUP_COLUMNS)
    plan = GroupPlan(school=school, table=table)
    upns, plan.problems = _upn_problems(table)
    pupils = dict(Pupil.objects.filter(school=school).values_list("upn", "pk"))
    groups = {g.name.casefold(): g for g in TeachingGroup.objects.filter(school=school)}
    members = set(GroupMember.objects.filter(group__school=school).values_list("group_id", "pupil_id"))
    staff_links = {(s.group_id, s.user_id): s for s in GroupStaff.objects.filter(group__school=school)}
    staff = _staff_of(school) if "teacher_email" in table.headings else {}
    new_members: set[tuple[str, int]] = set()
    new_staff: dict[tuple[str, int], GroupStaff] = {}
    for row, cells in table.rows:
        problems: list[Problem] = []
        upn, name = upns.get(row), cells["group"]
        pupil_id = pupils.get(upn or "")
        if upn and pupil_id is None:
            problems.append(
                Problem(
                    row,
                    table.headings["upn"],
                    f"No pupil of {school.name} has UPN {upn}: import the pupils file first.",
                )
            )
        if not name:
            problems.append(Problem(row, table.headings["group"], "The group is blank: give the group's name."))
        elif len(name) > TEXT_LIMITS["group"]:
            problems.append(Problem(row, table.headings["group"], "The group name is longer than 50 characters."))
        email = cells.get("teacher_email", "").casefold()
        person = staff.get(email) if email else None
        if email and person is None:
            problems.append(
                Problem(
                    row,
                    table.headings["teacher_email"],
                    f"{email} is not a teacher, teaching assistant or SENCO at {school.name}: "
                    "check the address, or give them a role in the school first.",
                )
            )
        plan.problems += problems
        if problems or upn is None or pupil_id is None:
            continue
        key = name.casefold()
        group = groups.get(key)
        if group is None:
            group = groups[key] = TeachingGroup(trust_id=school.trust_id, school=school, name=name)
            plan.new_groups.append(group)
        outcome = "unchanged"
        if group.pk is None or (group.pk, pupil_id) not in members:
            if (key, pupil_id) not in new_members:
                new_members.add((key, pupil_id))
                plan.new_members.append(GroupMember(trust_id=school.trust_id, group=group, pupil_id=pupil_id))
                outcome = "created"
        if person is not None:
            user, role = person
            link = staff_links.get((group.pk, user.pk)) if group.pk else None
            if link is None and (key, user.pk) not in new_staff:
                new_staff[(key, user.pk)] = GroupStaff(trust_id=school.trust_id, group=group, user=user, role=role)
                outcome = "updated" if outcome == "unchanged" else outcome
            elif link is not None and link.role != role:
                link.role = role
                plan.changed_staff.append(link)
                outcome = "updated" if outcome == "unchanged" else outcome
        setattr(plan, outcome, getattr(plan, outcome) + 1)
    plan.new_staff = list(new_staff.values())
    plan.problems.sort(key=lambda p: p.row)
    return plan


def import_groups(*, school: School, content: bytes, actor: User | None, source: str = "") -> GroupPlan:
    """Import a teaching groups file into `school`: new groups, pupils added to groups, staff linked.

    Plans again and writes every good row in one transaction; bad rows are reported in the returned plan.
    Audited with a summary of the counts. Never removes a pupil or a member of staff from a group.
    """
    try:
        with transaction.atomic():
            plan = plan_group_import(school=school, content=content)
            TeachingGroup.objects.bulk_create(plan.new_groups)
            GroupMember.objects.bulk_create(plan.new_members, batch_size=500)
            GroupStaff.objects.bulk_create(plan.new_staff, batch_size=500)
            if plan.changed_staff:
                GroupStaff.objects.bulk_update(plan.changed_staff, ["role"], batch_size=500)
            audit.record(
                actor=actor,
                action=audit.Action.CHANGE,
                obj=school,
                summary=f"Teaching groups imported{_from(source)}: {plan.summary()}",
            )
    except IntegrityError as exc:
        raise FileProblem(
            "Someone else changed these groups while the file was being imported. Nothing was saved: try again."
        ) from exc
    return plan


# ---------------------------------------------------------------------------------------- uploads


def store_upload(content: bytes) -> str:
    """Keep an uploaded file for its preview under a random name; return that name. Tidies up old uploads."""
    delete_stale_uploads()
    return default_storage.save(f"{UPLOAD_DIR}/{secrets.token_hex(16)}.csv", ContentFile(content))


def load_upload(name: str) -> bytes | None:
    """The stored file's content, or None if it has gone (imported, tidied up or never there)."""
    if not name.startswith(f"{UPLOAD_DIR}/") or ".." in name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def discard_upload(name: str) -> None:
    if name.startswith(f"{UPLOAD_DIR}/") and ".." not in name:
        default_storage.delete(name)


def delete_stale_uploads() -> int:
    """Delete uploads waiting longer than UPLOAD_LIFETIME for their confirmation (they hold pupils' personal
    data); returns how many. Run on every new upload and daily by Celery beat."""
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - UPLOAD_LIFETIME
    deleted = 0
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return deleted
