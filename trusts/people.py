"""People: the trust runs its own staff. Who may give which role, invitations, changing and ending roles,
deactivating a leaver, and the staff CSV import.

Rules (each refusal says which):
- the inclusion lead manages everyone in the trust and may give any staff role, trust-wide or in any
  school; a headteacher manages their own school and may give SENCO, teacher and teaching assistant
  roles there. Nobody gives a role above their own (`GRANTABLE`).
- the trust always keeps at least one active inclusion lead.
- parents are never made here: they come through a pupil's record (an invitation to the address).
- nothing crosses trusts: people are found in the actor's trust only, and an address already used
  elsewhere gets an invitation like any other (its owner alone learns it cannot be accepted).
Every change is audited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from . import audit
from .hooks import Hooks
from .invitations import create_invitation
from .models import TRUST_WIDE_ROLES, Invitation, Membership, Role, School, User
from .permissions import can, memberships_of

STAFF_ROLE_ORDER = [
    Role.INCLUSION_LEAD,
    Role.TRUSTEE,
    Role.HEADTEACHER,
    Role.SENCO,
    Role.TEACHER,
    Role.TEACHING_ASSISTANT,
    Role.GOVERNOR,
]
GRANTABLE: dict[str, frozenset[str]] = {
    Role.INCLUSION_LEAD: frozenset(STAFF_ROLE_ORDER),
    Role.HEADTEACHER: frozenset({Role.SENCO, Role.TEACHER, Role.TEACHING_ASSISTANT}),
}

# Called when a person is deactivated, inside the same transaction: each ends what the person holds in a
# higher app (e.g. `pupils` ends their per-pupil grants). hook(person=..., actor=...) -> a summary line.
PERSON_DEACTIVATED_HOOKS: Hooks[Callable[..., str]] = Hooks(
    "trusts.people.PERSON_DEACTIVATED_HOOKS",
    rule="deactivating a person ends their per-pupil access",
    filled_by="pupils",
)


# ------------------------------------------------------------------------------------------- who may


def may_give(actor: User, role: str, school: School | None) -> bool:
    """May `actor` give `role` (at `school`, or trust-wide when None)?"""
    for m in memberships_of(actor):
        if role not in GRANTABLE.get(m.role, frozenset()):
            continue
        if m.role in TRUST_WIDE_ROLES:
            return True
        if school is not None and m.school_id == school.pk and Role(role) not in TRUST_WIDE_ROLES:
            return True
    return False


def grantable_choices(actor: User) -> list[tuple[str, str]]:
    roles: set[str] = set()
    for m in memberships_of(actor):
        roles |= GRANTABLE.get(m.role, frozenset())
    return [(r.value, r.label) for r in STAFF_ROLE_ORDER if r in roles]


def manageable_schools(actor: User) -> list[School]:
    from .permissions import schools_where

    return schools_where(actor, "people.manage")


def may_manage_membership(actor: User, membership: Membership) -> bool:
    return may_give(actor, membership.role, membership.school)


def may_manage_person(actor: User, person: User) -> bool:
    """Every staff role the person holds is one the actor could give (so a head cannot touch the lead)."""
    if person.trust_id != actor.trust_id or person.pk == actor.pk:
        return False
    staff = [m for m in memberships_of(person) if m.role != Role.PARENT]
    return bool(staff) and all(may_manage_membership(actor, m) for m in staff)


# ------------------------------------------------------------------------------------------- reads


def people_visible_to(user: User) -> QuerySet[User]:
    """Staff of the actor's trust they manage: the whole trust for the inclusion lead, their school's staff
    for a headteacher. With memberships, last sign-in and whether MFA is set up (three queries a page)."""
    from allauth.mfa.models import Authenticator

    schools = manageable_schools(user)
    if not schools and not can(user, "people.manage"):
        return User.objects.none()
    staff = Membership.objects.exclude(role=Role.PARENT)
    if not any(m.role in TRUST_WIDE_ROLES and "people.manage" in _actions(m.role) for m in memberships_of(user)):
        staff = staff.filter(school__in=schools)
    return (
        User.objects.filter(trust_id=int(user.trust_id or 0), pk__in=staff.values("user_id"))
        .annotate(has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type="totp")))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.exclude(role=Role.PARENT).select_related("school").order_by("role"),
                to_attr="staff_memberships",
            )
        )
        .order_by("-is_active", "full_name", "email")
    )


def _actions(role: str) -> frozenset[str]:
    from .permissions import ROLE_ACTIONS

    return ROLE_ACTIONS.get(role, frozenset())


def pending_staff_invitations(user: User) -> QuerySet[Invitation]:
    schools = manageable_schools(user)
    pending = Invitation.objects.filter(
        kind=Invitation.Kind.STAFF, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("school", "invited_by")
    if not any(m.role == Role.INCLUSION_LEAD for m in memberships_of(user)):
        pending = pending.filter(school__in=schools)
    return pending.order_by("-created_at")


def active_inclusion_leads(trust_id: int) -> QuerySet[Membership]:
    return Membership.objects.filter(trust_id=trust_id, role=Role.INCLUSION_LEAD, user__is_active=True)


# ------------------------------------------------------------------------------------------- writes


def _check_roles(actor: User, roles: list[tuple[str, School | None]]) -> list[tuple[Role, School | None]]:
    checked: list[tuple[Role, School | None]] = []
    problems: list[str] = []
    if not roles:
        problems.append("Choose at least one role.")
    for role_value, school in roles:
        try:
            role = Role(role_value)
        except ValueError:
            problems.append(f"“{role_value}” is not a role. Choose one from the list.")
            continue
        if role == Role.PARENT:
            problems.append("Parents are invited from their child's record, not here.")
            continue
        if role in TRUST_WIDE_ROLES:
            school = None
        elif school is None:
            problems.append(f"A {role.label.lower()} works in a school: choose the school.")
            continue
        if school is not None and school.trust_id != actor.trust_id:
            problems.append("Choose one of your trust's schools.")
            continue
        if not may_give(actor, role, school):
            where = f" at {school.name}" if school else ""
            problems.append(
                f"You cannot give the {role.label.lower()} role{where}: it is above your own or outside your school."
            )
            continue
        checked.append((role, school))
    if problems:
        raise ValidationError(problems)
    return checked


@transaction.atomic
def invite_staff(
    *, actor: User, email: str, full_name: str, roles: list[tuple[str, School | None]]
) -> Invitation | list[Membership]:
    """Invite a member of staff with these roles, or give the roles straight away to someone already in
    the trust (they are told). Returns the invitation, or the memberships added. Raises ValidationError
    with every problem at once."""
    if not can(actor, "people.manage") and not manageable_schools(actor):
        raise ValidationError("You cannot manage people.")
    email = (email or "").strip().lower()
    full_name = " ".join((full_name or "").split())
    problems: list[str] = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append("Enter an email address in the correct format, like name@school.org.uk.")
    if not full_name:
        problems.append("Enter the person's full name.")
    elif len(full_name) > 150:
        problems.append("Keep the name to 150 characters or fewer.")
    try:
        checked = _check_roles(actor, roles)
    except ValidationError as exc:
        problems += exc.messages
        checked = []
    if problems:
        raise ValidationError(problems)
    existing = User.objects.filter(email__iexact=email, trust_id=int(actor.trust_id or 0)).first()
    if existing is not None:
        if not existing.is_active:
            raise ValidationError(f"{existing} was deactivated. Ask the inclusion lead to set up a new invitation.")
        added = [
            add_role(actor=actor, person=existing, role=role, school=school)
            for role, school in checked
            if not Membership.objects.filter(user=existing, role=role, school=school).exists()
        ]
        if not added:
            raise ValidationError(f"{existing} already has these roles.")
        return added
    if _pending_staff_invitation(email):
        raise ValidationError("This person has already been invited and has not accepted yet.")
    schools = {s.pk for _, s in checked if s is not None}
    return create_invitation(
        trust_id=actor.trust_id,  # type: ignore[arg-type]
        kind=Invitation.Kind.STAFF,
        email=email,
        full_name=full_name,
        payload={"roles": [{"role": r.value, "school": s.pk if s else None} for r, s in checked]},
        invited_by=actor,
        school=School.objects.get(pk=schools.pop()) if len(schools) == 1 else None,
    )


def _pending_staff_invitation(email: str) -> bool:
    return Invitation.objects.filter(
        kind=Invitation.Kind.STAFF, email=email, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).exists()


@transaction.atomic
def add_role(*, actor: User, person: User, role: str, school: School | None) -> Membership:
    """Give a person of the trust one more role (audited, and the person is told)."""
    from .services import add_membership, notify

    if person.trust_id != actor.trust_id:
        raise ValidationError("Choose someone in your trust.")
    ((checked_role, checked_school),) = _check_roles(actor, [(role, school)])
    membership = add_membership(user=person, role=checked_role, school=checked_school, actor=actor)
    where = f" at {checked_school.name}" if checked_school else ""
    notify(recipient=person, kind="people", text=f"You have been given the {checked_role.label} role{where}.", link="/")
    return membership


@transaction.atomic
def end_membership(*, actor: User, membership: Membership) -> None:
    """End one role. Refused for a role above the actor's, and for the trust's last inclusion lead."""
    locked = Membership.objects.select_for_update(of=("self",)).select_related("user", "school").get(pk=membership.pk)
    if not may_manage_membership(actor, locked) or locked.user_id == actor.pk and locked.role == Role.INCLUSION_LEAD:
        raise ValidationError("You cannot end this role.")
    if (
        locked.role == Role.INCLUSION_LEAD
        and active_inclusion_leads(locked.trust_id).exclude(pk=locked.pk).count() == 0
    ):
        raise ValidationError("The trust must keep at least one inclusion lead. Give someone else the role first.")
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        obj=locked,
        school=locked.school,
        summary=f"Ended the {locked.get_role_display()} role of {locked.user.email}"
        + (f" at {locked.school.name}" if locked.school else ""),
    )
    locked.delete()


@transaction.atomic
def deactivate_person(*, actor: User, person: User) -> list[str]:
    """A leaver: switch the account off, which ends their sessions at their next request (sign-in refuses
    inactive accounts), revokes their calendar feed and ends their per-pupil grants (hooks). Returns what
    was ended, for the message. Refused for oneself, for someone the actor may not manage, and for the
    last inclusion lead."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if not may_manage_person(actor, person):
        raise ValidationError("You cannot deactivate this person.")
    if not person.is_active:
        raise ValidationError(f"{person} is already deactivated.")
    leads = active_inclusion_leads(person.trust_id)  # type: ignore[arg-type]
    if leads.filter(user=person).exists() and leads.exclude(user=person).count() == 0:
        raise ValidationError("The trust must keep at least one inclusion lead. Give someone else the role first.")
    if not PERSON_DEACTIVATED_HOOKS:
        raise ValidationError("Deactivation is not available: nothing would end this person's access to pupils.")
    person.is_active = False
    person.calendar_token = ""
    person.save(update_fields=["is_active", "calendar_token"])
    ended = ["their sessions", "their calendar feed"]
    for hook in PERSON_DEACTIVATED_HOOKS:
        line = hook(person=person, actor=actor)
        if line:
            ended.append(line)
    _end_sessions(person)
    schools = {m.school for m in memberships_of(person) if m.school is not None}
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        obj=person,
        # In the school's access log when the person worked in one school; the trust's otherwise.
        school=next(iter(schools)) if len(schools) == 1 else None,
        summary=f"Deactivated {person.email}: ended " + ", ".join(ended),
    )
    return ended


