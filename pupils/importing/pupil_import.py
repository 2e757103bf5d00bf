"""Importing pupils: a plan of what a file changes (written nothing), then the import of its good rows in bulk."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from trusts import audit
from trusts.models import School, User

from ..models import GroupMember, Pupil
from ..moves import record_move
from ..upn import is_temporary
from ._common import _from, _plural, _upn_problems
from .cells import parse_date, parse_flag, parse_gender, parse_year
from .files import FLAG_FIELDS, PUPIL_COLUMNS, TEXT_LIMITS, FileProblem, Problem, Table, read_table

TEMPORARY_UPN_REGEX = r"[A-Z]$"


def _chunks(items: Sequence[str], size: int = 5000) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class PupilChange:
    row: int
    pupil: Pupil
    changes: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    moved_from: str = ""
    replaced_upn: str = ""
    # The admission date before the file's values: the move is checked against the old school's date.
    old_admission: date | None = None


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
    change = PupilChange(0, pupil, old_admission=pupil.admission_date)
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
        # Not set here: the import moves the pupil through pupils.moves.record_move, with their casework.
        change.moved_from = pupil.school.name
        change.changes.append(f"School: {pupil.school.name} → {school.name}")
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


def _move(change: PupilChange, *, school: School, actor: User | None, today: date, file_has_admission: bool) -> None:
    """A pupil of another school of the trust is in this school's file: they moved here, with their casework
    (register, cycles, plans, reviews, deadlines, documents). The move date is the file's admission date
    when it is a new one (later than at the old school, not in the future), else today."""
    admitted, joined_before = change.pupil.admission_date, change.old_admission
    is_new = admitted is not None and admitted <= today and (joined_before is None or admitted > joined_before)
    moved_on = admitted if is_new and admitted is not None else today
    try:
        record_move(pupil=change.pupil, to_school=school, moved_on=moved_on, actor=actor, source="MIS import")
    except ValidationError as exc:
        raise FileProblem(
            f"Row {change.row}: {change.pupil.legal_forename} {change.pupil.legal_surname} could not be moved to "
            f"{school.name} ({' '.join(exc.messages)}). Nothing was saved."
        ) from exc
    # The bulk update below writes what the file says, or keeps the move date the move has just set.
    if file_has_admission:
        change.fields.add("admission_date")
    else:
        change.pupil.admission_date = moved_on


def import_pupils(
    *, school: School, content: bytes, full: bool = False, actor: User | None, source: str = ""
) -> PupilPlan:
    """Import a pupils file into `school`: create, update and move pupils; with `full`, list possible leavers.

    Plans again (the database may have changed since a preview) and writes every good row in one
    transaction; bad rows are left out and reported in the returned plan. A pupil of another school of the
    trust moves here through `pupils.moves.record_move`: their casework follows them and they leave their old
    school's teaching groups. Audited with a summary of the counts. Never deletes a pupil.
    """
    try:
        with transaction.atomic():
            plan = plan_pupil_import(school=school, content=content, full=full)
            now = timezone.now()
            Pupil.objects.bulk_create([c.pupil for c in plan.created], batch_size=500)
            moved_ids = [c.pupil.pk for c in plan.moved]
            if moved_ids:
                plan.left_old_groups = (
                    GroupMember.objects.filter(pupil_id__in=moved_ids).exclude(group__school=school).count()
                )
            for change in plan.moved:
                _move(
                    change,
                    school=school,
                    actor=actor,
                    today=timezone.localdate(),
                    file_has_admission="admission_date" in plan.table.headings,
                )
            updated = [c.pupil for c in plan.updated]
            for pupil in updated:
                pupil.updated_at = now
            if updated:
                fields = sorted(set().union(*(c.fields for c in plan.updated)))
                Pupil.objects.bulk_update(updated, [*fields, "updated_at"], batch_size=200)
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
