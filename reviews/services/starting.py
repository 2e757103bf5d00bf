"""Starting an annual review, its due date (R1/R2, or the phase-transfer meeting), and cancelling one."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ehcp import deadlines as engine
from ehcp.models import EhcPlan, PhaseTransfer, SubjectType
from ehcp.services import open_phase_transfer
from pupils.models import Contact
from trusts import audit
from trusts.models import User

from ..models import SUBJECT_TYPE, TRANSFER_LEAD, AnnualReview, Invitee
from ..permitted import may_cancel
from ._common import ACTIVE, Status, _deadline, _lock, _meet, _open, _today, review_deadline


def _transfer_for(plan: EhcPlan, actor: User | None) -> PhaseTransfer | None:
    """The plan's phase transfer this year (Year 6 to 7, Year 11 to post-16), unless a review already dealt with it."""
    transfer = open_phase_transfer(plan=plan, actor=actor)
    if transfer is None:
        return None
    if AnnualReview.objects.filter(phase_transfer=transfer).exclude(held_on=None).exists():
        return None
    return transfer


def transfer_meeting_due(r9_due: date) -> date:
    """The latest meeting that leaves the LA its statutory time (R6, R8) to amend the plan by the R9 date."""
    return r9_due - TRANSFER_LEAD


def _open_due_deadlines(review: AnnualReview, actor: User | None) -> None:
    """Open (or recompute) R1 and, under 5, R2 from the anchor; then store the date the meeting is due by."""
    plan_anchored = review.deadline_subject("R1")[0] == SubjectType.EHC_PLAN
    trigger = review.plan.first_issued_on if plan_anchored else review.anchor_date
    candidates: list[tuple[date, str]] = [(_open(review, "R1", trigger, actor).due, "R1")]
    if review.under_five:
        candidates.append((_open(review, "R2", trigger, actor).due, "R2"))
    r9 = review_deadline(review, "R9")
    if r9 is not None and r9.status in ACTIVE:
        candidates.append((transfer_meeting_due(r9.due), "R9"))
    review.due_date, review.due_rule = min(candidates)


def _create_review(
    *, plan: EhcPlan, anchor: date, anchor_kind: str, previous: AnnualReview | None, actor: User
) -> AnnualReview:
    pupil = plan.pupil
    review = AnnualReview.objects.create(
        trust_id=plan.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        plan=plan,
        previous=previous,
        anchor_date=anchor,
        anchor_kind=anchor_kind,
        under_five=pupil.age_on(anchor) < 5,
        due_date=anchor,
        phase_transfer=_transfer_for(plan, actor),
        started_by=actor,
    )
    _open_due_deadlines(review, actor)
    review.save(update_fields=["due_date", "due_rule", "updated_at"])
    if previous is not None:
        people = [(i.role, i.name, i.email) for i in previous.invitees.all()]
    else:
        # The parent and the child are always invited (Regs 20(2)); the SENCO adds the professionals.
        people = [
            (Invitee.Role.PARENT, c.name, c.email)
            for c in Contact.objects.filter(pupil=pupil, parental_responsibility=True).order_by("id")
        ]
        people.append((Invitee.Role.PUPIL, pupil.display_name, ""))
    Invitee.objects.bulk_create(
        Invitee(trust_id=review.trust_id, review=review, role=role, name=name, email=email)
        for role, name, email in people
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=review,
        pupil_id=pupil.pk,
        summary=f"Annual review started: due by {review.due_date:%-d %B %Y} ({review.due_rule})",
    )
    return review


@transaction.atomic
def start_review(*, plan: EhcPlan, actor: User, last_review_on: date | None = None) -> AnnualReview:
    """Start the next annual review of a plan.

    The review counts from the last review meeting recorded here, else from `last_review_on` (a review
    held before the plan's records were kept here, which then meets the plan's R1/R2), else from the
    plan's issue date. Side effects: R1 (and R2 under 5) opened or recomputed; the plan's phase transfer
    (R9) opened for a pupil in Year 6 or 11; parents and the pupil added as invitees (or the last
    review's invitees copied); an audit entry.
    """
    plan = EhcPlan.objects.select_for_update().select_related("pupil", "pupil__school").get(pk=plan.pk)
    problems: list[str] = []
    if plan.ceased_on is not None:
        problems.append("This EHC plan has ceased: it has no more annual reviews.")
    if AnnualReview.objects.filter(plan=plan, status__in=[Status.PLANNING, Status.SCHEDULED]).exists():
        problems.append(f"{plan.pupil} already has a review waiting for its meeting: open it from the list.")
    previous = AnnualReview.objects.filter(plan=plan).exclude(held_on=None).order_by("-held_on", "-id").first()
    if last_review_on is not None:
        if previous is not None:
            problems.append(
                "The last review meeting is already recorded here: leave the date of the last review empty."
            )
        elif last_review_on > _today():
            problems.append("The date of the last review cannot be in the future.")
        elif last_review_on < plan.first_issued_on:
            problems.append(f"The last review cannot be before the plan was issued ({plan.first_issued_on:%-d %B %Y}).")
    if problems:
        raise ValidationError(problems)
    if previous is not None:
        assert previous.held_on is not None
        return _create_review(
            plan=plan,
            anchor=previous.held_on,
            anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW,
            previous=previous,
            actor=actor,
        )
    if last_review_on is not None:
        # The earlier review satisfied the plan's own R1 (and R2): record it, then count from it.
        for rule_id in ("R1", "R2"):
            _meet(_deadline(SubjectType.EHC_PLAN, plan.pk, rule_id), last_review_on, actor)
        return _create_review(
            plan=plan,
            anchor=last_review_on,
            anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW,
            previous=None,
            actor=actor,
        )
    return _create_review(
        plan=plan,
        anchor=plan.first_issued_on,
        anchor_kind=AnnualReview.AnchorKind.PLAN_ISSUED,
        previous=None,
        actor=actor,
    )


@transaction.atomic
def cancel_review(*, review: AnnualReview, reason: str, actor: User) -> AnnualReview:
    """Cancel a review whose meeting has not been recorded (for example the plan ceased or the pupil left).

    Side effects: the review's own open deadlines waived with the reason (a first review's R1 belongs to the
    plan and stays open: the plan still needs its review); an audit entry.
    """
    review = _lock(review)
    reason = reason.strip()
    problems: list[str] = []
    if not may_cancel(review):
        problems.append("Only a review whose meeting has not been recorded can be cancelled.")
    if not reason:
        problems.append("Say why the review is cancelled.")
    if problems:
        raise ValidationError(problems)
    engine.cancel_for_subject(
        subject_type=SUBJECT_TYPE, subject_id=review.pk, actor=actor, reason=f"Annual review cancelled: {reason}"
    )
    review.status, review.cancelled_reason = Status.CANCELLED, reason[:300]
    review.save(update_fields=["status", "cancelled_reason", "updated_at"])
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=f"Cancelled: {reason}"
    )
    return review
