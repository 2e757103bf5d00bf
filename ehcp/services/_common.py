"""Helpers shared by the EHC services: subject types, and meeting or waiving a subject's deadline."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from trusts.models import User

from ..deadlines import meet_deadline, waive_deadline
from ..models import Deadline, NeedsAssessment, SubjectType

ASSESSMENT = SubjectType.NEEDS_ASSESSMENT
PLAN = SubjectType.EHC_PLAN
Outcome = NeedsAssessment.Outcome
Decision = NeedsAssessment.Decision


def _not_future(d: date, what: str, field: str) -> None:
    """Refuse a date after today, keyed to the form field it came from (shown beside it)."""
    if d > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _deadline(subject_type: str, subject_id: int, rule_id: str) -> Deadline | None:
    return Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id).first()


def _meet(subject_type: str, subject_id: int, rule_id: str, on: date, actor: User | None) -> None:
    d = _deadline(subject_type, subject_id, rule_id)
    if d is not None and d.status != Deadline.Status.WAIVED:
        meet_deadline(deadline=d, met_on=on, actor=actor)


def _waive(subject_type: str, subject_id: int, rule_id: str, reason: str, actor: User | None) -> None:
    d = _deadline(subject_type, subject_id, rule_id)
    if d is not None and d.status == Deadline.Status.OPEN:
        waive_deadline(deadline=d, reason=reason, actor=actor)
