"""Provision impact: for each provision of the map, how its pupils' scores moved and what that cost.

For each pupil's outcome scored in a session of the provision this academic year: the **entry** score is the
outcome's baseline number (or, without one, its first score logged in the provision's sessions) and the
**latest** is its last score logged there. A pupil is **improving** when the latest has moved from the
entry towards the outcome's target (up when the target is above the entry, down when below; up when no
target is set). **Points of progress** are that movement in the outcome's own units, summed over the
provision's pupils, so the cost per point compares like with like only within one provision (or several
that use the same measure). Cost per point = the provision's cost for the pupils measured (graduated.costs,
as on the map) ÷ points gained; none when nobody gained. One query, whatever the number of pupils.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from trusts.dates import academic_year_bounds, academic_year_of

from ..models import DeliveryLog
from .provision_map import MapRow


@dataclass(frozen=True)
class Impact:
    measured: int  # pupil outcomes with at least one score in this provision's sessions
    improving: int
    entry_mean: Decimal | None
    latest_mean: Decimal | None
    points: Decimal
    cost_per_point: Decimal | None

    @property
    def improving_percent(self) -> int | None:
        return round(100 * self.improving / self.measured) if self.measured else None


NO_EVIDENCE = Impact(0, 0, None, None, Decimal(0), None)


def _mean(values: list[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP) if values else None


def provision_impact(rows: list[MapRow], *, today: date) -> dict[int, Impact]:
    """Impact per provision id of `rows` (the provision map's rows), over this academic year."""
    start, end = academic_year_bounds(academic_year_of(today))
    scored = (
        DeliveryLog.objects.filter(
            allocation__provision_id__in=[r.provision.pk for r in rows],
            score__isnull=False,
            outcome__isnull=False,
            session_date__gte=start,
            session_date__lte=end,
        )
        .order_by("session_date", "pk")
        .values_list(
            "allocation__provision_id", "outcome_id", "score", "outcome__baseline_score", "outcome__target_score"
        )
    )
    first: dict[tuple[int, int], Decimal] = {}
    last: dict[tuple[int, int], Decimal] = {}
    shape: dict[tuple[int, int], tuple[Decimal | None, Decimal | None]] = {}
    for provision_id, outcome_id, score, baseline, target in scored:
        key = (provision_id, outcome_id)
        assert score is not None  # filtered above
        first.setdefault(key, score)
        last[key] = score
        shape[key] = (baseline, target)
    cost = {r.provision.pk: r.cost_per_pupil for r in rows}
    result: dict[int, Impact] = {}
    by_provision: dict[int, list[tuple[Decimal, Decimal, int]]] = {}
    for key, latest in last.items():
        baseline, target = shape[key]
        entry = baseline if baseline is not None else first[key]
        direction = -1 if (target is not None and target < entry) else 1
        by_provision.setdefault(key[0], []).append((entry, latest, direction))
    for provision_id, lines in by_provision.items():
        moved = [(latest - entry) * direction for entry, latest, direction in lines]
        points = sum((m for m in moved if m > 0), Decimal(0))
        spend = cost.get(provision_id, Decimal(0)) * len(lines)
        result[provision_id] = Impact(
            measured=len(lines),
            improving=sum(1 for m in moved if m > 0),
            entry_mean=_mean([e for e, _, _ in lines]),
            latest_mean=_mean([latest for _, latest, _ in lines]),
            points=points,
            cost_per_point=(spend / points).quantize(Decimal("0.01"), ROUND_HALF_UP) if points > 0 else None,
        )
    return result
