"""Following the plan: ehcp's hooks for a plan that ceases or whose issue date is corrected."""

from __future__ import annotations

from ehcp import deadlines as engine
from ehcp.models import EhcPlan
from trusts import audit
from trusts.models import User

from ..models import SUBJECT_TYPE, AnnualReview
from ._common import Status
from .starting import _open_due_deadlines


def close_for_ceased_plan(*, plan: EhcPlan, actor: User, reason: str) -> int:
    """ehcp's PLAN_CEASED_HOOKS entry: every review of the plan still under way is cancelled and its open
    deadlines still to come waived with the reason (a meeting already held keeps its record; a date already
    past was missed before the plan ceased). Returns how many."""
    count = 0
    for review in (
        AnnualReview.objects.select_for_update()
        .filter(plan=plan)
        .exclude(status__in=[Status.COMPLETED, Status.CANCELLED])
    ):
        engine.cancel_for_subject(
            subject_type=SUBJECT_TYPE, subject_id=review.pk, actor=actor, reason=reason, not_due_before=plan.ceased_on
        )
        review.status, review.cancelled_reason = Status.CANCELLED, reason[:300]
        review.save(update_fields=["status", "cancelled_reason", "updated_at"])
        summary = f"Cancelled: {reason}"
        audit.record(actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=summary)
        count += 1
    return count


def follow_corrected_issue_date(*, plan: EhcPlan, actor: User | None) -> None:
    """ehcp's PLAN_ISSUE_DATE_HOOKS entry: a first review not yet held is due from the corrected date."""
    first = AnnualReview.objects.select_for_update().filter(plan=plan, held_on=None)
    for review in first.filter(anchor_kind=AnnualReview.AnchorKind.PLAN_ISSUED):
        review.anchor_date = plan.first_issued_on
        _open_due_deadlines(review, actor)
        review.save(update_fields=["anchor_date", "due_date", "due_rule", "updated_at"])
