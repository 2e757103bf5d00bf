"""Reads of the ehcp app: deadlines, assessments and plans a person may see, with stable query counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from pupils.models import Pupil
from trusts.models import School, User
from trusts.permissions import schools_where

from .models import Deadline, EhcPlan, NeedsAssessment, PhaseTransfer, PlanVersion

Status = Deadline.Status
ACTIVE = [Status.OPEN, Status.MISSED]


def deadline_schools(user: User) -> list[School]:
    """Schools whose deadlines the person may see: casework roles only (SENCO, headteacher, inclusion lead).

    Never parents, governors, trustees, teachers or teaching assistants: the permission map gives them no
    "deadline.view".
    """
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return []
    return schools_where(user, "deadline.view")


def deadlines_visible_to(user: User) -> QuerySet[Deadline]:
    """Every deadline of the schools where the person does casework, with pupil and school joined."""
    schools = deadline_schools(user)
    if not schools:
        return Deadline.objects.none()
    return Deadline.objects.filter(school__in=schools).select_related("pupil", "school")


@dataclass
class DeadlineBuckets:
    today: date
    overdue: list[Deadline] = field(default_factory=list)
    this_week: list[Deadline] = field(default_factory=list)
    next_four_weeks: list[Deadline] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.this_week) + len(self.next_four_weeks)


def deadline_buckets(user: User, *, today: date | None = None, school: School | None = None) -> DeadlineBuckets:
    """Open deadlines that are overdue (or missed and not yet done), due in the next 7 days (today
    included), or in the 4 weeks after that. One query for the deadlines, whatever their number."""
    today = today or timezone.localdate()
    week_end = today + timedelta(days=6)
    horizon = week_end + timedelta(weeks=4)
    qs = deadlines_visible_to(user).filter(status__in=ACTIVE, due__lte=horizon).order_by("due", "id")
    if school is not None:
        qs = qs.filter(school=school)
    buckets = DeadlineBuckets(today=today)
    for d in qs:
        if d.due < today:
            buckets.overdue.append(d)
        elif d.due <= week_end:
            buckets.this_week.append(d)
        else:
            buckets.next_four_weeks.append(d)
    return buckets


@dataclass(frozen=True)
class DeadlineFilters:
    school: int | None = None
    rule: str = ""
    status: str = ""
    responsible: str = ""
    due_from: date | None = None
    due_to: date | None = None


def filtered_deadlines(user: User, filters: DeadlineFilters) -> QuerySet[Deadline]:
    qs = deadlines_visible_to(user)
    if filters.school:
        qs = qs.filter(school_id=filters.school)
    if filters.rule:
        qs = qs.filter(rule_id=filters.rule)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.responsible:
        qs = qs.filter(responsible=filters.responsible)
    if filters.due_from:
        qs = qs.filter(due__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(due__lte=filters.due_to)
    return qs.order_by("due", "id")


def deadlines_for_calendar(user: User) -> QuerySet[Deadline]:
    """Open deadlines (and missed ones still to do) for a person's calendar feed."""
    return deadlines_visible_to(user).filter(status__in=ACTIVE).order_by("due", "id")


def pupil_deadlines(pupil: Pupil) -> QuerySet[Deadline]:
    return Deadline.objects.filter(pupil=pupil).order_by("due", "id")


def subject_deadlines(subject_type: str, subject_id: int) -> list[Deadline]:
    return list(Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("due", "id"))


# Assessments and plans ----------------------------------------------------------------------------


def assessments_visible_to(user: User) -> QuerySet[NeedsAssessment]:
    schools = schools_where(user, "casework.view")
    return NeedsAssessment.objects.filter(school__in=schools).select_related("pupil", "school")


def plans_visible_to(user: User) -> QuerySet[EhcPlan]:
    schools = schools_where(user, "casework.view")
    return EhcPlan.objects.filter(school__in=schools).select_related("pupil", "school")


