"""Assess: the cycle's assessment of the pupil's needs and the results of assessments taken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from trusts import audit
from trusts.models import User

from ..models import AssessmentResult, Cycle
from ._common import _editable, _record, _require_planner, _today

ASSESS_FIELDS = (
    "assess_notes",
    "outside_advice",
    "pupil_views",
    "parent_views",
    "liked_admired",
    "important_to_me",
    "how_to_support",
)


@transaction.atomic
def update_assessment(*, cycle: Cycle, actor: User | None, **values: str) -> Cycle:
    """Save the assess stage's notes and views and the one-page profile. Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    unknown = set(values) - set(ASSESS_FIELDS)
    if unknown:
        raise ValueError(f"Not assessment fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(cycle, name, (value or "").strip())
    cycle.save()
    _record(actor, audit.Action.CHANGE, cycle, cycle.pupil, f"Cycle {cycle.number}: assessment and profile")
    return cycle


@transaction.atomic
def add_assessment_result(
    *,
    cycle: Cycle,
    actor: User | None,
    name: str,
    taken_on: date,
    score: Decimal,
    scale: str,
    notes: str = "",
    share_with_parents: bool = False,
) -> AssessmentResult:
    """Add an assessment result to the assess stage. Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    problems = []
    if not name.strip():
        problems.append("Enter the name of the assessment.")
    if not scale.strip():
        problems.append("Enter the scale of the score, for example 'standardised score (average 100)'.")
    if taken_on > _today():
        problems.append("The assessment date cannot be in the future.")
    if problems:
        raise ValidationError(problems)
    result = AssessmentResult.objects.create(
        trust_id=cycle.trust_id,
        cycle=cycle,
        name=name.strip(),
        taken_on=taken_on,
        score=score,
        scale=scale.strip(),
        notes=notes.strip(),
        share_with_parents=share_with_parents,
    )
    _record(actor, audit.Action.CREATE, result, cycle.pupil, f"Cycle {cycle.number}: assessment {result.name}")
    return result
