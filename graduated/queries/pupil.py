"""One pupil: their cycles, one cycle's detail, deliveries, parent meetings and their passport."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from pupils.models import Pupil

from ..models import Allocation, Cycle, DeliveryLog, Outcome, ParentMeeting
from ._common import OPEN


def open_cycle(pupil: Pupil) -> Cycle | None:
    return Cycle.objects.filter(pupil=pupil, status__in=OPEN).first()


def cycles_of(pupil: Pupil) -> list[Cycle]:
    """All the pupil's cycles, newest first, with what their summaries show."""
    return list(
        Cycle.objects.filter(pupil=pupil)
        .select_related("planned_by", "reviewed_by")
        .annotate(outcome_count=Count("outcomes", distinct=True))
        .order_by("-number")
    )


def scores_prefetch() -> Any:
    """Prefetch of an outcome's scored sessions, oldest first."""
    return Prefetch("scores", queryset=DeliveryLog.objects.filter(score__isnull=False).order_by("session_date", "pk"))


def cycle_detail(cycle_id: int, readable: QuerySet[Pupil]) -> Cycle | None:
    """One cycle with everything its page shows, prefetched (a fixed number of queries)."""
    return (
        Cycle.objects.filter(pk=cycle_id, pupil__in=readable)
        .select_related("pupil", "school", "planned_by", "reviewed_by", "started_by", "previous")
        .prefetch_related(
            "assessments",
            "strategies",
            Prefetch("outcomes", queryset=Outcome.objects.prefetch_related(scores_prefetch())),
            Prefetch("allocations", queryset=Allocation.objects.select_related("provision")),
        )
        .first()
    )


def recent_deliveries(pupil: Pupil, limit: int = 10) -> list[DeliveryLog]:
    return list(
        DeliveryLog.objects.filter(pupil=pupil)
        .select_related("allocation__provision", "logged_by", "outcome")
        .order_by("-session_date", "-pk")[:limit]
    )


def parent_meetings(pupil: Pupil) -> list[ParentMeeting]:
    return list(ParentMeeting.objects.filter(pupil=pupil).select_related("recorded_by").order_by("-held_on", "-pk"))


def passport(pupil: Pupil) -> dict[str, Any]:
    """The pupil passport teachers read: the one-page profile and classroom strategies of the plan in place
    (or being written), and the provision the pupil goes to."""
    cycle = (
        Cycle.objects.filter(pupil=pupil, status__in=OPEN)
        .prefetch_related(
            "strategies", Prefetch("allocations", queryset=Allocation.objects.select_related("provision"))
        )
        .first()
    )
    return {
        "pupil": pupil,
        "cycle": cycle,
        "strategies": list(cycle.strategies.all()) if cycle else [],
        "allocations": list(cycle.allocations.all()) if cycle else [],
    }
