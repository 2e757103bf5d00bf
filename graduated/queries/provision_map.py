"""The provision map: what each pupil receives and what it costs, on screen and as CSV."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet

from pupils.models import Pupil
from register.models import BroadArea
from trusts.models import School

from .. import costs
from ..models import Allocation, Provision, StaffRole
from ._common import OPEN, _today
from .access import on_roll
from .catalogue import rates_for, running_provisions


@dataclass(frozen=True)
class MapFilters:
    area: str = ""
    year: str = ""
    wave: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.area or self.year or self.wave)


@dataclass
class MapRow:
    """One provision of the map with the pupils it is planned for."""

    provision: Provision
    rate: Decimal | None
    hours_per_pupil: Decimal  # exact; shown rounded
    cost_per_pupil: Decimal  # to the penny
    pupils: list[Pupil] = field(default_factory=list)
    pupil_links: str = ""  # the pupils as links, joined by the page (graduated.views.catalogue)
    impact: Any = None  # graduated.queries.impact.Impact, set by `with_impact`

    @property
    def groups(self) -> int:
        return math.ceil(len(self.pupils) / self.provision.group_size)

    @property
    def total_cost(self) -> Decimal:
        return self.cost_per_pupil * len(self.pupils)

    @property
    def staff_hours(self) -> Decimal:
        """Adult hours a year to run enough groups for these pupils."""
        return self.hours_per_pupil * self.groups


@dataclass
class PupilTotal:
    pupil: Pupil
    hours: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    provisions: list[str] = field(default_factory=list)

    @property
    def over_threshold(self) -> bool:
        return costs.over_threshold(self.cost)


@dataclass
class ProvisionMap:
    school: School
    filters: MapFilters
    rows: list[MapRow]
    pupils: list[PupilTotal]
    missing_rates: list[str]

    @property
    def total_cost(self) -> Decimal:
        return sum((r.total_cost for r in self.rows), Decimal(0))

    @property
    def over_threshold(self) -> list[PupilTotal]:
        return [p for p in self.pupils if p.over_threshold]


MAP_PUPIL_FIELDS = (
    "id",
    "trust_id",
    "school_id",
    "upn",
    "legal_surname",
    "legal_forename",
    "preferred_forename",
    "preferred_surname",
    "year_group",
)


def counted_allocations(schools: list[School]) -> QuerySet[Allocation]:
    """Which provision counts, the one definition for the provision map and the trust's cost figures: what
    is planned in an open support cycle (assessing or active) of a pupil still on roll at that school, for a
    provision that has not ended."""
    today = _today()
    return (
        Allocation.objects.filter(school__in=schools, cycle__status__in=OPEN, cycle__pupil__school=F("school"))
        .filter(on_roll("cycle__pupil__"))
        .filter(Q(provision__end_date__isnull=True) | Q(provision__end_date__gte=today))
    )


def _current_allocations(school: School) -> QuerySet[Allocation]:
    return (
        counted_allocations([school])
        .select_related("provision", "cycle__pupil")
        # Only what the map shows: a cycle's long texts and every row's timestamps cost more to load than
        # the query itself at a 1,000-pupil school.
        .only(
            "id",
            "trust_id",
            "school_id",
            "cycle_id",
            "provision_id",
            "cycle__id",
            "cycle__trust_id",
            "cycle__pupil_id",
            *(f"cycle__pupil__{f}" for f in MAP_PUPIL_FIELDS),
        )
        .defer("provision__created_at", "provision__updated_at", "provision__description")
        .order_by("cycle__pupil__legal_surname", "cycle__pupil__legal_forename", "pk")
    )


def provision_map(school: School, filters: MapFilters | None = None) -> ProvisionMap:
    """Every running provision with the pupils of open cycles planned for it, hours and cost (see `costs`).

    Filters narrow the provisions (area of need, wave) and the pupils (year group); each pupil's total
    always counts all their provision, so the £6,000 flag does not depend on the filters. Three queries.
    """
    filters = filters or MapFilters()
    rates = rates_for(school)
    provisions = running_provisions(school)
    if filters.area:
        provisions = provisions.filter(area=filters.area)
    if filters.wave:
        provisions = provisions.filter(wave=filters.wave)
    rows: dict[int, MapRow] = {}
    missing: set[str] = set()
    for p in provisions:
        rate = rates.get(p.staff_role)
        if rate is None:
            missing.add(p.staff_role)
        rows[p.pk] = MapRow(
            provision=p,
            rate=rate,
            hours_per_pupil=p.hours_per_year,
            cost_per_pupil=costs.cost_per_pupil(p.sessions_per_week, p.minutes_per_session, rate or 0, p.group_size),
        )
    totals: dict[int, PupilTotal] = {}
    shown: set[int] = set()
    for a in _current_allocations(school):
        pupil, p = a.cycle.pupil, a.provision
        rate = rates.get(p.staff_role) or Decimal(0)
        total = totals.setdefault(pupil.pk, PupilTotal(pupil=pupil))
        total.hours += p.hours_per_year
        total.cost += costs.cost_per_pupil(p.sessions_per_week, p.minutes_per_session, rate, p.group_size)
        total.provisions.append(p.name)
        row = rows.get(p.pk)
        if row is not None and (not filters.year or pupil.year_group == filters.year):
            row.pupils.append(pupil)
            shown.add(pupil.pk)
    visible_rows = [r for r in rows.values() if r.pupils or not filters.year]
    pupils = sorted((totals[pk] for pk in shown), key=lambda t: (-t.cost, t.pupil.legal_surname, t.pupil.pk))
    return ProvisionMap(
        school=school,
        filters=filters,
        rows=visible_rows,
        pupils=pupils,
        missing_rates=[StaffRole(r).label for r in sorted(missing)],
    )


def provision_map_csv_rows(pmap: ProvisionMap) -> list[list[str]]:
    """The map as CSV rows: one per pupil in each provision (provisions with no pupils get one row)."""
    totals = {t.pupil.pk: t for t in pmap.pupils}
    out: list[list[str]] = []
    for row in pmap.rows:
        p = row.provision
        common = [
            p.name,
            str(p.wave),
            BroadArea(p.area).label,
            StaffRole(p.staff_role).label,
            str(p.group_size),
            f"{p.sessions_per_week.normalize():f}",
            str(p.minutes_per_session),
            f"{costs.hours(row.hours_per_pupil)}",
            f"{row.rate}" if row.rate is not None else "",
            f"{row.cost_per_pupil}",
        ]
        if not row.pupils:
            out.append(common + ["", "", "", "", ""])
        for pupil in row.pupils:
            total = totals[pupil.pk]
            out.append(
                common
                + [
                    pupil.display_name,
                    pupil.upn,
                    pupil.year_group,
                    f"{costs.money(total.cost)}",
                    "yes" if total.over_threshold else "",
                ]
            )
    return out