def plan_versions_visible_to(user: User) -> QuerySet[PlanVersion]:
    schools = schools_where(user, "casework.view")
    return PlanVersion.objects.filter(plan__school__in=schools).select_related("plan", "plan__pupil")


def plan_with_versions(plan: EhcPlan) -> list[PlanVersion]:
    """Every version of a plan, newest first, with outcomes and their provision (three queries)."""
    from .models import PlanOutcome, ProvisionLine

    return list(
        PlanVersion.objects.filter(plan=plan)
        .order_by("-number")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=PlanOutcome.objects.order_by("position", "id").prefetch_related(
                    Prefetch("provision", queryset=ProvisionLine.objects.order_by("id"))
                ),
            ),
        )
    )


@dataclass(frozen=True)
class ParentPlanOutcome:
    text: str
    provision: list[str]


@dataclass(frozen=True)
class ParentEhcPlan:
    """The pupil's current EHC plan as the parent portal shows it (the family holds the whole plan already)."""

    issued_on: date
    local_authority: str
    placement: str
    version: int
    outcomes: list[ParentPlanOutcome]
    other_provision: list[str]
    review_due: date | None


def _provision_words(line: Any) -> str:
    hours = f"{line.hours.normalize():f} hours " if line.hours else ""
    return f"{line.description} ({hours}{line.frequency}, by {line.delivered_by})"


def ehc_plan_for_parent(pupil: Pupil) -> ParentEhcPlan | None:
    """The current version of the pupil's active EHC plan: outcomes (section E) with the provision linked to
    them (section F), and the date by which the next annual review must be held (R1). Four queries; None
    when the pupil has no active plan."""
    from .models import PlanOutcome, ProvisionLine

    version = (
        PlanVersion.objects.filter(plan__pupil=pupil, plan__ceased_on=None)
        .select_related("plan")
        .order_by("-plan__first_issued_on", "-number")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=PlanOutcome.objects.order_by("position", "id").prefetch_related(
                    Prefetch("provision", queryset=ProvisionLine.objects.order_by("id"))
                ),
            ),
            Prefetch(
                "provision", queryset=ProvisionLine.objects.filter(outcome=None).order_by("id"), to_attr="unlinked"
            ),
        )
        .first()
    )
    if version is None:
        return None
    r1 = (
        Deadline.objects.filter(subject_type="ehc_plan", subject_id=version.plan_id, rule_id="R1", status__in=ACTIVE)
        .values_list("statutory_due", flat=True)
        .first()
    )
    return ParentEhcPlan(
        issued_on=version.plan.first_issued_on,
        local_authority=version.plan.local_authority,
        placement=version.placement,
        version=version.number,
        outcomes=[
            ParentPlanOutcome(o.text, [_provision_words(p) for p in o.provision.all()])  # type: ignore[attr-defined]
            for o in version.outcomes.all()  # type: ignore[attr-defined]
        ],
        other_provision=[_provision_words(p) for p in version.unlinked],  # type: ignore[attr-defined]
        review_due=r1,
    )


def phase_transfers_of(plan: EhcPlan) -> list[PhaseTransfer]:
    return list(PhaseTransfer.objects.filter(plan=plan))


def has_issued_plan(pupil: Pupil) -> bool:
    """register's rule "E only with an EHC plan record": an active plan with at least one issued version."""
    return EhcPlan.objects.filter(pupil=pupil, ceased_on=None, versions__isnull=False).exists()


def latest_assessment_end(pupil: Pupil, *, exclude: int | None = None) -> date | None:
    """When the pupil's last EHC needs assessment finished (X1 counts 6 months from it)."""
    qs = NeedsAssessment.objects.filter(
        pupil=pupil, outcome__in=[NeedsAssessment.Outcome.PLAN_ISSUED, NeedsAssessment.Outcome.NO_PLAN]
    ).exclude(outcome_on=None)
    if exclude:
        qs = qs.exclude(pk=exclude)
    last = qs.order_by("-outcome_on").values_list("outcome_on", flat=True).first()
    plan_issue = (
        EhcPlan.objects.filter(pupil=pupil)
        .order_by("-first_issued_on")
        .values_list("first_issued_on", flat=True)
        .first()
    )
    candidates = [d for d in (last, plan_issue) if d is not None]
    return max(candidates) if candidates else None


