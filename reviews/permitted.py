"""What can be done to an annual review now: one answer for the services, which refuse anything else, and
for the review's page, which offers only these steps (so the page never restates a service's rules).

Each function is the precondition of one service in reviews.services; the messages for refusals stay in
the services, which say why in the words of the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import AnnualReview

Status = AnnualReview.Status
NOT_HELD = frozenset({Status.PLANNING, Status.SCHEDULED})


def may_schedule(review: AnnualReview) -> bool:
    """Book or move the meeting: until the meeting is recorded (then its date is corrected on the record)."""
    return review.status in NOT_HELD


def may_cancel(review: AnnualReview) -> bool:
    """Only a review whose meeting has not been recorded can be cancelled."""
    return review.status in NOT_HELD


def may_change_invitees(review: AnnualReview) -> bool:
    """Add or remove people to invite: until the meeting is recorded."""
    return review.status != Status.CANCELLED and review.held_on is None


def may_record_meeting(review: AnnualReview) -> bool:
    """Record (or correct) the meeting: once it is booked, until the report has gone."""
    return review.status in {Status.SCHEDULED, Status.HELD}


def may_record_report(review: AnnualReview) -> bool:
    """Record the day the report was sent: after the meeting, while the review is open."""
    return review.is_open and review.held_on is not None


def may_record_la_decision(review: AnnualReview) -> bool:
    """Record the LA's decision: after the report, until the amended plan is recorded."""
    return (
        review.status != Status.CANCELLED
        and review.held_on is not None
        and review.report_sent_on is not None
        and review.amended_plan_on is None
    )


def may_take_pupil_views(review: AnnualReview) -> bool:
    """Take the pupil's views from their All about me: while the review is open, until the report has gone."""
    return review.is_open and review.report_sent_on is None


@dataclass(frozen=True)
class Permitted:
    """The steps the review's page offers, each from the service precondition above."""

    schedule: bool
    cancel: bool
    change_invitees: bool
    record_invitations: bool
    record_advice: bool
    circulate_advice: bool
    record_meeting: bool
    correct_meeting: bool
    record_report: bool
    record_la_decision: bool
    take_pupil_views: bool


def permitted(review: AnnualReview, *, anyone_uninvited: bool) -> Permitted:
    booked = review.is_open and review.meeting_date is not None
    return Permitted(
        schedule=may_schedule(review),
        cancel=may_cancel(review),
        change_invitees=may_change_invitees(review) and review.is_open,
        record_invitations=booked and anyone_uninvited,
        record_advice=review.is_open,
        circulate_advice=booked and review.advice_circulated_on is None,
        record_meeting=may_record_meeting(review) and review.status == Status.SCHEDULED,
        correct_meeting=may_record_meeting(review) and review.status == Status.HELD,
        record_report=may_record_report(review),
        record_la_decision=may_record_la_decision(review),
        take_pupil_views=may_take_pupil_views(review),
    )
