"""The record of a review meeting: what was discussed and agreed, and the next review it opens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from trusts import audit
from trusts.models import Membership, Role, User
from trusts.services import notify

from ..models import AnnualReview, Recommendation, ReviewAction
from ..permitted import may_record_meeting
from ._common import Status, _check_open, _lock, _meet, _today, review_deadline
from .meetings import _open_meeting_deadlines
from .starting import _create_review, _open_due_deadlines

MAX_ACTIONS = 30


@dataclass(frozen=True)
class MeetingRecord:
    """What was said at the meeting, under the person-centred headings."""

    progress_on_outcomes: str = ""
    appreciated_admired: str = ""
    important_now: str = ""
    important_future: str = ""
    how_to_support: str = ""
    questions_issues: str = ""
    parent_views: str = ""
    pupil_views: str = ""
    recommendation: str = ""
    proposed_amendments: str = ""


@dataclass(frozen=True)
class ActionInput:
    action: str
    who: str
    by_when: date


def _check_record(record: MeetingRecord, actions: Sequence[ActionInput], held_on: date) -> list[str]:
    problems: list[str] = []
    if not record.progress_on_outcomes.strip():
        problems.append("Record the progress made towards the plan's outcomes.")
    if record.recommendation not in Recommendation.values:
        problems.append("Choose what the meeting recommends: keep, amend or cease the plan.")
    if record.recommendation == Recommendation.AMEND and not record.proposed_amendments.strip():
        problems.append("Describe the amendments the meeting proposes.")
    if len(actions) > MAX_ACTIONS:
        problems.append(f"An action plan can have at most {MAX_ACTIONS} actions.")
    for n, a in enumerate(actions, start=1):
        if not a.action.strip() or not a.who.strip():
            problems.append(f"Action {n}: say what will be done and who will do it.")
        if a.by_when < held_on:
            problems.append(f"Action {n}: the date it is due by cannot be before the meeting.")
    return problems


@transaction.atomic
def record_meeting(
    *,
    review: AnnualReview,
    held_on: date,
    record: MeetingRecord,
    actions: Sequence[ActionInput],
    actor: User,
) -> AnnualReview:
    """Record the meeting (or correct the record until the report is sent).

    Side effects: the record and its action plan (replacing the previous one); R1 (and R2) met on the day
    of the meeting; a meeting held on another day than booked recomputes R3-R6; the next review opened,
    due 12 months from this meeting (6 under 5), or its date recomputed; the headteacher told the report
    is due (R5); an audit entry.
    """
    review = _lock(review)
    _check_open(review)
    if not may_record_meeting(review):
        raise ValidationError(
            "The report has been sent: the meeting record can no longer change."
            if review.report_sent_on
            else "Book the meeting before recording it."
        )
    problems: list[str] = []
    if held_on > _today():
        problems.append("The date of the meeting cannot be in the future: record the meeting once it has happened.")
    if held_on < review.anchor_date:
        problems.append(
            f"The meeting cannot be before {review.anchor_date:%-d %B %Y}, when {review.get_anchor_kind_display()}."
        )
    problems += _check_record(record, actions, held_on)
    if problems:
        raise ValidationError(problems)
    first_time = review.held_on is None
    if held_on != review.meeting_date:
        review.meeting_date = held_on
        _open_meeting_deadlines(review, held_on, actor)
    review.held_on = held_on
    for field in MeetingRecord.__dataclass_fields__:
        setattr(review, field, getattr(record, field).strip())
    if review.recommendation != Recommendation.AMEND:
        review.proposed_amendments = ""
    review.status = Status.HELD
    review.save()
    ReviewAction.objects.filter(review=review).delete()
    ReviewAction.objects.bulk_create(
        ReviewAction(
            trust_id=review.trust_id,
            review=review,
            position=n,
            action=a.action.strip()[:500],
            who=a.who.strip()[:150],
            by_when=a.by_when,
        )
        for n, a in enumerate(actions, start=1)
    )
    for rule_id in ("R1", "R2"):
        _meet(review_deadline(review, rule_id), held_on, actor)
    _open_next_review(review, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Meeting {'recorded' if first_time else 'record corrected'}: held on {held_on:%-d %B %Y}",
    )
    if first_time:
        _tell_headteacher(review, actor)
    return review


def _open_next_review(review: AnnualReview, actor: User) -> None:
    """The next review counts from this meeting (CFA s.44: within 12 months of the last review)."""
    assert review.held_on is not None
    nxt = AnnualReview.objects.filter(previous=review).exclude(status=Status.CANCELLED).order_by("-id").first()
    if nxt is None:
        waiting = AnnualReview.objects.filter(plan=review.plan_id, status__in=[Status.PLANNING, Status.SCHEDULED])
        if review.plan.ceased_on is None and not waiting.exists():
            _create_review(
                plan=review.plan,
                anchor=review.held_on,
                anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW,
                previous=review,
                actor=actor,
            )
        return
    if nxt.anchor_date != review.held_on and nxt.is_open:
        nxt.anchor_date = review.held_on
        nxt.under_five = nxt.pupil.age_on(review.held_on) < 5
        _open_due_deadlines(nxt, actor)
        nxt.save(update_fields=["anchor_date", "under_five", "due_date", "due_rule", "updated_at"])


def _tell_headteacher(review: AnnualReview, actor: User) -> None:
    r5 = review_deadline(review, "R5")
    if r5 is None:
        return
    from django.urls import reverse

    link = reverse("reviews:detail", kwargs={"pk": review.pk})
    heads = Membership.objects.filter(
        school_id=review.school_id, role=Role.HEADTEACHER, user__is_active=True
    ).select_related("user")
    for m in heads:
        if m.user_id == actor.pk:
            continue
        notify(
            recipient=m.user,
            kind="annual_review",
            text=(
                f"The annual review meeting for {review.pupil} was held on {review.held_on:%-d %B %Y}. "
                f"The report must reach the LA and everyone invited by {r5.due:%-d %B %Y} (Regs 21(7))."
            ),
            link=link,
            dedupe_key=f"review-report-due:{review.pk}",
        )
