"""Meetings with the parents of a pupil on SEN support (CoP 6.65)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from pupils.models import Pupil
from trusts import audit
from trusts.models import User

from ..models import Cycle, ParentMeeting
from ._common import _record, _require_planner, _today


@transaction.atomic
def record_parent_meeting(
    *,
    pupil: Pupil,
    actor: User | None,
    held_on: date,
    attendees: str,
    notes: str = "",
    agreed_actions: str = "",
) -> ParentMeeting:
    """Record a meeting with the pupil's parents (CoP 6.65: at least three a year on SEN support). Audited."""
    _require_planner(actor, pupil)
    problems = []
    if held_on > _today():
        problems.append("The meeting date cannot be in the future: record meetings once they have happened.")
    if not attendees.strip():
        problems.append("Say who attended the meeting.")
    if not notes.strip() and not agreed_actions.strip():
        problems.append("Write the notes of the meeting or the actions agreed.")
    if problems:
        raise ValidationError(problems)
    cycle = Cycle.objects.filter(pupil=pupil).exclude(status=Cycle.Status.REVIEWED).first()
    assert actor is not None
    meeting = ParentMeeting.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        cycle=cycle,
        held_on=held_on,
        attendees=attendees.strip(),
        notes=notes.strip(),
        agreed_actions=agreed_actions.strip(),
        recorded_by=actor,
    )
    _record(actor, audit.Action.CREATE, meeting, pupil, f"Parent meeting on {held_on:%-d %b %Y}")
    return meeting
