"""Do: logging the sessions of provision delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from trusts import audit
from trusts.models import User
from trusts.problems import Problems

from ..models import Allocation, Cycle, DeliveryLog, GroupSession, MissedReason, Outcome, Provision
from ..queries import may_log_delivery
from ._common import _long, _record, _today


@transaction.atomic
def log_delivery(
    *,
    allocation: Allocation,
    actor: User,
    session_date: date,
    attended: bool,
    note: str = "",
    score: Decimal | None = None,
    outcome: Outcome | None = None,
    missed_reason: str = "",
) -> DeliveryLog:
    """Log one session of a planned provision (a teacher or TA of the pupil, or casework staff). Audited.
    A missed session keeps why (the pupil absent unless said otherwise); an attended one has no reason."""
    cycle = allocation.cycle
    pupil = cycle.pupil
    if not may_log_delivery(actor, pupil):
        raise ValidationError("You can log sessions only for pupils you teach or support.")
    problems = Problems()
    if cycle.status != Cycle.Status.ACTIVE:
        problems.add("Sessions can be logged only while the plan is in place.")
    if session_date > _today():
        problems.add("The session date cannot be in the future.", field="session_date")
    if session_date < cycle.started_on:
        problems.add(
            f"The session date cannot be before this cycle started ({_long(cycle.started_on)}).", field="session_date"
        )
    if score is not None and not attended:
        problems.add("A score can only be recorded for a session the pupil attended.", field="score")
    if missed_reason and missed_reason not in MissedReason.values:
        problems.add("Choose why the session was missed.", field="missed_reason")
    if attended and missed_reason:
        problems.add("The pupil attended, so leave “why was it missed” empty.", field="missed_reason")
    if outcome is not None and outcome.cycle_id != cycle.pk:
        problems.add("Choose one of this plan's outcomes.", field="outcome")
    if score is not None and outcome is None:
        outcomes = list(cycle.outcomes.all()[:2])
        if len(outcomes) == 1:
            outcome = outcomes[0]
        else:
            problems.add("Choose which outcome the score measures.", field="outcome")
    problems.raise_if_any()
    log = DeliveryLog.objects.create(
        trust_id=cycle.trust_id,
        school_id=cycle.school_id,
        pupil=pupil,
        cycle=cycle,
        allocation=allocation,
        outcome=outcome if score is not None else None,
        session_date=session_date,
        attended=attended,
        missed_reason="" if attended else (missed_reason or MissedReason.PUPIL_ABSENT),
        note=note.strip(),
        score=score,
        logged_by=actor,
    )
    summary = f"{allocation.provision.name} on {session_date:%-d %b %Y}: {'attended' if attended else 'missed'}"
    _record(actor, audit.Action.CREATE, log, pupil, summary)
    return log


@dataclass(frozen=True)
class GroupEntry:
    """One pupil's line of a group session: present or not, and perhaps a note and a score."""

    allocation: Allocation
    attended: bool
    note: str = ""
    score: Decimal | None = None
    outcome: Outcome | None = None


@transaction.atomic
def log_group_session(
    *,
    provision: Provision,
    actor: User,
    session_date: date,
    entries: list[GroupEntry],
    took_place: bool = True,
    missed_reason: str = "",
) -> GroupSession:
    """Log one session of a group provision for everyone in it, at once (a teacher or TA of the pupils, or
    casework staff). Every line is checked as a single session would be, and each problem names its pupil;
    nothing is written unless all pass. A session that did not happen is logged as missed for everyone, with
    its reason. Side effects: a GroupSession, one DeliveryLog per pupil, one audit entry per pupil."""
    problems: list[str] = []
    if not entries:
        problems.append("There is nobody in this group to log a session for.")
    if session_date > _today():
        problems.append("The session date cannot be in the future.")
    if not took_place and missed_reason not in {MissedReason.STAFF_ABSENT, MissedReason.CANCELLED}:
        problems.append("Say why the session did not happen: staff were absent, or it was cancelled.")
    if GroupSession.objects.filter(provision=provision, session_date=session_date).exists():
        problems.append(f"A session of {provision.name} on {_long(session_date)} is already logged: check the date.")
    logs: list[DeliveryLog] = []
    for entry in entries:
        allocation, cycle = entry.allocation, entry.allocation.cycle
        pupil = cycle.pupil
        who = pupil.display_name
        if allocation.provision_id != provision.pk:
            problems.append(f"{who} is not in {provision.name}.")
            continue
        if not may_log_delivery(actor, pupil):
            problems.append(f"You can log sessions only for pupils you teach or support ({who}).")
            continue
        if cycle.status != Cycle.Status.ACTIVE:
            problems.append(f"{who}'s plan is not in place, so no session can be logged for them.")
        if session_date < cycle.started_on:
            problems.append(
                f"{who}: the session date cannot be before their cycle started ({_long(cycle.started_on)})."
            )
        attended = entry.attended and took_place
        outcome = entry.outcome
        if entry.score is not None:
            if not attended:
                problems.append(f"{who}: a score can only be recorded for a pupil who was there.")
            if outcome is not None and outcome.cycle_id != cycle.pk:
                problems.append(f"{who}: choose one of their plan's outcomes.")
            if outcome is None:
                own = list(cycle.outcomes.all())
                if len(own) == 1:
                    outcome = own[0]
                else:
                    problems.append(f"{who}: choose which outcome the score measures.")
        reason = "" if attended else (missed_reason if not took_place else MissedReason.PUPIL_ABSENT)
        logs.append(
            DeliveryLog(
                trust_id=cycle.trust_id,
                school_id=cycle.school_id,
                pupil=pupil,
                cycle=cycle,
                allocation=allocation,
                outcome=outcome if entry.score is not None else None,
                session_date=session_date,
                attended=attended,
                missed_reason=reason,
                note=entry.note.strip(),
                score=entry.score if attended else None,
                logged_by=actor,
            )
        )
    if problems:
        raise ValidationError(problems)
    session = GroupSession.objects.create(
        trust_id=provision.trust_id,
        school_id=provision.school_id,
        provision=provision,
        session_date=session_date,
        took_place=took_place,
        missed_reason="" if took_place else missed_reason,
        logged_by=actor,
    )
    for log in logs:
        log.group_session = session
    DeliveryLog.objects.bulk_create(logs)
    for log in logs:
        state = "attended" if log.attended else f"missed ({log.get_missed_reason_display().lower()})"
        _record(
            actor,
            audit.Action.CREATE,
            log,
            log.pupil,
            f"{provision.name} group session on {session_date:%-d %b %Y}: {state}",
        )
    return session
