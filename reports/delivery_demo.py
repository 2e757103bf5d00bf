"""Demo data for promised versus delivered. Every demo plan promises 2 hours of a social communication group
a week and 0.6 hours of transition support a day: 5 hours a week. In each school these lines are mapped to
the school's two provisions for them and this term's sessions are logged. The pupil whose plan has been in
force longest gets about 3 of the 5 hours (a group session a week lost to staff absence, transition support
missed on Tuesdays, when they are absent, and on Fridays, when it is cancelled); the others nearly all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ehcp.queries import current_provision_lines
from graduated import services as graduated
from graduated.models import Allocation, Cycle, DeliveryLog, MissedReason, Provision, StaffRole, Wave
from register.models import BroadArea
from trusts.dates import academic_year_of
from trusts.models import Membership, Role, School
from trusts.school_days import school_years

from .delivery import map_line

GROUP = "Social communication group (small group)"
TRANSITION = "Morning transition support (one to one)"


def _provision(
    school: School, senco: Any, name: str, *, per_week: Decimal, minutes: int, size: int, start: Any
) -> Provision:
    found = Provision.objects.filter(school=school, name=name).first()
    if found is not None:
        return found
    return graduated.save_provision(
        school=school,
        actor=senco,
        name=name,
        wave=Wave.TWO if size > 1 else Wave.THREE,
        area=BroadArea.COMMUNICATION,
        staff_role=StaffRole.TA,
        group_size=size,
        sessions_per_week=per_week,
        minutes_per_session=minutes,
        start_date=start,
        description="Practising turn-taking, asking for help and starting the day calmly.",
    )


def _pattern(showcase: bool, index: int, weekday: int) -> list[tuple[str, bool, str]]:
    """What happened on one school day: (which provision, attended, why missed). The showcase pupil gets about
    3 of their 5 hours a week; the others nearly everything, missing the odd session through absence."""
    day: list[tuple[str, bool, str]] = []
    if showcase:
        if weekday == 0:
            day.append((GROUP, True, ""))
        if weekday == 3:
            day.append((GROUP, False, MissedReason.STAFF_ABSENT))
        missed = {1: MissedReason.PUPIL_ABSENT, 4: MissedReason.CANCELLED}.get(weekday, "")
        day.append((TRANSITION, not missed, missed))
        return day
    away = index % 11 == 7
    if weekday in (0, 3):
        day.append((GROUP, not away, MissedReason.PUPIL_ABSENT if away else ""))
    day.append((TRANSITION, not away, MissedReason.PUPIL_ABSENT if away else ""))
    return day


@transaction.atomic
def _seed_school(school: School, senco: Any, today: Any) -> int:
    lines = current_provision_lines(schools=[school])
    if not lines or Provision.objects.filter(school=school, name=GROUP).exists():
        return 0
    year = school_years([school], academic_year_of(today))[school.pk]
    term_start, _ = year.term_of(today)
    group = _provision(school, senco, GROUP, per_week=Decimal(2), minutes=60, size=6, start=term_start)
    transition = _provision(school, senco, TRANSITION, per_week=Decimal(5), minutes=40, size=1, start=term_start)
    by_name = {GROUP: group, TRANSITION: transition}
    by_pupil: dict[int, list[Any]] = {}
    for line in lines:
        by_pupil.setdefault(line.version.plan.pupil_id, []).append(line)
    open_cycles = {
        c.pupil_id: c
        for c in Cycle.objects.filter(pupil_id__in=by_pupil, status__in=[Cycle.Status.ASSESSING, Cycle.Status.ACTIVE])
    }

    def first_day(mine: list[Any]) -> Any:
        cycle = open_cycles[mine[0].version.plan.pupil_id]
        return max(term_start, cycle.started_on, mine[0].version.issued_on)

    # The demo's support cycles began a few weeks ago; a plan's provision runs all term. A first cycle (none
    # before it to overlap) is dated back to when the plan's promise began this term, so that sessions can be
    # logged in it; the pupil whose plan has been in force longest is the showcase.
    for pupil_id, mine in by_pupil.items():
        cycle = open_cycles.get(pupil_id)
        begins = max(term_start, mine[0].version.issued_on)
        if cycle is not None and cycle.previous_id is None and cycle.started_on > begins:
            cycle.started_on = begins
            Cycle.objects.filter(pk=cycle.pk).update(started_on=begins)
    ready = [m for m in by_pupil.values() if m[0].version.plan.pupil_id in open_cycles]
    ordered = sorted(
        (m for m in ready if first_day(m) <= max(term_start, m[0].version.issued_on)),
        key=lambda m: (m[0].version.issued_on, m[0].version.plan.pupil_id),
    )
    logs = []
    seeded = 0
    for mine in ordered:
        pupil = mine[0].version.plan.pupil
        cycle = open_cycles[pupil.pk]
        showcase = seeded == 0
        allocations = {
            name: Allocation.objects.filter(cycle=cycle, provision=p).first()
            or graduated.allocate_provision(cycle=cycle, actor=senco, provision=p)
            for name, p in by_name.items()
        }
        for line in mine:
            words = line.description.lower()
            if "social communication" in words:
                map_line(line=line, provision_ids=[group.pk], actor=senco, pupil=pupil)
            elif "transition" in words:
                map_line(line=line, provision_ids=[transition.pk], actor=senco, pupil=pupil)
        first = first_day(mine)
        for index, day in enumerate(d for d in year.days if first <= d < today):
            for name, attended, reason in _pattern(showcase, index + pupil.pk, day.weekday()):
                logs.append(
                    DeliveryLog(
                        trust_id=school.trust_id,
                        school_id=school.pk,
                        pupil_id=pupil.pk,
                        cycle=cycle,
                        allocation=allocations[name],
                        session_date=day,
                        attended=attended,
                        missed_reason=reason,
                        logged_by=senco,
                    )
                )
        seeded += 1
    DeliveryLog.objects.bulk_create(logs)
    return seeded


def seed_delivery(objects: dict[str, Any]) -> str:
    """Runs with the tenant scope disabled (seed_demo), after the plans and the support cycles."""
    today = timezone.localdate()
    seeded = 0
    for school in School.objects.order_by("pk"):
        membership = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
        if membership is not None:
            seeded += _seed_school(school, membership.user, today)
    return f"Promised versus delivered: {seeded} pupils with mapped plan provision and this term's sessions."
