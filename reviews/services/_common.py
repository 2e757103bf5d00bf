"""Helpers shared by the annual review services: today, locking a review, opening or meeting its deadlines."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from ehcp import deadlines as engine
from ehcp.models import Deadline, SubjectType
from trusts.models import User

from ..models import AnnualReview

Status = AnnualReview.Status
ACTIVE = (Deadline.Status.OPEN, Deadline.Status.MISSED)


def _today() -> date:
    return timezone.localdate()


def _not_future(d: date, what: str) -> None:
    if d > _today():
        raise ValidationError(f"{what} cannot be in the future.")


def _deadline(subject_type: str, subject_id: int, rule_id: str) -> Deadline | None:
    return Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id).first()


def _meet(deadline: Deadline | None, on: date, actor: User | None) -> None:
    """Meet a deadline, or correct the date it was met; waived deadlines are left alone."""
    if deadline is None or deadline.status == Deadline.Status.WAIVED:
        return
    if deadline.status == Deadline.Status.MET and deadline.met_on == on:
        return
    engine.meet_deadline(deadline=deadline, met_on=on, actor=actor)


def _waive(deadline: Deadline | None, reason: str, actor: User | None) -> None:
    if deadline is not None and deadline.status in ACTIVE:
        engine.waive_deadline(deadline=deadline, reason=reason, actor=actor)


def review_deadline(review: AnnualReview, rule_id: str) -> Deadline | None:
    if rule_id == "R9":
        if review.phase_transfer_id is None:
            return None
        return _deadline(SubjectType.PHASE_TRANSFER, review.phase_transfer_id, "R9")
    return _deadline(*review.deadline_subject(rule_id), rule_id)


def _open(review: AnnualReview, rule_id: str, trigger: date, actor: User | None, **kwargs: object) -> Deadline:
    subject_type, subject_id = review.deadline_subject(rule_id)
    return engine.open_deadline(
        rule_id=rule_id,
        trigger_date=trigger,
        school=review.school,
        pupil=review.pupil,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
        **kwargs,  # type: ignore[arg-type]
    )


def _lock(review: AnnualReview) -> AnnualReview:
    """The review's current row, locked: two people recording the same step never interleave."""
    return AnnualReview.objects.select_for_update().select_related("pupil", "school", "plan").get(pk=review.pk)


def _check_open(review: AnnualReview) -> None:
    if review.status == Status.CANCELLED:
        raise ValidationError("This review was cancelled.")
