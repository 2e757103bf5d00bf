"""After the meeting: the report sent (R5), the LA's decision (R6), the amendments, and report downloads."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from ehcp import deadlines as engine
from trusts import audit
from trusts.models import User

from ..models import AnnualReview, Recommendation
from ..permitted import may_record_report
from ._common import Status, _check_open, _lock, _meet, _open, _today, _waive, review_deadline


@transaction.atomic
def record_report_sent(*, review: AnnualReview, sent_on: date, actor: User) -> AnnualReview:
    """Record the day the report went to the LA and everyone invited. Side effects: R5 met; an audit entry."""
    review = _lock(review)
    _check_open(review)
    if not may_record_report(review):
        raise ValidationError(
            "Record the meeting before the report."
            if review.held_on is None
            else "This review is complete: the date the report was sent can no longer change."
        )
    assert review.held_on is not None  # may_record_report: the meeting is recorded
    if sent_on > _today():
        raise ValidationError({"sent_on": "The date the report was sent cannot be in the future."})
    if sent_on < review.held_on:
        raise ValidationError(
            {"sent_on": f"The report cannot be sent before the meeting ({review.held_on:%-d %B %Y})."}
        )
    if review.la_decision_on and sent_on > review.la_decision_on:
        decided = f"{review.la_decision_on:%-d %B %Y}"
        raise ValidationError({"sent_on": f"The report cannot be after the LA's decision ({decided})."})
    review.report_sent_on = sent_on
    if review.status == Status.HELD:
        review.status = Status.REPORT_SENT
    review.save(update_fields=["report_sent_on", "status", "updated_at"])
    _meet(review_deadline(review, "R5"), sent_on, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Report sent on {sent_on:%-d %B %Y}",
    )
    return review


@transaction.atomic
def record_la_decision(*, review: AnnualReview, decision: str, decided_on: date, actor: User) -> AnnualReview:
    """Record the LA's decision to keep, amend or cease the plan (or correct it until an amended plan is in).

    Side effects: R6 met. Amend: the proposed amendments go with the decision, so R7 (the parent's 15 days)
    and R8 (the final plan within 8 weeks) open from its date. Keep or cease: the review is completed
    (a corrected decision waives R7 and R8). An audit entry.
    """
    review = _lock(review)
    _check_open(review)
    problems: list[str] = []
    if review.report_sent_on is None or review.held_on is None:
        problems.append("Record that the report was sent to the LA first.")
    if review.amended_plan_on is not None:
        problems.append("The amended plan is recorded: the LA's decision can no longer change.")
    if decision not in Recommendation.values:
        problems.append("Choose the LA's decision: keep, amend or cease the plan.")
    if decided_on > _today():
        problems.append("The date of the LA's decision cannot be in the future.")
    if review.held_on and decided_on < review.held_on:
        problems.append(f"The LA's decision cannot be before the meeting ({review.held_on:%-d %B %Y}).")
    elif review.report_sent_on and decided_on < review.report_sent_on:
        # Regs 20(10): the LA decides after it receives the review report.
        problems.append(f"The LA's decision cannot be before the report was sent ({review.report_sent_on:%-d %B %Y}).")
    if problems:
        raise ValidationError(problems)
    review.la_decision, review.la_decision_on = decision, decided_on
    _meet(review_deadline(review, "R6"), decided_on, actor)
    if decision == Recommendation.AMEND:
        for rule_id in ("R7", "R8"):
            _open(review, rule_id, decided_on, actor)
        review.status, review.completed_on = Status.AMENDING, None
    else:
        verb = "keep" if decision == Recommendation.KEEP else "cease"
        why = f"The LA decided on {decided_on:%-d %B %Y} to {verb} the plan."
        for rule_id in ("R7", "R8"):
            _waive(review_deadline(review, rule_id), why, actor)
        review.status, review.completed_on = Status.COMPLETED, decided_on
    review.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"LA decision on {decided_on:%-d %B %Y}: {review.get_la_decision_display()}",
    )
    return review


@transaction.atomic
def record_amendments(
    *,
    review: AnnualReview,
    actor: User,
    parent_representations_on: date | None = None,
    amended_plan_on: date | None = None,
    names_next_school: bool = False,
) -> AnnualReview:
    """Record the parent's representations on the proposed amendments (R7) and the final amended plan (R8).

    Side effects: R7 and R8 met; with the final plan the review is completed (an R7 still open is waived:
    the representations period is over); for a phase transfer whose amended plan names the next school,
    R9 met. An audit entry.
    """
    review = _lock(review)
    _check_open(review)
    problems: list[str] = []
    if review.la_decision != Recommendation.AMEND or review.la_decision_on is None:
        problems.append("Amendments follow the LA's decision to amend the plan: record that decision first.")
    if parent_representations_on is None and amended_plan_on is None:
        problems.append("Enter the date of the parent's representations, of the final amended plan, or both.")
    for d, what in (
        (parent_representations_on, "The date of the parent's representations"),
        (amended_plan_on, "The date of the final amended plan"),
    ):
        if d is None:
            continue
        if d > _today():
            problems.append(f"{what} cannot be in the future.")
        if review.la_decision_on and d < review.la_decision_on:
            problems.append(f"{what} cannot be before the proposed amendments ({review.la_decision_on:%-d %B %Y}).")
    if names_next_school and amended_plan_on is None:
        problems.append("Enter the date of the final amended plan that names the next school.")
    if problems:
        raise ValidationError(problems)
    parts = []
    if parent_representations_on is not None:
        review.parent_representations_on = parent_representations_on
        _meet(review_deadline(review, "R7"), parent_representations_on, actor)
        parts.append(f"parent's representations {parent_representations_on:%-d %B %Y}")
    if amended_plan_on is not None:
        review.amended_plan_on = amended_plan_on
        _meet(review_deadline(review, "R8"), amended_plan_on, actor)
        r7 = review_deadline(review, "R7")
        if r7 is not None and r7.status == r7.Status.OPEN and amended_plan_on <= r7.statutory_due:
            # Regs 22(2)(c): the parent has at least 15 days to make representations before the LA finalises.
            engine.record_la_breach(
                deadline=r7,
                reason=(
                    f"Issued early: the LA finalised the amended plan on {amended_plan_on:%-d %B %Y}, before the "
                    f"parent's 15 days for representations ended ({r7.statutory_due:%-d %B %Y})."
                ),
                actor=actor,
            )
        else:
            _waive(
                r7,
                f"The final amended plan was issued on {amended_plan_on:%-d %B %Y}: no representations were recorded.",
                actor,
            )
        if names_next_school:
            _meet(review_deadline(review, "R9"), amended_plan_on, actor)
        review.status, review.completed_on = Status.COMPLETED, amended_plan_on
        parts.append(f"final amended plan {amended_plan_on:%-d %B %Y}")
    review.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary="Amendments: " + ", ".join(parts),
    )
    return review


def record_pdf_download(*, review: AnnualReview, actor: User, request: HttpRequest | None = None) -> None:
    """Every download of a review report is audited (special-category data leaving the system)."""
    audit.record(
        actor=actor,
        action=audit.Action.DOWNLOAD,
        obj=review,
        pupil_id=review.pupil_id,
        summary="Annual review report (PDF) downloaded",
        request=request,
    )
