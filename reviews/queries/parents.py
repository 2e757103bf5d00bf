"""What a parent reads about their child's annual reviews (the parent portal)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from pupils.meeting_replies import MeetingRef
from pupils.models import Pupil
from trusts.school_days import family_date

from ..models import SUBJECT_TYPE, AnnualReview, Recommendation, ReviewAction
from ._common import Status


@dataclass(frozen=True)
class ReviewSummary:
    """What a parent reads about a completed review (the parent portal)."""

    date: datetime.date
    summary: str
    actions: list[tuple[str, str, datetime.date]]
    pk: int = 0  # the review, for the portal's download of its report (completed_review_for_parent)


PLAIN_DECISION = {
    Recommendation.KEEP: "keep the EHC plan as it is",
    Recommendation.AMEND: "change (amend) the EHC plan",
    Recommendation.CEASE: "stop (cease) the EHC plan",
}


def review_summaries_for_parent(pupil: Pupil) -> list[ReviewSummary]:
    """Completed reviews of the child, newest first, in plain words (two queries). Cancelled and unfinished
    reviews are left out: the report they would see is not final."""
    reviews = (
        AnnualReview.objects.filter(pupil=pupil, status=Status.COMPLETED)
        .exclude(held_on=None)
        .order_by("-held_on", "-id")
        .prefetch_related(Prefetch("actions", queryset=ReviewAction.objects.order_by("position", "id")))
    )
    out = []
    for r in reviews:
        assert r.held_on is not None
        parts = ["Annual review meeting of the EHC plan."]
        if r.recommendation:
            parts.append(f"The meeting asked the council to {PLAIN_DECISION[Recommendation(r.recommendation)]}.")
        if r.la_decision:
            parts.append(f"The local council decided to {PLAIN_DECISION[Recommendation(r.la_decision)]}.")
        if r.amended_plan_on:
            parts.append(f"The amended plan was issued on {r.amended_plan_on:%-d %B %Y}.")
        out.append(
            ReviewSummary(
                date=r.held_on,
                summary=" ".join(parts),
                actions=[(a.action, a.who, a.by_when) for a in r.actions.all()],  # type: ignore[attr-defined]
                pk=r.pk,
            )
        )
    return out


@dataclass(frozen=True)
class NextReview:
    """The child's next annual review as a parent reads it: the meeting date once booked, else the date by
    which it must be held, moved back to the last school day on or before it (a family is never given a
    weekend or a closure; the earlier day still meets the deadline)."""

    date: datetime.date
    booked: bool


def next_review_for_parent(pupil: Pupil) -> NextReview | None:
    """The review waiting for its meeting, if one is started (one query; up to two more for the school's
    calendar when no meeting is booked)."""
    review = (
        AnnualReview.objects.filter(pupil=pupil, status__in=[Status.PLANNING, Status.SCHEDULED], plan__ceased_on=None)
        .only("meeting_date", "due_date")
        .order_by("due_date")
        .first()
    )
    if review is None:
        return None
    if review.meeting_date:
        return NextReview(review.meeting_date, True)
    return NextReview(family_date(school=pupil.school, day=review.due_date), False)


def completed_review_for_parent(*, pupil: Pupil, pk: int) -> AnnualReview | None:
    """One completed review of the child whose report a parent may download (the same rule as
    `review_summaries_for_parent`: unfinished and cancelled reviews have no final report)."""
    return (
        AnnualReview.objects.filter(pupil=pupil, status=Status.COMPLETED, pk=pk)
        .exclude(held_on=None)
        .select_related("pupil", "school", "plan")
        .first()
    )


MEETING_TITLE = "Annual review meeting of the EHC plan"
REPORT_SHARED = [Status.REPORT_SENT, Status.AMENDING, Status.COMPLETED]


def meetings_for_parent(pupil: Pupil, *, past: int = 4) -> list[MeetingRef]:
    """The child's annual review meetings as a parent sees them (two queries): the one booked (to answer),
    and the last few held (so an old link says it has happened); once the report has gone to the family,
    with the action plan the meeting agreed (the report goes to everyone invited, so its action plan is
    shared; the meeting's own notes are not shown here)."""
    today = timezone.localdate()
    reviews = (
        AnnualReview.objects.filter(pupil=pupil)
        .filter(
            Q(status=Status.SCHEDULED, plan__ceased_on=None, meeting_date__gte=today - datetime.timedelta(days=60))
            | Q(status__in=[Status.HELD, *REPORT_SHARED], held_on__isnull=False)
        )
        .only("pk", "status", "meeting_date", "held_on", "pupil_id")
        .order_by("-held_on", "-meeting_date", "-id")
        .prefetch_related(Prefetch("actions", queryset=ReviewAction.objects.order_by("position", "id")))
    )
    booked: list[MeetingRef] = []
    held: list[MeetingRef] = []
    for r in reviews:
        if r.status == Status.SCHEDULED and r.meeting_date is not None:
            booked.append(MeetingRef(SUBJECT_TYPE, r.pk, pupil, r.meeting_date, MEETING_TITLE))
        elif r.held_on is not None and len(held) < past:
            notes = [
                f"{a.action} ({a.who}, by {a.by_when:%-d %B %Y})"
                for a in r.actions.all()  # type: ignore[attr-defined]
                if r.status in REPORT_SHARED  # until the report is sent, the action plan is not final
            ]
            held.append(MeetingRef(SUBJECT_TYPE, r.pk, pupil, r.held_on, MEETING_TITLE, held=True, shared_notes=notes))
    return booked + held
