"""What a school delivered of its provision to each pupil in a period: the sessions scheduled by the
provision's timetable, the sessions logged as attended and those missed, with why. Two queries for any
number of pupils. `reports.delivery` sets these against what EHC plans promise."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from ..models import Allocation, Cycle, DeliveryLog, MissedReason


@dataclass
class AllocationDelivery:
    """One pupil's place in one provision: when it could run, and what the logs say happened in the period."""

    allocation_id: int
    pupil_id: int
    provision_id: int
    provision_name: str
    sessions_per_week: Decimal
    minutes_per_session: int
    runs_from: date
    runs_to: date | None
    attended: int = 0
    missed: dict[str, int] = field(default_factory=dict)

    @property
    def hours_per_week(self) -> Decimal:
        return self.sessions_per_week * self.minutes_per_session / 60

    @property
    def hours_delivered(self) -> Decimal:
        return Decimal(self.attended * self.minutes_per_session) / 60

    @property
    def missed_words(self) -> list[tuple[str, int]]:
        """("pupil absent", 2), ... in a fixed order, reasons with no missed session left out."""
        return [(words, self.missed[reason]) for reason, words in MISSED_WORDS.items() if self.missed.get(reason)]


def _count(item: AllocationDelivery, attended: bool, reason: str, n: int) -> None:
    if attended:
        item.attended += n
    else:
        reason = reason or MissedReason.PUPIL_ABSENT
        item.missed[reason] = item.missed.get(reason, 0) + n


def allocation_deliveries(
    *,
    pupil_ids: Iterable[int],
    provision_ids: Iterable[int],
    starts: dict[int, date],
    end: date,
    pupil_starts: dict[int, date] | None = None,
) -> list[AllocationDelivery]:
    """Every allocation of these pupils to these provisions (in any support cycle, open or reviewed), with the
    sessions logged from each school's start (`starts`: school id -> first day), or a later start for some
    pupils (`pupil_starts`: a plan issued during the period), to `end`: attended, and missed by reason.
    Two queries whatever the number of pupils."""
    pupil_starts = pupil_starts or {}
    allocations = (
        Allocation.objects.filter(cycle__pupil_id__in=list(pupil_ids), provision_id__in=list(provision_ids))
        .select_related("provision", "cycle")
        .only(
            "id",
            "provision_id",
            "provision__name",
            "provision__sessions_per_week",
            "provision__minutes_per_session",
            "provision__start_date",
            "provision__end_date",
            "cycle__pupil_id",
            "cycle__started_on",
            "cycle__status",
            "cycle__reviewed_on",
        )
        .order_by("pk")
    )
    found: dict[int, AllocationDelivery] = {}
    for a in allocations:
        cycle, provision = a.cycle, a.provision
        ends = [
            d for d in (provision.end_date, cycle.reviewed_on if cycle.status == Cycle.Status.REVIEWED else None) if d
        ]
        found[a.pk] = AllocationDelivery(
            allocation_id=a.pk,
            pupil_id=cycle.pupil_id,
            provision_id=provision.pk,
            provision_name=provision.name,
            sessions_per_week=provision.sessions_per_week,
            minutes_per_session=provision.minutes_per_session,
            runs_from=max(provision.start_date, cycle.started_on),
            runs_to=min(ends) if ends else None,
        )
    if not found:
        return []
    by_start: dict[date, list[int]] = {}
    for school_id, first in starts.items():
        by_start.setdefault(first, []).append(school_id)
    since = Q()
    for first, school_ids in by_start.items():
        since |= Q(school_id__in=school_ids, session_date__gte=first)
    # A pupil whose plan began during the period counts from that day instead of the school's first day.
    later: dict[date, list[int]] = {}
    for pupil_id, first in pupil_starts.items():
        later.setdefault(first, []).append(pupil_id)
    if later:
        since = (since & ~Q(pupil_id__in=list(pupil_starts))) | functools.reduce(
            operator.or_, (Q(pupil_id__in=ids, session_date__gte=first) for first, ids in later.items())
        )
    logs = DeliveryLog.objects.filter(since, allocation_id__in=list(found), session_date__lte=end).order_by()
    for row in logs.values("allocation_id", "attended", "missed_reason").annotate(n=Count("pk")):
        _count(found[row["allocation_id"]], row["attended"], row["missed_reason"], row["n"])
    return list(found.values())


MISSED_WORDS: dict[str, str] = {
    MissedReason.PUPIL_ABSENT: "pupil absent",
    MissedReason.STAFF_ABSENT: "staff absent",
    MissedReason.CANCELLED: "cancelled",
}
