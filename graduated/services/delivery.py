"""Do: logging the sessions of provision delivered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from trusts import audit
from trusts.models import User

from ..models import Allocation, Cycle, DeliveryLog, Outcome
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
) -> DeliveryLog:
    """Log one session of a planned provision (a teacher or TA of the pupil, or casework staff). Audited."""
    cycle = allocation.cycle
    pupil = cycle.pupil
    if not may_log_delivery(actor, pupil):
        raise ValidationError("You can log sessions only for pupils you teach or support.")
    problems = []
    if cycle.status != Cycle.Status.ACTIVE:
        problems.append("Sessions can be logged only while the plan is in place.")
    if session_date > _today():
        problems.append("The session date cannot be in the future.")
    if session_date < cycle.started_on:
        problems.append(f"The session date cannot be before this cycle started ({_long(cycle.started_on)}).")
    if score is not None and not attended:
        problems.append("A score can only be recorded for a session the pupil attended.")
    if outcome is not None and outcome.cycle_id != cycle.pk:
        problems.append("Choose one of this plan's outcomes.")
    if score is not None and outcome is None:
        outcomes = list(cycle.outcomes.all()[:2])
        if len(outcomes) == 1:
            outcome = outcomes[0]
        else:
            problems.append("Choose which outcome the score measures.")
    if problems:
        raise ValidationError(problems)
    log = DeliveryLog.objects.create(
        trust_id=cycle.trust_id,
        school_id=cycle.school_id,
        pupil=pupil,
        cycle=cycle,
        allocation=allocation,
        outcome=outcome if score is not None else None,
        session_date=session_date,
        attended=attended,
        note=note.strip(),
        score=score,
        logged_by=actor,
    )
    summary = f"{allocation.provision.name} on {session_date:%-d %b %Y}: {'attended' if attended else 'missed'}"
    _record(actor, audit.Action.CREATE, log, pupil, summary)
    return log