def _end_sessions(person: User) -> None:
    """Delete the person's stored sessions now (the auth backend also refuses an inactive account on every
    request, so any session missed here is signed out at its next request)."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    key = str(person.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == key:
            session.delete()


# ------------------------------------------------------------------------------------------- import


IMPORT_COLUMNS = ("name", "email", "role", "school")
ROLE_WORDS = {
    "inclusion lead": Role.INCLUSION_LEAD,
    "trust inclusion lead": Role.INCLUSION_LEAD,
    "send director": Role.INCLUSION_LEAD,
    "trustee": Role.TRUSTEE,
    "headteacher": Role.HEADTEACHER,
    "head teacher": Role.HEADTEACHER,
    "head": Role.HEADTEACHER,
    "senco": Role.SENCO,
    "teacher": Role.TEACHER,
    "class teacher": Role.TEACHER,
    "teaching assistant": Role.TEACHING_ASSISTANT,
    "ta": Role.TEACHING_ASSISTANT,
    "governor": Role.GOVERNOR,
    "sen governor": Role.GOVERNOR,
}
MAX_IMPORT_ROWS = 2000


@dataclass
class ImportRow:
    line: int
    name: str
    email: str
    role: str
    school: str
    outcome: str = ""  # "invite", "add role", "no change"
    problems: list[str] = field(default_factory=list)


@dataclass
class StaffImport:
    rows: list[ImportRow]
    problems: list[str] = field(default_factory=list)  # about the whole file
    applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems and all(not r.problems for r in self.rows)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome and not r.problems)


def _school_lookup(actor: User) -> dict[str, School]:
    lookup: dict[str, School] = {}
    for school in School.objects.all():
        lookup[school.urn] = school
        lookup[school.name.strip().lower()] = school
    return lookup


def parse_staff_csv(*, actor: User, text: str) -> StaffImport:
    """Read a staff CSV (columns name, email, role, school; school by URN or name, empty for trust-wide
    roles) and say what each row would do, with every row's problems. Writes nothing."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return StaffImport(rows=[], problems=["The file is empty. It needs a header row: name, email, role, school."])
    except csv.Error as exc:
        return StaffImport(rows=[], problems=[f"The file is not a readable CSV ({exc})."])
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        return StaffImport(
            rows=[],
            problems=[f"The header row has no {', '.join(missing)} column. Columns: name, email, role, school."],
        )
    index = {c: header.index(c) for c in IMPORT_COLUMNS}
    schools = _school_lookup(actor)
    rows: list[ImportRow] = []
    seen: dict[tuple[str, str, int | None], int] = {}
    try:
        for line, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                return StaffImport(rows=rows, problems=[f"The file has more than {MAX_IMPORT_ROWS} rows: split it."])
            cells = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
            row = ImportRow(
                line=line, name=cells["name"], email=cells["email"].lower(), role=cells["role"], school=cells["school"]
            )
            rows.append(row)
            _check_row(actor, row, schools, seen)
    except csv.Error as exc:
        return StaffImport(rows=rows, problems=[f"Line {reader.line_num} cannot be read ({exc})."])
    if not rows:
        return StaffImport(rows=[], problems=["The file has a header row but no people."])
    return StaffImport(rows=rows)


