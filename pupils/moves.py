"""Moves within a trust: a pupil changes school and all their casework follows them, in one transaction.

A pupil's school is what every visibility rule reads (`pupils_visible_to`, `plans_visible_to`,
`deadlines_visible_to`...), and the apps above keep their own `school` on each row. So a move sets the
pupil's school and then asks every app above, through PUPIL_MOVED_HOOKS, to move its rows for this pupil.
Nothing is copied and nothing is lost: the new school's staff see the whole history, the old school's staff
lose access at once, and what they did stays in the audit log under their school.

There is no table of moves: the audit entry is the record of the move (`MOVE_PREFIX` below), read back
by the record's timeline. Who may move a pupil is the caller's business: the record's action checks the
pupil's casework roles (`may_record_move`), the MIS import checks the importer of the new school.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import dateformat, timezone

from trusts import audit
from trusts.hooks import Hooks
from trusts.models import AuditEntry, Membership, Role, School, User
from trusts.permissions import can
from trusts.services import notify

from .grants import _withdraw_permission
from .models import AccessGrant, Document, GroupMember, Pupil
from .record import RecordLink, RecordPart
from .timeline import Row, TimelineEvent, event_rows

# Apps above pupils move their rows for the pupil: hook(pupil=, from_school=, to_school=, moved_on=, actor=),
# called inside record_move's transaction after the pupil's own school has changed. Each returns the lines
# that say what it moved (for the confirmation page and the new SENCO's notification); an exception undoes
# the whole move.
PUPIL_MOVED_HOOKS: Hooks[Callable[..., list[str]]] = Hooks(
    "pupils.moves.PUPIL_MOVED_HOOKS",
    rule="a pupil who moves school within the trust takes their register entry, support cycles, EHC "
    "assessments and plans, annual reviews and deadlines with them",
    filled_by="register, graduated, ehcp and reviews",
)

MOVE_PREFIX = "Moved school within the trust"
_MOVE_DATE = re.compile(r" on (\d{2})/(\d{2})/(\d{4})")
# The action that says who moves a pupil: the same casework roles who import the MIS file that moves pupils.
MOVE_ACTION = "pupils.import"


@dataclass
class MoveResult:
    pupil: Pupil
    from_school: School
    to_school: School
    moved_on: date
    lines: list[str] = field(default_factory=list)
    told: list[User] = field(default_factory=list)


def long_date(day: date) -> str:
    return dateformat.format(day, "j F Y")


def may_record_move(user: User, pupil: Pupil) -> bool:
    """The SENCO, headteacher or inclusion lead of the pupil's current school."""
    return can(user, MOVE_ACTION, pupil)


def schools_to_move_to(pupil: Pupil) -> QuerySet[School]:
    """The other schools of the pupil's trust that are open (a closed school takes no pupils)."""
    return (
        School.objects.filter(trust_id=pupil.trust_id)
        .exclude(pk=pupil.school_id)
        .exclude(status=School.Status.CLOSED)
        .order_by("name")
    )


def move_problems(*, pupil: Pupil, to_school: School | None, moved_on: date | None) -> dict[str, list[str]]:
    """Everything wrong with a move, keyed by form field, in plain words (empty when it can go ahead)."""
    problems: dict[str, list[str]] = {}
    if to_school is None or to_school.trust_id != pupil.trust_id:
        problems["to_school"] = ["Choose a school of the trust to move the pupil to."]
    elif to_school.pk == pupil.school_id:
        problems["to_school"] = [f"{pupil.display_name} is already at {to_school.name}: choose another school."]
    elif to_school.status == School.Status.CLOSED:
        problems["to_school"] = [f"{to_school.name} is closed: choose an open school."]
    if moved_on is None:
        problems["moved_on"] = ["Enter the date of the move."]
    elif moved_on > timezone.localdate():
        problems["moved_on"] = [
            "The date of the move cannot be in the future: record the move on or after the day the pupil "
            "starts at the new school."
        ]
    elif pupil.admission_date and moved_on < pupil.admission_date:
        problems["moved_on"] = [
            f"The date of the move is before the pupil joined {pupil.school.name} ({pupil.admission_date:%d/%m/%Y})."
        ]
    return problems


def _move_grants(pupil: Pupil, *, to_school: School, actor: User | None) -> list[str]:
    """A cover teacher's grant was for the old school's class: it ends. An external professional's grant is
    about the child, wherever they are: it continues, now kept by the new school."""
    lines: list[str] = []
    today = timezone.localdate()
    cover = list(
        AccessGrant.objects.filter(pupil=pupil, kind=AccessGrant.Kind.COVER_TEACHER, revoked_at=None).select_related(
            "user"
        )
    )
    now = timezone.now()
    for grant in cover:
        grant.revoked_at = now
        grant.save(update_fields=["revoked_at", "updated_at"])
        _withdraw_permission(grant, today)
        audit.record(
            actor=actor,
            action=audit.Action.REVOKE,
            obj=grant,
            pupil_id=pupil.pk,
            summary=f"Cover-teacher access for {grant.user.full_name or grant.user.email} ended: the pupil moved",
        )
    if cover:
        lines.append(f"Cover-teacher access ended: {len(cover)} {'grant' if len(cover) == 1 else 'grants'}.")
    kept = AccessGrant.objects.filter(pupil=pupil, kind=AccessGrant.Kind.EXTERNAL).update(school=to_school)
    active_external = AccessGrant.objects.filter(
        pupil=pupil, kind=AccessGrant.Kind.EXTERNAL, revoked_at=None, ends_on__gte=today
    ).count()
    if kept:
        lines.append(f"External professionals' access continues: {active_external} in force.")
    return lines


