"""What a parent reads about their child's SEN support plan and its reviews."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from pupils.meeting_replies import MeetingRef
from pupils.models import Pupil

from ..charts import outcome_chart, outcome_points
from ..models import Allocation, AssessmentResult, Cycle, DeliveryLog, Outcome, ParentMeeting, StaffRole, Strategy
from .progress_words import progress_words


def plan_for_parent(pupil: Pupil) -> dict[str, Any] | None:
    """What a parent may read of their child's SEN support: the plan in place (one-page profile, outcomes,
    provision, classroom strategies, review date) and what was agreed at meetings, only items marked for
    parents and never staff notes. None when there is nothing to show."""
    cycle = (
        Cycle.objects.filter(pupil=pupil, status=Cycle.Status.ACTIVE)
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.filter(share_with_parents=True).prefetch_related(
                    Prefetch(
                        "scores",
                        queryset=DeliveryLog.objects.exclude(score=None).order_by("session_date", "pk"),
                        to_attr="scored",
                    )
                ),
            ),
            Prefetch("strategies", queryset=Strategy.objects.filter(share_with_parents=True)),
            Prefetch(
                "allocations",
                queryset=Allocation.objects.filter(share_with_parents=True).select_related("provision"),
            ),
            Prefetch("assessments", queryset=AssessmentResult.objects.filter(share_with_parents=True)),
        )
        .first()
    )
    meetings = list(
        ParentMeeting.objects.filter(pupil=pupil).exclude(agreed_actions="").order_by("-held_on", "-pk")[:6]
    )
    if cycle is None and not meetings:
        return None
    plan: dict[str, Any] = {
        "pupil": pupil,
        "cycle_number": None,
        "planned_on": None,
        "review_date": None,
        "profile": {},
        "outcomes": [],
        "provision": [],
        "strategies": [],
        "assessments": [],
        "meetings": [{"date": m.held_on, "summary": m.agreed_actions} for m in meetings],
    }
    if cycle is not None:
        plan.update(
            cycle_number=cycle.number,
            planned_on=cycle.planned_on,
            review_date=cycle.review_date,
            profile={
                "liked_admired": cycle.liked_admired,
                "important_to_me": cycle.important_to_me,
                "how_to_support": cycle.how_to_support,
            },
            outcomes=[_outcome_for_parent(pupil, cycle, o, n) for n, o in enumerate(cycle.outcomes.all(), start=1)],
            provision=[
                {
                    "name": a.provision.name,
                    "description": a.provision.description,
                    "how_often": a.provision.how_often,
                    "staff": StaffRole(a.provision.staff_role).label.lower(),
                }
                for a in cycle.allocations.all()
            ],
            strategies=[s.text for s in cycle.strategies.all()],
            assessments=[
                {"name": r.name, "taken_on": r.taken_on, "score": r.score, "scale": r.scale}
                for r in cycle.assessments.all()
            ],
        )
    return plan


def _outcome_for_parent(pupil: Pupil, cycle: Cycle, o: Outcome, number: int) -> dict[str, Any]:
    """One outcome with its progress: the numbers (baseline, each score, target), the chart of them and a
    sentence in plain words. Staff-only notes on the sessions are never included."""
    scores = list(getattr(o, "scored", []))
    points = outcome_points(outcome=o, planned_on=cycle.planned_on, scores=scores)
    return {
        "pk": o.pk,
        "number": number,
        "description": o.description,
        "baseline": o.baseline,
        "target": o.target,
        "measured_by": o.measured_by,
        "baseline_score": o.baseline_score,
        "target_score": o.target_score,
        "points": points,
        "chart": outcome_chart(outcome=o, number=number, planned_on=cycle.planned_on, scores=scores)
        if points or o.target_score is not None
        else "",
        "words": progress_words(name=pupil.forename, points=points, target=o.target_score, target_by=cycle.review_date),
    }


SUPPORT_REVIEW = "support_review"
SUPPORT_REVIEW_TITLE = "Review meeting of the SEN support plan"


def meetings_for_parent(pupil: Pupil, *, past: int = 6) -> list[MeetingRef]:
    """The child's support-plan meetings as a parent sees them (three queries): the review of the plan in
    place (to answer), recent reviews already held (so an old link says so), and past meetings with the
    actions agreed with the family. Never the staff notes of a meeting or a review."""
    active = Cycle.objects.filter(pupil=pupil, status=Cycle.Status.ACTIVE).exclude(review_date=None).first()
    out: list[MeetingRef] = []
    if active is not None and active.review_date is not None:
        out.append(MeetingRef(SUPPORT_REVIEW, active.pk, pupil, active.review_date, SUPPORT_REVIEW_TITLE))
    reviewed = Cycle.objects.filter(pupil=pupil, status=Cycle.Status.REVIEWED).exclude(reviewed_on=None)
    for c in reviewed.order_by("-reviewed_on")[:3]:
        assert c.reviewed_on is not None
        out.append(MeetingRef(SUPPORT_REVIEW, c.pk, pupil, c.reviewed_on, SUPPORT_REVIEW_TITLE, held=True))
    meetings = ParentMeeting.objects.filter(pupil=pupil).exclude(agreed_actions="").order_by("-held_on", "-pk")
    for m in meetings[:past]:
        out.append(
            MeetingRef(
                "parent_meeting", m.pk, pupil, m.held_on, "Meeting with you", held=True, shared_notes=[m.agreed_actions]
            )
        )
    return out


PLAIN_RESULT = {"achieved": "achieved", "partly": "partly achieved", "not": "not achieved yet"}
PLAIN_NEXT_STEP = {
    "new_cycle": "We agreed a new plan, carrying on with what is not achieved yet.",
    "monitoring": "SEN support ended: the school keeps a closer eye on how things go.",
    "leave": "SEN support ended: it is no longer needed.",
    "ehc_request": "We agreed to ask the local council for an EHC needs assessment.",
}


def support_reviews_for_parent(pupil: Pupil, limit: int = 6) -> list[dict[str, Any]]:
    """The child's reviewed support plans, newest first, in plain words: each outcome shared with parents
    and how far it was achieved, and what was decided next. Never staff notes. Two queries."""
    cycles = (
        Cycle.objects.filter(pupil=pupil, status=Cycle.Status.REVIEWED)
        .exclude(reviewed_on=None)
        .order_by("-reviewed_on", "-number")
        .prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.filter(share_with_parents=True)))[:limit]
    )
    return [
        {
            "date": c.reviewed_on,
            "outcomes": [
                {"description": o.description, "result": PLAIN_RESULT.get(o.result, "not recorded")}
                for o in c.outcomes.all()  # type: ignore[attr-defined]
            ],
            "next_step": PLAIN_NEXT_STEP.get(c.next_step, ""),
        }
        for c in cycles
    ]