def _check_row(
    actor: User, row: ImportRow, schools: dict[str, School], seen: dict[tuple[str, str, int | None], int]
) -> None:
    if not row.name:
        row.problems.append("The name is empty.")
    try:
        validate_email(row.email)
    except ValidationError:
        row.problems.append(f"“{row.email}” is not an email address.")
    role = ROLE_WORDS.get(row.role.strip().lower()) or (Role(row.role) if row.role in Role.values else None)
    if role is None or role == Role.PARENT:
        row.problems.append(f"“{row.role}” is not a staff role. Use one of: {', '.join(sorted(set(ROLE_WORDS)))}.")
        return
    school = schools.get(row.school.strip()) or schools.get(row.school.strip().lower()) if row.school else None
    if row.school and school is None:
        row.problems.append(f"No school of your trust has the URN or name “{row.school}”.")
        return
    try:
        ((role, school),) = _check_roles(actor, [(role, school)])
    except ValidationError as exc:
        row.problems += exc.messages
        return
    key = (row.email, role.value, school.pk if school else None)
    if key in seen:
        row.problems.append(f"The same person and role are on line {seen[key]}.")
        return
    seen[key] = row.line
    row.role = role.value
    row.school = school.name if school else ""
    existing = User.objects.filter(email__iexact=row.email, trust_id=int(actor.trust_id or 0)).first()
    if existing is None and _pending_staff_invitation(row.email):
        row.outcome = "already invited"
    elif existing is None:
        row.outcome = "invite"
    elif not existing.is_active:
        row.problems.append("This person was deactivated; invite them again from the people page if they are back.")
    elif Membership.objects.filter(user=existing, role=role, school=school).exists():
        row.outcome = "no change"
    else:
        row.outcome = "add role"


@transaction.atomic
def import_staff(*, actor: User, text: str, dry_run: bool) -> StaffImport:
    """Check the file, and unless `dry_run` (or any row has a problem) invite the new people and add the new
    roles, all in one transaction. Rows already in place change nothing, so re-running is safe."""
    result = parse_staff_csv(actor=actor, text=text)
    if dry_run or not result.valid:
        return result
    schools = {s.name: s for s in School.objects.all()}
    by_person: dict[str, list[ImportRow]] = {}
    for row in result.rows:
        if row.outcome in {"invite", "add role"}:
            by_person.setdefault(row.email, []).append(row)
    for email, person_rows in by_person.items():
        roles: list[tuple[str, Any]] = [(r.role, schools.get(r.school)) for r in person_rows]
        invite_staff(actor=actor, email=email, full_name=person_rows[0].name, roles=roles)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=None,
        trust_id=actor.trust_id,
        summary=(
            f"Staff import: {result.count('invite')} invited, {result.count('add role')} roles added, "
            f"{result.count('no change') + result.count('already invited')} unchanged"
        ),
    )
    result.applied = True
    return result
