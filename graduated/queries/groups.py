"""Group sessions: which groups a person can log a session for, and who is in one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet

from trusts.models import User

from ..models import Allocation, Cycle, Outcome, Provision
from .access import loggable_pupils, on_roll


def _active_allocations(user: User) -> QuerySet[Allocation]:
    return Allocation.objects.filter(cycle__status=Cycle.Status.ACTIVE, cycle__pupil__in=loggable_pupils(user)).filter(
        on_roll("cycle__pupil__")
    )


@dataclass(frozen=True)
class GroupToLog:
    provision_id: int
    name: str
    pupils: int


def groups_to_log(user: User) -> list[GroupToLog]:
    """Provisions with two or more of the person's pupils in a plan in place: one query."""
    rows = (
        _active_allocations(user)
        .values("provision_id", "provision__name")
        .annotate(pupils=Count("cycle__pupil_id", distinct=True))
        .filter(pupils__gte=2)
        .order_by("provision__name")
    )
    return [GroupToLog(r["provision_id"], r["provision__name"], r["pupils"]) for r in rows]


def provisions_to_log(user: User, *, monday: date) -> QuerySet[Any]:
    """Each provision the person's pupils (in a plan in place) receive, as rows of provision_id,
    provision__name, provision__sessions_per_week, pupils, a_pupil (one of them), week (sessions logged since
    `monday`) and last (the latest session's date): one query."""
    return (
        _active_allocations(user)
        .values("provision_id", "provision__name", "provision__sessions_per_week")
        .annotate(
            pupils=Count("cycle__pupil_id", distinct=True),
            a_pupil=Min("cycle__pupil_id"),
            week=Count("deliveries__session_date", distinct=True, filter=Q(deliveries__session_date__gte=monday)),
            last=Max("deliveries__session_date"),
        )
        .order_by("provision__name", "provision_id")
    )


CYCLE_TEXTS = (
    "assess_notes",
    "outside_advice",
    "pupil_views",
    "parent_views",
    "liked_admired",
    "important_to_me",
    "how_to_support",
    "expected_impact",
    "review_pupil_views",
    "review_parent_views",
    "review_notes",
)


def group_members(user: User, provision: Provision) -> list[Allocation]:
    """The allocations of `provision` the person may log, each with its cycle, pupil and the cycle's outcomes
    (ordered), ordered by pupil name: three queries whatever the group's size."""
    outcomes = Prefetch("cycle__outcomes", queryset=Outcome.objects.order_by("position", "pk"))
    return list(
        _active_allocations(user)
        .filter(provision=provision)
        .select_related("cycle", "cycle__pupil__school", "provision")
        # A cycle's long texts cost more to load than the query for a group of a hundred: the form needs none.
        .defer(*(f"cycle__{name}" for name in CYCLE_TEXTS))
        .prefetch_related(outcomes)
        .order_by("cycle__pupil__legal_surname", "cycle__pupil__legal_forename", "pk")
    )


def group_provision(user: User, provision_id: int) -> Provision | None:
    """The provision, if the person has at least one pupil in it to log for."""
    provision = Provision.objects.filter(pk=provision_id).select_related("school").first()
    if provision is None or not _active_allocations(user).filter(provision=provision).exists():
        return None
    return provision


def score_label(outcome: Any) -> str:
    """What a score measures, in the words of the plan: "Weekly word check (started at 40, target 80)"."""
    parts = []
    if outcome.baseline_score is not None:
        parts.append(f"started at {outcome.baseline_score.normalize():f}")
    if outcome.target_score is not None:
        parts.append(f"target {outcome.target_score.normalize():f}")
    return outcome.measured_by + (f" ({', '.join(parts)})" if parts else "")
