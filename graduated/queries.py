"""Reads of the graduated approach, reused by views, the SENCO home page, the parent portal and reports.

Every function runs a fixed number of queries whatever the number of pupils (prefetching, no loops of
queries), and who-sees-what lives here: `readable_pupils`, `may_log_delivery`, `plan_for_parent`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from pupils.models import Pupil
from pupils.queries import own_pupils
from register.models import BroadArea, SenStatus
from trusts.models import School
from trusts.permissions import can, schools_where

from . import costs
from .models import (
    Allocation,
    AssessmentResult,
    Cycle,
    DeliveryLog,
    Outcome,
    ParentMeeting,
    Provision,
    StaffRate,
    StaffRole,
    Strategy,
)

# "Due for review" on the SENCO's list: a plan whose review date falls in the next two weeks.
DUE_WITHIN_DAYS = 14
# CoP 6.65: schools should meet parents of pupils on SEN support at least three times a year.
MEETINGS_PER_YEAR = 3
OPEN = [Cycle.Status.ASSESSING, Cycle.Status.ACTIVE]


def _today() -> date:
    return timezone.localdate()


def on_roll(prefix: str = "") -> Q:
    today = _today()
    return Q(**{f"{prefix}leaving_date": None}) | Q(**{f"{prefix}leaving_date__gt": today})


# Who sees what ---------------------------------------------------------------------------------------------


def readable_pupils(user: Any) -> QuerySet[Pupil]:
    """Pupils whose support plans and passports the person may read: every pupil of a school where they
    do casework (SENCO, headteacher, inclusion lead), and a teacher's or TA's own pupils."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    rule = Q(pk__in=[])
    schools = schools_where(user, "plan.change")
    if schools:
        rule |= Q(school__in=schools)
    if can(user, "plan.view_own"):
        rule |= Q(pk__in=own_pupils(user).values("pk"))
    return Pupil.objects.filter(rule)


def can_edit_plans(user: Any, pupil: Pupil) -> bool:
    return can(user, "plan.change", pupil)


def may_log_delivery(user: Any, pupil: Pupil) -> bool:
    """Casework staff of the pupil's school, or a teacher or TA who teaches or supports the pupil."""
    if can(user, "delivery.log", pupil):
        return True
    return can(user, "delivery.log_own", pupil) and own_pupils(user).filter(pk=pupil.pk).exists()


