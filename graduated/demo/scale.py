"""The benchmark trust: bulk inserts, no services, hundreds of thousands of rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from register.models import BroadArea
from trusts.bulk import BulkWriter, new
from trusts.dates import academic_year_start

from ..models import Allocation, Cycle, DeliveryLog, Outcome, Provision, StaffRate, Strategy
from .content import BY_AREA, CATALOGUE, IMPORTANT, LIKED, OUTCOMES, RATES, STRATEGIES, SUPPORT, _area_of


def seed_scale(context: dict[str, Any]) -> str:
    """A catalogue per school and an open cycle with outcomes, provision and sessions for each pupil on SEN
    support of a `seed_scale` trust. Bulk writes (`context["write"]`, COPY on PostgreSQL) under the caller's
    transaction; the rows are linked in memory, never read back."""
    trust, schools, rng, today = context["trust"], context["schools"], context["rng"], context["today"]
    write = context.get("write") or BulkWriter().write
    start = academic_year_start(today)
    write(
        StaffRate(trust=trust, school=s, role=role, hourly_rate=Decimal(rate))
        for s in schools
        for role, rate in RATES.items()
    )
    provisions = write(
        Provision(
            trust=trust,
            school=s,
            name=p.name,
            description=p.description,
            wave=p.wave,
            area=p.area,
            staff_role=p.staff_role,
            group_size=p.group_size,
            sessions_per_week=p.sessions_per_week,
            minutes_per_session=p.minutes,
            start_date=start,
        )
        for s in schools
        for p in CATALOGUE
    )
    catalogue = {(p.school_id, p.name): p for p in provisions}
    support = [e for e in context["entries"] if e.status in {"K", "E"}]
    cycles = write(
        new(
            Cycle,
            trust=trust,
            school_id=e.school_id,
            pupil_id=e.pupil_id,
            number=1,
            status=Cycle.Status.ACTIVE,
            started_on=today - timedelta(days=40),
            planned_on=today - timedelta(days=35),
            review_date=today + timedelta(days=rng.randrange(-20, 60)),
            liked_admired=rng.choice(LIKED),
            important_to_me=rng.choice(IMPORTANT),
            how_to_support=rng.choice(SUPPORT),
            expected_impact="Closer to age-related expectations.",
        )
        for e in support
    )
    outcomes, strategies, allocations = [], [], []
    first_outcome: dict[int, Outcome] = {}
    for c, e in zip(cycles, support, strict=True):
        area = BroadArea(_area_of(e.primary_need))
        for i, (d, b, t, m, low, high) in enumerate(OUTCOMES[area], start=1):
            outcomes.append(
                new(
                    Outcome,
                    trust=trust,
                    cycle=c,
                    position=i,
                    description=d,
                    baseline=b,
                    target=t,
                    measured_by=m,
                    baseline_score=Decimal(low),
                    target_score=Decimal(high),
                )
            )
            if i == 1:
                first_outcome[c.pk] = outcomes[-1]
        strategies += [
            new(Strategy, trust=trust, cycle=c, position=i, text=s) for i, s in enumerate(STRATEGIES[area], 1)
        ]
        allocations += [
            new(Allocation, trust=trust, school_id=c.school_id, cycle=c, provision=catalogue[(c.school_id, n)])
            for n in BY_AREA[area]
        ]
    write(outcomes)
    write(strategies)
    write(allocations)
    logger = next(u for email, u in context["users"].items() if email.startswith("lead@"))
    logs = []
    for a in allocations:
        o = first_outcome.get(a.cycle_id)
        for week in range(4):
            logs.append(
                new(
                    DeliveryLog,
                    trust=trust,
                    school_id=a.school_id,
                    pupil_id=a.cycle.pupil_id,
                    cycle_id=a.cycle_id,
                    allocation=a,
                    outcome=o,
                    session_date=today - timedelta(days=28 - 7 * week),
                    attended=True,
                    score=(o.baseline_score or 0) + week if o else None,
                    logged_by=logger,
                )
            )
    write(logs)
    context["out"].write(f"  {len(cycles)} support cycles, {len(logs)} sessions")
    return f"{len(cycles)} support cycles"