def _recipients(to_school: School, actor: User | None) -> list[User]:
    """The new school's SENCOs (the trust's inclusion leads when it has none), never the person moving."""
    memberships = Membership.objects.filter(school=to_school, role=Role.SENCO, user__is_active=True)
    if not memberships.exists():
        memberships = Membership.objects.filter(
            trust_id=to_school.trust_id, role=Role.INCLUSION_LEAD, user__is_active=True
        )
    users = {m.user_id: m.user for m in memberships.select_related("user")}
    return [u for pk, u in users.items() if actor is None or pk != actor.pk]


@transaction.atomic
def record_move(*, pupil: Pupil, to_school: School, moved_on: date, actor: User | None, source: str = "") -> MoveResult:
    """Move the pupil to another school of their trust from `moved_on`, with all their casework.

    In one transaction: the pupil's school (their admission date becomes the move date; a leaving date and
    a possible-leaver flag are cleared: they are on roll at the new school); the old school's teaching
    groups left; documents and external professionals' grants moved; cover-teacher grants ended; an audit
    entry; then every PUPIL_MOVED_HOOKS entry (register, support cycles and provision, EHC assessments,
    plans and deadlines, annual reviews). The new school's SENCOs are notified after commit. A failure
    anywhere leaves nothing moved. Raises ValidationError (keyed by field) for a bad school or date.
    """
    pupil = Pupil.objects.select_for_update().select_related("school").get(pk=pupil.pk)
    problems = move_problems(pupil=pupil, to_school=to_school, moved_on=moved_on)
    if problems:
        raise ValidationError(problems)
    from_school = pupil.school
    pupil.school, pupil.admission_date = to_school, moved_on
    pupil.leaving_date, pupil.possible_leaver_since = None, None
    pupil.save(update_fields=["school", "admission_date", "leaving_date", "possible_leaver_since", "updated_at"])
    result = MoveResult(pupil=pupil, from_school=from_school, to_school=to_school, moved_on=moved_on)
    groups, _ = GroupMember.objects.filter(pupil=pupil).exclude(group__school=to_school).delete()
    if groups:
        result.lines.append(f"Left {groups} teaching {'group' if groups == 1 else 'groups'} at {from_school.name}.")
    documents = Document.objects.filter(pupil=pupil).update(school=to_school)
    if documents:
        result.lines.append(f"{documents} {'document' if documents == 1 else 'documents'}.")
    result.lines += _move_grants(pupil, to_school=to_school, actor=actor)
    by = f" ({source})" if source else ""
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"{MOVE_PREFIX}{by}: from {from_school.name} to {to_school.name} on {moved_on:%d/%m/%Y}",
    )
    for hook in PUPIL_MOVED_HOOKS:
        result.lines += hook(pupil=pupil, from_school=from_school, to_school=to_school, moved_on=moved_on, actor=actor)
    link = reverse("pupils:record", kwargs={"pk": pupil.pk})
    # No pupil name: the text is also emailed. What moved, so the SENCO knows what to pick up.
    text = (
        f"A {pupil.get_year_group_display()} pupil has moved to {to_school.name} from {from_school.name} on "
        f"{long_date(moved_on)}, with their SEN records. " + " ".join(result.lines)
    )
    for person in _recipients(to_school, actor):
        notify(recipient=person, kind="pupil.moved", text=text, link=link)
        result.told.append(person)
    return result


class _DryRun(Exception):
    pass


def preview_move(*, pupil: Pupil, to_school: School, moved_on: date, actor: User | None) -> MoveResult:
    """What `record_move` would move, written nothing: the move itself runs and is rolled back, so the
    confirmation page lists exactly what the move will do. Raises ValidationError like `record_move`."""
    result: MoveResult | None = None
    try:
        with transaction.atomic():
            result = record_move(pupil=pupil, to_school=to_school, moved_on=moved_on, actor=actor)
            raise _DryRun
    except _DryRun:
        pass
    assert result is not None
    pupil.refresh_from_db()
    result.pupil, result.told = pupil, []
    return result


# ---------------------------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class Move:
    moved_on: date
    text: str


def _move_entries(pupil: Pupil) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        pupil_id=pupil.pk, object_type="pupils.Pupil", action=audit.Action.CHANGE, summary__startswith=MOVE_PREFIX
    )


def _move_of(summary: str, logged_on: date) -> Move:
    """The move an audit summary records: the day it names (else the day it was logged) and where from and to."""
    found = _MOVE_DATE.search(summary)
    day = date(int(found[3]), int(found[2]), int(found[1])) if found else logged_on
    what = summary.split(": ", 1)[-1].split(" on ", 1)[0]
    return Move(moved_on=day, text=f"Moved school within the trust, {what}.")


def moves_of(pupil: Pupil) -> list[Move]:
    """The pupil's moves within the trust, from the audit log (one query)."""
    return [_move_of(e.summary, timezone.localtime(e.at).date()) for e in _move_entries(pupil).only("at", "summary")]


MOVE_KIND = "pupil_move"


def move_events(user: Any, pupil: Pupil) -> list[QuerySet[Any]]:
    """The pupil's moves on the record's timeline (in its one query): everyone who opens the record sees them."""
    return [
        event_rows(
            _move_entries(pupil).annotate(logged_on=TruncDate("at")), kind=MOVE_KIND, day="logged_on", note=F("summary")
        )
    ]


def describe_move(row: Row) -> TimelineEvent:
    move = _move_of(str(row["note"]), row["day"])
    return TimelineEvent(day=move.moved_on, text=move.text)


def move_record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    """The record's part: the move action for the pupil's casework roles (the moves are timeline events)."""
    if not may_record_move(user, pupil):
        return None
    return RecordPart(
        links=[
            RecordLink(
                "Record a move to another school of the trust", reverse("pupils:move", kwargs={"pupil_id": pupil.pk})
            )
        ]
    )