def loggable_pupils(user: Any) -> QuerySet[Pupil]:
    """Pupils the person may log sessions for (the same rule as `may_log_delivery`, as a queryset)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    rule = Q(pk__in=[])
    schools = schools_where(user, "delivery.log")
    if schools:
        rule |= Q(school__in=schools)
    own_schools = schools_where(user, "delivery.log_own")
    if own_schools:
        rule |= Q(pk__in=own_pupils(user).values("pk"), school__in=own_schools)
    return Pupil.objects.filter(rule)


def visible_cycles(user: Any) -> QuerySet[Cycle]:
    return Cycle.objects.filter(pupil__in=readable_pupils(user)).select_related("pupil", "school")


# One pupil ---------------------------------------------------------------------------------------------------


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


def _scores() -> Any:
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
            Prefetch("outcomes", queryset=Outcome.objects.prefetch_related(_scores())),
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


def academic_year_bounds(academic_year: int) -> tuple[date, date]:
    return date(academic_year, 9, 1), date(academic_year + 1, 8, 31)


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


# The SENCO's lists ----------------------------------------------------------------------------------------------


def cycles_due_for_review(school: School, *, today: date | None = None) -> QuerySet[Cycle]:
    """Plans in place whose review date is today or in the next two weeks (soonest first)."""
    today = today or _today()
    return (
        Cycle.objects.filter(
            school=school,
            status=Cycle.Status.ACTIVE,
            review_date__gte=today,
            review_date__lte=today + timedelta(days=DUE_WITHIN_DAYS),
        )
        .filter(on_roll("pupil__"))
        .select_related("pupil")
        .order_by("review_date", "pupil__legal_surname", "pk")
    )


def overdue_reviews(school: School, *, today: date | None = None) -> QuerySet[Cycle]:
    """Plans in place whose review date has passed without a review (oldest first)."""
    today = today or _today()
    return (
        Cycle.objects.filter(school=school, status=Cycle.Status.ACTIVE, review_date__lt=today)
        .filter(on_roll("pupil__"))
        .select_related("pupil")
        .order_by("review_date", "pupil__legal_surname", "pk")
    )


def pupils_short_of_parent_meetings(school: School, academic_year: int) -> QuerySet[Pupil]:
    """Pupils on SEN support (K) at the school whose parents have had fewer than three meetings this
    school year (CoP 6.65), each annotated with `meetings_this_year`, fewest first."""
    start, end = academic_year_bounds(academic_year)
    return (
        Pupil.objects.filter(school=school, register_entry__status=SenStatus.SEN_SUPPORT)
        .filter(on_roll())
        .annotate(
            meetings_this_year=Count(
                "parent_meetings", filter=Q(parent_meetings__held_on__gte=start, parent_meetings__held_on__lte=end)
            )
        )
        .filter(meetings_this_year__lt=MEETINGS_PER_YEAR)
        .order_by("meetings_this_year", "legal_surname", "legal_forename", "pk")
    )


def support_pupils(school: School, academic_year: int) -> QuerySet[Pupil]:
    """Pupils on SEN support or with an EHC plan, each with `open_cycles` (0 or 1) and `meetings_this_year`."""
    start, end = academic_year_bounds(academic_year)
    return (
        Pupil.objects.filter(school=school, register_entry__status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .filter(on_roll())
        .select_related("register_entry")
        .annotate(
            meetings_this_year=Count(
                "parent_meetings", filter=Q(parent_meetings__held_on__gte=start, parent_meetings__held_on__lte=end)
            )
        )
        .prefetch_related(
            Prefetch("support_cycles", queryset=Cycle.objects.filter(status__in=OPEN), to_attr="open_cycles")
        )
        .order_by("legal_surname", "legal_forename", "pk")
    )


def support_counts(school: School, *, today: date | None = None) -> dict[str, int]:
    """The numbers on the SENCO's home page, in three queries."""
    today = today or _today()
    from trusts.calendar_defaults import academic_year_of

    return {
        "due": cycles_due_for_review(school, today=today).count(),
        "overdue": overdue_reviews(school, today=today).count(),
        "short_of_meetings": pupils_short_of_parent_meetings(school, academic_year_of(today)).count(),
    }


# The catalogue and the provision map --------------------------------------------------------------------------


def rates_for(school: School | int) -> dict[str, Decimal]:
    """The school's hourly rate for each kind of staff (a school or its id)."""
    school_id = school if isinstance(school, int) else school.pk
    return dict(StaffRate.objects.filter(school_id=school_id).values_list("role", "hourly_rate"))


def catalogue(school: School) -> QuerySet[Provision]:
    return Provision.objects.filter(school=school).order_by("wave", "name")


def running_provisions(school: School, *, today: date | None = None) -> QuerySet[Provision]:
    today = today or _today()
    return catalogue(school).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def provision_summary(school: School) -> list[dict[str, Any]]:
    """The provision the school runs, for its SEN information report: name, wave and area of need."""
    return [
        {"name": p.name, "wave": p.wave, "area": BroadArea(p.area).label if p.area else ""}
        for p in running_provisions(school)
    ]


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


def _current_allocations(school: School) -> QuerySet[Allocation]:
    today = _today()
    return (
        Allocation.objects.filter(school=school, cycle__status__in=OPEN, cycle__pupil__school=school)
        .filter(on_roll("cycle__pupil__"))
        .filter(Q(provision__end_date__isnull=True) | Q(provision__end_date__gte=today))
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


# For parents -----------------------------------------------------------------------------------------------------


def plan_for_parent(pupil: Pupil) -> dict[str, Any] | None:
    """What a parent may read of their child's SEN support: the plan in place (one-page profile, outcomes,
    provision, classroom strategies, review date) and what was agreed at meetings, only items marked for
    parents and never staff notes. None when there is nothing to show."""
    cycle = (
        Cycle.objects.filter(pupil=pupil, status=Cycle.Status.ACTIVE)
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.filter(share_with_parents=True)),
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
            outcomes=[
                {
                    "description": o.description,
                    "baseline": o.baseline,
                    "target": o.target,
                    "measured_by": o.measured_by,
                }
                for o in cycle.outcomes.all()
            ],
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


# The EHC needs-assessment evidence pack (rendered by reports) -------------------------------------------------


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
            Prefetch("outcomes", queryset=Outcome.objects.prefetch_related(_scores())),
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