# Compliance (board reports) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceCounts:
    """Raw counts of statutory deadlines due in a period (waived ones left out), as the DfE reports them.

    Counts, never text: `reports.disclosure` decides what of them a reader may see."""

    due: int
    on_time: int
    la_due: int
    la_on_time: int
    exceptions: int
    plans_due: int
    plans_on_time: int
    plans_exceptions: int
    plans_exceptions_on_time: int


# "Met on time": met on or before the date the law sets (a trust's earlier internal target does not change
# it). The one definition for every compliance figure: the summary, each school's row, the board report.
MET_ON_TIME = Q(status=Status.MET, met_on__lte=F("statutory_due"))


def deadlines_counted(schools: list[School], period_start: date, period_end: date) -> QuerySet[Deadline]:
    """The deadlines a compliance figure counts: due by law in the period, waived ones left out."""
    return Deadline.objects.filter(school__in=schools, statutory_due__range=(period_start, period_end)).exclude(
        status=Status.WAIVED
    )


def deadlines_met_by_school(schools: list[School], period_start: date, period_end: date) -> dict[int, tuple[int, int]]:
    """(met on time, due) for each school, counted as `compliance_summary` counts them (one query)."""
    rows = (
        deadlines_counted(schools, period_start, period_end)
        .values("school")
        .annotate(due=Count("id"), on_time=Count("id", filter=MET_ON_TIME))
        .order_by()
    )
    result = {s.pk: (0, 0) for s in schools}
    for r in rows:
        result[r["school"]] = (r["on_time"], r["due"])
    return result


def compliance_summary(schools: list[School], period_start: date, period_end: date) -> ComplianceCounts:
    """Deadlines due in the period, met on time by law, with and without exceptions, in one query.

    Aggregates only (no pupil is named), for the board report and the school and trust figures, which
    pass them through disclosure control before anyone reads them.
    """
    qs = deadlines_counted(schools, period_start, period_end)
    on_time = MET_ON_TIME
    totals = qs.aggregate(
        due=Count("id"),
        on_time=Count("id", filter=on_time),
        la_due=Count("id", filter=Q(responsible="la")),
        la_on_time=Count("id", filter=on_time & Q(responsible="la")),
        exceptions=Count("id", filter=~Q(exception_kind="")),
        plans_due=Count("id", filter=Q(rule_id="A6")),
        plans_on_time=Count("id", filter=Q(rule_id="A6") & on_time),
        plans_exceptions=Count("id", filter=Q(rule_id="A6") & ~Q(exception_kind="")),
        plans_exceptions_on_time=Count("id", filter=Q(rule_id="A6") & ~Q(exception_kind="") & on_time),
    )
    return ComplianceCounts(**totals)


def current_provision_lines(*, schools: list[School] | None = None, pupil: Pupil | None = None) -> list[Any]:
    """The section F lines of the current version of every EHC plan in force (not ceased) at these schools, or
    of this pupil's plan, each with its version, plan and pupil: one query whatever their number. Ordered by
    pupil, then the line's place in the plan."""
    from django.db.models import Max, OuterRef, Subquery

    from .models import ProvisionLine

    newest = (
        PlanVersion.objects.filter(plan=OuterRef("version__plan"))
        .values("plan")
        .annotate(top=Max("number"))
        .values("top")[:1]
    )
    lines = ProvisionLine.objects.filter(version__plan__ceased_on=None, version__number=Subquery(newest))
    if pupil is not None:
        lines = lines.filter(version__plan__pupil=pupil)
    if schools is not None:
        lines = lines.filter(version__plan__school__in=schools)
    return list(
        lines.select_related("version__plan__pupil", "version__plan__school", "outcome").order_by(
            "version__plan__pupil__legal_surname", "version__plan__pupil__legal_forename", "version__plan", "pk"
        )
    )
