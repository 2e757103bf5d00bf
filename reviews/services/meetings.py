"""The review meeting and the people invited: scheduling, invitations (R3) and advice circulated (R4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trusts import audit
from trusts.models import User

from ..models import AnnualReview, Invitee
from ..permitted import may_change_invitees, may_schedule
from ._common import Status, _check_open, _lock, _meet, _open, _today, review_deadline

MEETING_RULES = ("R3", "R4", "R5", "R6")


def _open_meeting_deadlines(review: AnnualReview, meeting: date, actor: User | None) -> None:
    # R3/R4 count back from the meeting; R5/R6 forward from it. A new date recomputes all four.
    for rule_id in MEETING_RULES:
        _open(review, rule_id, meeting, actor, meeting_date=meeting if rule_id in {"R3", "R4"} else None)


@transaction.atomic
def schedule_meeting(*, review: AnnualReview, meeting_date: date, actor: User) -> AnnualReview:
    """Book (or move) the review meeting. Side effects: R3, R4, R5 and R6 opened or recomputed from the new
    date (deadlines already met stay met); the child's linked parents told the new date (notification and
    email, once per date); an audit entry. Refused once the meeting has been recorded."""
    review = _lock(review)
    _check_open(review)
    if not may_schedule(review):
        raise ValidationError("The meeting has been recorded: correct its date on the meeting record instead.")
    if meeting_date < review.anchor_date:
        raise ValidationError(
            {
                "meeting_date": f"The meeting cannot be before {review.anchor_date:%-d %B %Y}, "
                f"when {review.get_anchor_kind_display()}."
            }
        )
    if meeting_date > _today() + timedelta(days=730):
        raise ValidationError({"meeting_date": "The meeting must be within the next two years: check the year."})
    old = review.meeting_date
    if old == meeting_date:
        return review
    review.meeting_date = meeting_date
    review.status = Status.SCHEDULED
    review.save(update_fields=["meeting_date", "status", "updated_at"])
    _open_meeting_deadlines(review, meeting_date, actor)
    from pupils.meeting_replies import tell_parents_date_changed
    from reviews.queries.parents import MEETING_TITLE

    # The family hears of the date (and of every move) from the school, in the portal and by email.
    tell_parents_date_changed(
        pupil=review.pupil, title=MEETING_TITLE, old=old, new=meeting_date, key=f"review-{review.pk}"
    )
    summary = (
        f"Meeting moved from {old:%-d %B %Y} to {meeting_date:%-d %B %Y}"
        if old
        else f"Meeting booked for {meeting_date:%-d %B %Y}"
    )
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=summary)
    return review


def _check_meeting_not_recorded(review: AnnualReview) -> None:
    _check_open(review)
    if not may_change_invitees(review):
        raise ValidationError("The meeting has been recorded: the list of people invited can no longer change.")


@transaction.atomic
def add_invitee(*, review: AnnualReview, role: str, name: str, email: str, actor: User) -> Invitee:
    """Add someone to invite to the meeting. Side effects: the invitee row; an audit entry."""
    review = _lock(review)
    _check_meeting_not_recorded(review)
    problems: list[str] = []
    if role not in Invitee.Role.values:
        problems.append("Choose the person's role at the review.")
    name, email = name.strip(), email.strip().lower()
    if not name:
        problems.append("Enter the person's name (or the service's, for example “CAMHS”).")
    if email and Invitee.objects.filter(review=review, email=email).exists():
        problems.append(f"{email} is already on the list of people to invite.")
    if problems:
        raise ValidationError(problems)
    invitee = Invitee.objects.create(trust_id=review.trust_id, review=review, role=role, name=name[:150], email=email)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Invitee added: {invitee}",
    )
    return invitee


@transaction.atomic
def remove_invitee(*, invitee: Invitee, actor: User) -> None:
    """Take someone off the list (before the meeting is recorded). Side effects: the row deleted; an audit entry."""
    review = _lock(invitee.review)
    _check_meeting_not_recorded(review)
    label = str(invitee)
    Invitee.objects.filter(pk=invitee.pk, review=review).delete()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Invitee removed: {label}",
    )
    _meet_r3_if_everyone_invited(review, actor)


def _meet_r3_if_everyone_invited(review: AnnualReview, actor: User | None) -> None:
    dates = list(Invitee.objects.filter(review=review).values_list("invited_on", flat=True))
    if dates and all(d is not None for d in dates):
        # Regs 20(3): everyone must have had 2 weeks' notice, so R3 is met on the day the last was invited.
        _meet(review_deadline(review, "R3"), max(d for d in dates if d is not None), actor)


@transaction.atomic
def record_invitations(*, review: AnnualReview, invitees: Sequence[Invitee], sent_on: date, actor: User) -> int:
    """Record that invitations went to these people on `sent_on`. Side effects: their invitation dates;
    R3 met (on the latest invitation date) once everyone on the list has been invited; an audit entry.
    Returns how many were recorded."""
    review = _lock(review)
    _check_open(review)  # also after the meeting: invitations sent but not recorded in time can be recorded
    problems: list[str] = []
    if review.meeting_date is None:
        problems.append("Book the meeting first: the invitations give its date.")
    elif sent_on > review.meeting_date:
        problems.append(f"Invitations go out before the meeting ({review.meeting_date:%-d %B %Y}), not after it.")
    if sent_on > _today():
        problems.append("The date the invitations were sent cannot be in the future.")
    if sent_on < review.anchor_date:
        problems.append(
            f"The invitations cannot be before {review.anchor_date:%-d %B %Y}, when {review.get_anchor_kind_display()}."
        )
    ids = {i.pk for i in invitees}
    if not ids:
        problems.append("Choose at least one person the invitation was sent to.")
    if Invitee.objects.filter(pk__in=ids).exclude(review=review).exists():
        problems.append("Choose people from this review's list.")
    if problems:
        raise ValidationError(problems)
    count = Invitee.objects.filter(review=review, pk__in=ids).update(invited_on=sent_on, updated_at=timezone.now())
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Invitations sent on {sent_on:%-d %B %Y} to {count} {'person' if count == 1 else 'people'}",
    )
    _meet_r3_if_everyone_invited(review, actor)
    return count


@transaction.atomic
def record_advice(*, invitee: Invitee, requested_on: date | None, received_on: date | None, actor: User) -> Invitee:
    """Record when advice was asked of someone and when it arrived. Side effects: the dates; an audit entry."""
    review = _lock(invitee.review)
    _check_open(review)
    problems: list[str] = []
    for d, what in ((requested_on, "The date advice was asked for"), (received_on, "The date advice arrived")):
        if d is not None and d > _today():
            problems.append(f"{what} cannot be in the future.")
    if requested_on and received_on and received_on < requested_on:
        problems.append("The advice cannot arrive before it was asked for.")
    if received_on is None and requested_on is None:
        problems.append("Enter when the advice was asked for, when it arrived, or both.")
    if problems:
        raise ValidationError(problems)
    invitee.advice_requested_on, invitee.advice_received_on = requested_on, received_on
    invitee.save(update_fields=["advice_requested_on", "advice_received_on", "updated_at"])
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=f"Advice from {invitee}"
    )
    return invitee


@transaction.atomic
def circulate_advice(*, review: AnnualReview, circulated_on: date, actor: User) -> AnnualReview:
    """Record that the advice gathered was sent to everyone invited. Side effects: the date; R4 met; an audit entry."""
    review = _lock(review)
    _check_open(review)
    problems: list[str] = []
    if review.meeting_date is None:
        problems.append("Book the meeting first.")
    elif circulated_on > review.meeting_date:
        problems.append(f"Advice is circulated before the meeting ({review.meeting_date:%-d %B %Y}), not after it.")
    if circulated_on > _today():
        problems.append("The date the advice was circulated cannot be in the future.")
    if circulated_on < review.anchor_date:
        problems.append(f"The date cannot be before {review.anchor_date:%-d %B %Y}.")
    if problems:
        raise ValidationError(problems)
    review.advice_circulated_on = circulated_on
    review.save(update_fields=["advice_circulated_on", "updated_at"])
    _meet(review_deadline(review, "R4"), circulated_on, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Advice circulated on {circulated_on:%-d %B %Y}",
    )
    return review
