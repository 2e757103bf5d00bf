"""Demo data for the parent portal's meetings, progress and "Your dates" (idempotent; `seed_demo` calls it).

parent.acorn@oak.test sees: their child on SEN support with a support-plan outcome that has scores and a
review meeting to answer, and a draft EHC plan out for their comments (A4, 15 days); and a second child with
an EHC plan whose annual review meeting is booked for the coming weeks.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_scopes import scope

from ehcp import services as ehcp_services
from ehcp.models import NeedsAssessment
from graduated.models import Allocation, Cycle, DeliveryLog, Outcome
from pupils.models import Contact
from reviews.models import AnnualReview
from trusts.school_days import family_date

PARENT = "parent.acorn@oak.test"


def _scores(cycle: Cycle, logger: Any) -> None:
    """An outcome shared with parents with a baseline, a target and a few scores since the plan was agreed."""
    outcome = (
        Outcome.objects.filter(cycle=cycle, share_with_parents=True)
        .exclude(baseline_score=None)
        .exclude(target_score=None)
        .first()
    )
    if outcome is None:
        outcome = Outcome.objects.filter(cycle=cycle, share_with_parents=True).first()
        if outcome is None:
            return
        outcome.baseline_score, outcome.target_score = Decimal(12), Decimal(25)
        outcome.save(update_fields=["baseline_score", "target_score", "updated_at"])
    allocation = Allocation.objects.filter(cycle=cycle).first()
    if allocation is None or DeliveryLog.objects.filter(outcome=outcome).exclude(score=None).exists():
        return
    start = cycle.planned_on or cycle.started_on
    today = timezone.localdate()
    base, target = outcome.baseline_score or Decimal(0), outcome.target_score or Decimal(10)
    for week in range(1, 5):
        day = start + timedelta(weeks=3 * week)
        if day > today:
            break
        DeliveryLog.objects.create(
            trust_id=cycle.trust_id,
            school_id=cycle.school_id,
            pupil_id=cycle.pupil_id,
            cycle=cycle,
            allocation=allocation,
            outcome=outcome,
            session_date=day,
            attended=True,
            score=base + (target - base) * Decimal(week) / Decimal(6),
            logged_by=logger,
        )


def seed_portal(objects: dict[str, Any]) -> str:
    """Runs with scopes disabled, after the reviews' demo. Returns a one-line summary."""
    parent = objects["users"].get(PARENT)
    contact = Contact.objects.filter(user=parent).select_related("pupil", "pupil__school").order_by("pk").first()
    if parent is None or contact is None:
        return ""
    child, school = contact.pupil, contact.pupil.school
    senco = objects["users"].get("senco.acorn@oak.test")
    today = timezone.localdate()
    with scope(trust=school.trust_id):
        cycle = Cycle.objects.filter(pupil=child, status=Cycle.Status.ACTIVE).first()
        if cycle is not None:
            _scores(cycle, senco)
            if cycle.review_date is None or cycle.review_date < today:
                cycle.review_date = family_date(school=school, day=today + timedelta(days=21), after=today)
                cycle.save(update_fields=["review_date", "updated_at"])
        # A draft EHC plan served four days ago: the parent has until day 15 to comment (A4).
        if senco is not None and not NeedsAssessment.objects.filter(pupil=child).exists():
            received = today - timedelta(weeks=14)
            assessment = ehcp_services.request_assessment(
                pupil=child, requested_by="parent", request_received_on=received, actor=senco
            )
            for event, on in (("decision", received + timedelta(weeks=5)), ("draft_served", today - timedelta(days=4))):
                ehcp_services.record_assessment_event(
                    assessment=assessment,
                    event=event,
                    on=on,
                    actor=senco,
                    decision="assess" if event == "decision" else "",
                )
        # A brother or sister with an EHC plan whose annual review meeting is booked (the reviews demo's).
        review = (
            AnnualReview.objects.filter(
                school=school, status=AnnualReview.Status.SCHEDULED, meeting_date__gte=today + timedelta(days=14)
            )
            .select_related("pupil")
            .order_by("meeting_date", "pk")
            .first()
        )
        if review is not None and not Contact.objects.filter(pupil=review.pupil, user=parent).exists():
            Contact.objects.create(
                trust_id=review.trust_id,
                pupil=review.pupil,
                name=parent.full_name,
                relationship="Mother",
                parental_responsibility=True,
                email=parent.email,
                user=parent,
            )
    return "Parent portal: a meeting to answer, scores and a draft plan to comment on for parent.acorn."
