"""Promised versus delivered: what each EHC plan's section F promises, what the school scheduled and what it
delivered, for this term and this school year. Reads `ehcp` (the plan lines, their hours and frequency) and
`graduated` (allocations, session logs), which never import each other, joined by the SENCO's mapping
(`PlanProvisionLink`). A fixed number of queries for a pupil, a school or a whole trust.

How the hours are counted:
- promised: each line's hours per school week (`ehcp.provision_hours.weekly_hours`) times the school weeks
  (school days ÷ 5, from the school's own term dates) from the start of the period, or the day the current
  plan version was issued if later, to today;
- scheduled: for each school provision mapped to the plan, its sessions per week times minutes per session,
  over the school weeks it ran for the pupil in the period;
- delivered: the sessions logged as attended times the session's minutes; missed sessions are counted by
  reason (pupil absent, staff absent, cancelled).
A provision mapped to two lines of the plan counts once in the pupil's totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ehcp.models import ProvisionLine
from ehcp.provision_hours import weekly_hours
from ehcp.queries import current_provision_lines
from graduated.models import Provision
from graduated.queries import catalogue
from graduated.queries.delivery import MISSED_WORDS, AllocationDelivery, allocation_deliveries
from pupils.models import Pupil
from trusts import audit
from trusts.dates import academic_year_bounds, academic_year_of
from trusts.models import School, User
from trusts.school_days import SchoolYear, school_years

from .models import DeliverySetting, PlanProvisionLink

PERIODS = {"term": "This term", "year": "This school year"}
WEEK = Decimal(5)


THRESHOLD_CACHE_SECONDS = 300  # the most a process without the shared cache may show an old threshold


def _threshold_key(trust_id: int) -> str:
    return f"delivery:threshold:{trust_id}"


def threshold_of(trust_id: int) -> int:
    """The share of promised hours below which a pupil is flagged (the trust's setting, else 90%). Cached: the
    home page's work list reads it on every visit and it changes a few times a year (`save_threshold` clears it)."""

    def read() -> int:
        found = DeliverySetting.objects.filter(trust_id=trust_id).values_list("threshold_percent", flat=True).first()
        return found if found is not None else DeliverySetting.DEFAULT_THRESHOLD

    found = cache.get_or_set(_threshold_key(trust_id), read, timeout=THRESHOLD_CACHE_SECONDS)
    return found if isinstance(found, int) else read()


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date  # the period's last day, or yesterday if sooner: today's sessions may not be logged yet

    @property
    def words(self) -> str:
        return f"{self.label.lower()}, {self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def period_of(key: str, year: SchoolYear, today: date) -> Period:
    """This term or this school year, up to the end of yesterday (a period that starts today is empty)."""
    yesterday = today - timedelta(days=1)
    if key == "year":
        start, last = academic_year_bounds(academic_year_of(today))
        return Period("year", PERIODS["year"], start, min(last, yesterday))
    start, last = year.term_of(today)
    return Period("term", PERIODS["term"], start, min(last, yesterday))


def _weeks(year: SchoolYear, first: date, last: date) -> Decimal:
    return Decimal(year.days_between(first, last)) / WEEK


def _hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class LineFigures:
    line: ProvisionLine
    per_week: Decimal | None
    promised: Decimal | None
    deliveries: list[AllocationDelivery] = field(default_factory=list)

    @property
    def mapped(self) -> bool:
        return bool(self.deliveries)

    @property
    def delivered(self) -> Decimal:
        return _hours(sum((d.hours_delivered for d in self.deliveries), Decimal(0)))


@dataclass
class PupilDelivery:
    """One pupil's plan set against what was delivered in the period."""

    pupil: Pupil
    period: Period
    lines: list[LineFigures]
    scheduled: Decimal
    delivered: Decimal
    missed: dict[str, int]
    threshold: int

    @property
    def promised(self) -> Decimal:
        return _hours(sum((f.promised for f in self.lines if f.promised is not None), Decimal(0)))

    @property
    def gap(self) -> Decimal:
        return max(self.promised - self.delivered, Decimal(0))

    @property
    def percent(self) -> int | None:
        if self.promised <= 0:
            return None
        return int((self.delivered * 100 / self.promised).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def below(self) -> bool:
        """Delivery under the trust's threshold, once the school has mapped the plan to its provision (until
        then `unmapped` says what to do, and the work list asks for the mapping instead)."""
        mapped = any(f.mapped for f in self.lines)
        return mapped and self.percent is not None and self.percent < self.threshold

    @property
    def unmapped(self) -> list[LineFigures]:
        return [f for f in self.lines if f.promised and not f.mapped]

    @property
    def unquantified(self) -> list[LineFigures]:
        return [f for f in self.lines if f.per_week is None]

    @property
    def missed_words(self) -> list[tuple[str, int]]:
        return [(words, self.missed[reason]) for reason, words in MISSED_WORDS.items() if self.missed.get(reason)]

    @property
    def missed_total(self) -> int:
        return sum(self.missed.values())


def _deliveries(lines: list[Any], *, schools: list[School], key: str, today: date) -> list[PupilDelivery]:
    if not lines:
        return []
    years = school_years(schools, academic_year_of(today))
    periods = {school_id: period_of(key, year, today) for school_id, year in years.items()}
    links: dict[int, list[int]] = {}
    for line_id, provision_id in PlanProvisionLink.objects.filter(line__in=lines).values_list(
        "line_id", "provision_id"
    ):
        links.setdefault(line_id, []).append(provision_id)
    pupil_school = {line.version.plan.pupil_id: line.version.plan.school_id for line in lines}
    # The promise runs from the period's start, or from the day the current plan version was issued if later.
    begins = {
        line.version.plan.pupil_id: max(periods[line.version.plan.school_id].start, line.version.issued_on)
        for line in lines
    }
    found = allocation_deliveries(
        pupil_ids=pupil_school,
        provision_ids={p for ids in links.values() for p in ids},
        starts={school_id: period.start for school_id, period in periods.items()},
        end=max(p.end for p in periods.values()),
        pupil_starts={pupil: first for pupil, first in begins.items() if first > periods[pupil_school[pupil]].start},
    )
    by_pupil: dict[int, dict[int, list[AllocationDelivery]]] = {}
    for item in found:
        by_pupil.setdefault(item.pupil_id, {}).setdefault(item.provision_id, []).append(item)
    threshold = threshold_of(lines[0].trust_id)
    out: dict[int, PupilDelivery] = {}
    for line in lines:
        plan = line.version.plan
        school_id = plan.school_id
        year, period = years[school_id], periods[school_id]
        per_week = weekly_hours(line.hours, line.frequency)
        promised = None
        if per_week is not None:
            promised = _hours(per_week * _weeks(year, begins[plan.pupil_id], period.end))
        mine = by_pupil.get(plan.pupil_id, {})
        figures = LineFigures(line, per_week, promised, [d for p in links.get(line.pk, []) for d in mine.get(p, [])])
        entry = out.get(plan.pupil_id)
        if entry is None:
            entry = out[plan.pupil_id] = PupilDelivery(plan.pupil, period, [], Decimal(0), Decimal(0), {}, threshold)
        entry.lines.append(figures)
    for pupil_id, entry in out.items():
        period, year = entry.period, years[pupil_school[pupil_id]]
        mapped = {d.allocation_id: d for f in entry.lines for d in f.deliveries}
        scheduled = Decimal(0)
        delivered = Decimal(0)
        for d in mapped.values():
            first = max(begins[pupil_id], d.runs_from)
            last = min(period.end, d.runs_to) if d.runs_to else period.end
            scheduled += d.hours_per_week * _weeks(year, first, last)
            delivered += d.hours_delivered
            for reason, n in d.missed.items():
                entry.missed[reason] = entry.missed.get(reason, 0) + n
        entry.scheduled, entry.delivered = _hours(scheduled), _hours(delivered)
    return list(out.values())


def pupil_delivery(pupil: Pupil, *, key: str = "term", today: date | None = None) -> PupilDelivery | None:
    """The pupil's current EHC plan against delivery (None without a plan in force)."""
    today = today or timezone.localdate()
    found = _deliveries(current_provision_lines(pupil=pupil), schools=[pupil.school], key=key, today=today)
    return found[0] if found else None


def school_delivery(school: School, *, key: str = "term", today: date | None = None) -> list[PupilDelivery]:
    """Every pupil of the school with an EHC plan in force, most short of their promise first."""
    today = today or timezone.localdate()
    rows = _deliveries(current_provision_lines(schools=[school]), schools=[school], key=key, today=today)
    return sorted(rows, key=lambda r: (r.percent if r.percent is not None else 1000, r.pupil.legal_surname))


def delivery_table(rows: list[PupilDelivery]) -> tuple[list[str], list[list[object]]]:
    """The school's list as a table for its CSV: one row per pupil, the same figures as the page (no queries)."""
    header = ["Pupil", "UPN", "Year", "From", "To", "Promised hours", "Scheduled hours", "Delivered hours"]
    header += ["Gap hours", "Delivered %", "Below the threshold", "Plan lines not mapped", "Plan lines not quantified"]
    header += [f"Sessions missed: {words}" for words in MISSED_WORDS.values()]
    table: list[list[object]] = []
    for r in rows:
        row: list[object] = [r.pupil.display_name, r.pupil.upn, r.pupil.year_group, r.period.start, r.period.end]
        row += [r.promised, r.scheduled, r.delivered, r.gap, "" if r.percent is None else r.percent]
        row += ["Yes" if r.below else "No", len(r.unmapped), len(r.unquantified)]
        row += [r.missed.get(reason, 0) for reason in MISSED_WORDS]
        table.append(row)
    return header, table


@dataclass(frozen=True)
class SchoolTotals:
    school: School
    pupils: int  # pupils whose plan promises quantified hours and is mapped to the school's provision
    promised: Decimal
    delivered: Decimal
    below: int
    unmapped: int  # pupils whose plan promises hours but is not mapped to any provision yet

    @property
    def percent(self) -> int | None:
        if self.promised <= 0:
            return None
        return int((self.delivered * 100 / self.promised).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def totals_by_school(schools: list[School], *, key: str = "term", today: date | None = None) -> list[SchoolTotals]:
    """Per school: pupils with quantified plan provision, hours promised and delivered, pupils flagged."""
    today = today or timezone.localdate()
    rows = _deliveries(current_provision_lines(schools=schools), schools=schools, key=key, today=today)
    per: dict[int, list[PupilDelivery]] = {}
    unmapped: dict[int, int] = {}
    for row in rows:
        if row.promised <= 0:
            continue
        if any(f.mapped for f in row.lines):
            per.setdefault(row.pupil.school_id, []).append(row)
        else:
            unmapped[row.pupil.school_id] = unmapped.get(row.pupil.school_id, 0) + 1
    totals = []
    for school in schools:
        mine = per.get(school.pk, [])
        totals.append(
            SchoolTotals(
                school=school,
                pupils=len(mine),
                promised=sum((r.promised for r in mine), Decimal(0)),
                delivered=sum((r.delivered for r in mine), Decimal(0)),
                below=sum(1 for r in mine if r.below),
                unmapped=unmapped.get(school.pk, 0),
            )
        )
    return totals


@dataclass(frozen=True)
class ShortOfPlan:
    """For the SENCO's work list: this term's pupils whose delivery is below the trust's threshold (most short
    first), and how many plans promise hours but are not mapped to any provision yet."""

    below: list[PupilDelivery]
    unmapped: int
    threshold: int


def short_of_plan(schools: list[School], *, today: date | None = None) -> ShortOfPlan:
    today = today or timezone.localdate()
    rows = _deliveries(current_provision_lines(schools=schools), schools=schools, key="term", today=today)
    below = sorted((r for r in rows if r.below), key=lambda r: (r.percent or 0, r.pupil.legal_surname))
    unmapped = sum(1 for r in rows if r.promised > 0 and not any(f.mapped for f in r.lines))
    return ShortOfPlan(below, unmapped, rows[0].threshold if rows else DeliverySetting.DEFAULT_THRESHOLD)


def current_line(pupil: Pupil, line_id: int) -> ProvisionLine | None:
    """A section F line of the pupil's plan in force, in its current version (the only lines a SENCO maps)."""
    return next((line for line in current_provision_lines(pupil=pupil) if line.pk == line_id), None)


# Writes ---------------------------------------------------------------------------------------------------


def provisions_to_map(pupil: Pupil) -> list[Provision]:
    """The school's provisions a plan line may be mapped to."""
    return list(catalogue(pupil.school))


@transaction.atomic
def map_line(*, line: ProvisionLine, provision_ids: Iterable[int], actor: User, pupil: Pupil) -> list[int]:
    """Set which of the school's provisions deliver this plan line (replacing the previous mapping).
    Refuses a provision of another school. Returns the provision ids now mapped."""
    wanted = set(provision_ids)
    known = set(catalogue(pupil.school).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise ValidationError({"provisions": "Choose provisions this school runs."})
    current = set(PlanProvisionLink.objects.filter(line=line).values_list("provision_id", flat=True))
    PlanProvisionLink.objects.filter(line=line, provision_id__in=current - wanted).delete()
    PlanProvisionLink.objects.bulk_create(
        [
            PlanProvisionLink(
                trust_id=line.trust_id, school_id=pupil.school_id, line=line, provision_id=p, mapped_by=actor
            )
            for p in sorted(wanted - current)
        ]
    )
    if wanted != current:
        names = ", ".join(Provision.objects.filter(pk__in=wanted).order_by("name").values_list("name", flat=True))
        audit.record(
            actor=actor,
            action=audit.Action.CHANGE,
            obj=line,
            pupil_id=pupil.pk,
            summary=f"Plan provision “{line.description[:80]}” delivered by: {names or 'nothing mapped'}",
        )
    return sorted(wanted)


def carry_links(*, carried: dict[int, int]) -> None:
    """ehcp's PROVISION_CARRIED_HOOKS: an amended plan's lines keep their predecessors' mapping."""
    old = list(PlanProvisionLink.objects.filter(line_id__in=list(carried)))
    PlanProvisionLink.objects.bulk_create(
        [
            PlanProvisionLink(
                trust_id=link.trust_id,
                school_id=link.school_id,
                line_id=carried[link.line_id],
                provision_id=link.provision_id,
                mapped_by_id=link.mapped_by_id,
            )
            for link in old
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def save_threshold(*, trust_id: int, percent: int, actor: User) -> DeliverySetting:
    if not 1 <= percent <= 100:
        raise ValidationError({"threshold_percent": "Enter a share from 1% to 100%."})
    setting, _ = DeliverySetting.objects.update_or_create(
        trust_id=trust_id, defaults={"threshold_percent": percent, "changed_by": actor}
    )
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=setting, summary=f"Delivery flagged below {percent}%")
    # Cleared now for this process, and again once committed in case another read cached the old value meanwhile.
    cache.delete(_threshold_key(trust_id))
    transaction.on_commit(lambda: cache.delete(_threshold_key(trust_id)))
    return setting


# For families ---------------------------------------------------------------------------------------------

FAMILY_MISSED = {
    "pupil_absent": "{forename} was away",
    "staff_absent": "a member of staff was away",
    "cancelled": "the school cancelled it",
}


@dataclass(frozen=True)
class FamilyDelivery:
    """What the plan promised this term and what the school gave, in words a family reads (the portal)."""

    start: date
    end: date
    counted: bool  # the school has matched the plan's help to its timetable
    partly: bool  # some of the plan's help is not matched yet, so not counted here
    promised: Decimal
    delivered: Decimal
    percent: int | None
    missed: list[str]  # "2 times because Sam was away"


def family_delivery(pupil: Pupil, *, today: date | None = None) -> FamilyDelivery | None:
    """This term's promise and delivery for the parent portal (None without a plan that promises hours)."""
    figures = pupil_delivery(pupil, key="term", today=today)
    if figures is None or figures.promised <= 0:
        return None
    mapped = [f for f in figures.lines if f.mapped and f.promised]
    promised = _hours(sum((f.promised for f in mapped if f.promised is not None), Decimal(0)))
    missed = [
        f"{n} time{'s' if n != 1 else ''} because {words.format(forename=pupil.forename)}"
        for reason, words in FAMILY_MISSED.items()
        if (n := figures.missed.get(reason, 0))
    ]
    percent = None
    if promised:
        percent = int((figures.delivered * 100 / promised).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return FamilyDelivery(
        max(figures.period.start, figures.lines[0].line.version.issued_on),
        figures.period.end,
        bool(mapped),
        bool(figures.unmapped) and bool(mapped),
        promised,
        figures.delivered,
        percent,
        missed,
    )


def trust_delivery(schools: list[School], *, key: str = "term", today: date | None = None) -> dict[str, Any]:
    """The trust's schools side by side for trustees, the board report and the trust figures: each school's
    share of promised hours delivered and its pupils below the threshold, small numbers suppressed
    (`reports.disclosure`), and the trust's own rate. A fixed number of queries."""
    from .disclosure import suppress_delivery_rate, suppress_ratio

    totals = totals_by_school(schools, key=key, today=today)
    promised = sum((t.promised for t in totals), start=Decimal(0))
    delivered = sum((t.delivered for t in totals), start=Decimal(0))
    pupils = sum(t.pupils for t in totals)
    return {
        "rows": [
            {
                "school": t.school,
                "rate": suppress_delivery_rate(t.delivered, t.promised, pupils=t.pupils),
                "below": suppress_ratio(t.below, t.pupils),
            }
            for t in totals
        ],
        "trust_rate": suppress_delivery_rate(delivered, promised, pupils=pupils),
        "trust_below": suppress_ratio(sum(t.below for t in totals), pupils),
        "period_words": PERIODS[key].lower(),
    }
