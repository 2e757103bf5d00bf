"""The EHC needs-assessment evidence pack of one pupil (rendered by reports)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from pupils.models import Pupil
from register.models import BroadArea

from .. import costs
from ..models import Allocation, Cycle, DeliveryLog, Outcome, ParentMeeting, StaffRole
from .catalogue import rates_for
from .pupil import scores_prefetch


def evidence_for_pupil(pupil: Pupil) -> dict[str, Any]:
    """Everything the graduated approach holds for an EHC needs-assessment request: every cycle with its
    assessments, views, outcomes and results (with scores over time), strategies, provision with hours and
    cost and sessions delivered, reviews, and the meetings with parents. Staff notes are included: the pack
    goes to the local authority. A fixed number of queries."""
    cycles = list(
        Cycle.objects.filter(pupil=pupil)
        .select_related("planned_by", "reviewed_by")
        .prefetch_related(
            "assessments",
            "strategies",
            Prefetch("outcomes", queryset=Outcome.objects.prefetch_related(scores_prefetch())),
            Prefetch("allocations", queryset=Allocation.objects.select_related("provision")),
            Prefetch("deliveries", queryset=DeliveryLog.objects.only("pk", "cycle_id", "allocation_id", "attended")),
        )
        .order_by("number")
    )
    rates = rates_for(pupil.school_id)
    out_cycles: list[dict[str, Any]] = []
    for c in cycles:
        delivered: dict[int, list[bool]] = defaultdict(list)
        for d in c.deliveries.all():
            delivered[d.allocation_id].append(d.attended)
        provision: list[dict[str, Any]] = []
        for a in c.allocations.all():
            p = a.provision
            rate = rates.get(p.staff_role)
            attended = sum(delivered[a.pk])
            provision.append(
                {
                    "name": p.name,
                    "wave": p.wave,
                    "area": BroadArea(p.area).label,
                    "staff": StaffRole(p.staff_role).label,
                    "how_often": p.how_often,
                    "group_size": p.group_size,
                    "hours_per_year": costs.hours(p.hours_per_year),
                    "hourly_rate": rate,
                    "cost_per_year": costs.cost_per_pupil(
                        p.sessions_per_week, p.minutes_per_session, rate or 0, p.group_size
                    ),
                    "sessions_logged": len(delivered[a.pk]),
                    "sessions_attended": attended,
                    "hours_delivered": costs.hours(Decimal(attended * p.minutes_per_session) / 60),
                }
            )
        out_cycles.append(
            {
                "cycle": c,
                "number": c.number,
                "status": c.get_status_display(),
                "started_on": c.started_on,
                "planned_on": c.planned_on,
                "review_date": c.review_date,
                "assess_notes": c.assess_notes,
                "outside_advice": c.outside_advice,
                "views": {
                    "pupil": c.pupil_views,
                    "parents": c.parent_views,
                    "pupil_at_review": c.review_pupil_views,
                    "parents_at_review": c.review_parent_views,
                },
                "profile": {
                    "liked_admired": c.liked_admired,
                    "important_to_me": c.important_to_me,
                    "how_to_support": c.how_to_support,
                },
                "assessments": [
                    {"name": r.name, "taken_on": r.taken_on, "score": r.score, "scale": r.scale, "notes": r.notes}
                    for r in c.assessments.all()
                ],
                "outcomes": [
                    {
                        "description": o.description,
                        "baseline": o.baseline,
                        "target": o.target,
                        "measured_by": o.measured_by,
                        "result": o.get_result_display() if o.result else "",
                        "evidence": o.evidence,
                        "carried_forward": o.carried_from_id is not None,
                        "scores": [(s.session_date, s.score) for s in o.scores.all()],
                    }
                    for o in c.outcomes.all()
                ],
                "strategies": [s.text for s in c.strategies.all()],
                "expected_impact": c.expected_impact,
                "provision": provision,
                "cost_per_year": sum((p["cost_per_year"] for p in provision), Decimal(0)),
                "review": {
                    "reviewed_on": c.reviewed_on,
                    "reviewed_by": str(c.reviewed_by) if c.reviewed_by else "",
                    "notes": c.review_notes,
                    "next_step": c.get_next_step_display(),
                    "parents_told_on": c.parents_told_on,
                }
                if c.status == Cycle.Status.REVIEWED
                else None,
            }
        )
    meetings = [
        {"held_on": m.held_on, "attendees": m.attendees, "notes": m.notes, "agreed_actions": m.agreed_actions}
        for m in ParentMeeting.objects.filter(pupil=pupil).order_by("held_on", "pk")
    ]
    current = next((c for c in reversed(out_cycles) if c["cycle"].is_open), None)
    current_cost = current["cost_per_year"] if current else Decimal(0)
    return {
        "pupil": pupil,
        "cycles": out_cycles,
        "cycles_reviewed": sum(1 for c in cycles if c.status == Cycle.Status.REVIEWED),
        "first_started_on": cycles[0].started_on if cycles else None,
        "last_reviewed_on": max((c.reviewed_on for c in cycles if c.reviewed_on), default=None),
        "meetings": meetings,
        "current_cost_per_year": current_cost,
        "over_threshold": costs.over_threshold(current_cost),
        "threshold": costs.NOTIONAL_THRESHOLD,
        "school_weeks": costs.SCHOOL_WEEKS,
    }
