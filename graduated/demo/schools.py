"""Seeding the demo schools through the services: catalogue, cycles, deliveries and reviews."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pupils.models import GroupStaff, Pupil
from register.models import BroadArea, SenStatus
from trusts.dates import academic_year_start
from trusts.school_days import family_date

from .. import services
from ..models import Cycle, DeliveryLog, Provision
from .content import BY_AREA, CATALOGUE, HEAVY, IMPORTANT, LIKED, OUTCOMES, RATES, STAGES, STRATEGIES, SUPPORT, _area_of


@transaction.atomic
def seed_catalogue(school: Any, senco: Any, today: date) -> dict[str, Provision]:
    services.set_rates(school=school, actor=senco, rates={k: Decimal(v) for k, v in RATES.items()})
    start = academic_year_start(today)
    return {
        p.name: services.save_provision(
            school=school,
            actor=senco,
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
        for p in CATALOGUE
    }


def _fill_cycle(cycle: Cycle, *, area: str, provisions: list[Provision], senco: Any, rng: random.Random) -> None:
    services.update_assessment(
        cycle=cycle,
        actor=senco,
        assess_notes="Class assessments and observation show slower progress than peers from the same starting point.",
        pupil_views="I like it when someone helps me get started.",
        parent_views="We want them to feel confident and enjoy school.",
        liked_admired=cycle.liked_admired or rng.choice(LIKED),
        important_to_me=cycle.important_to_me or rng.choice(IMPORTANT),
        how_to_support=cycle.how_to_support or rng.choice(SUPPORT),
    )
    if not cycle.outcomes.exists():
        for description, baseline, target, measured, low, high in OUTCOMES[BroadArea(area)][: rng.choice([1, 2])]:
            services.add_outcome(
                cycle=cycle,
                actor=senco,
                description=description,
                baseline=baseline,
                target=target,
                measured_by=measured,
                baseline_score=Decimal(low),
                target_score=Decimal(high),
            )
    if not cycle.strategies.exists():
        for text in rng.sample(STRATEGIES[BroadArea(area)], k=2):
            services.add_strategy(cycle=cycle, actor=senco, text=text)
    planned = {a.provision_id for a in cycle.allocations.all()}
    for provision in provisions:
        if provision.pk not in planned:
            services.allocate_provision(cycle=cycle, actor=senco, provision=provision)


def _review(cycle: Cycle, *, reviewed_on: date, senco: Any, rng: random.Random) -> None:
    results = {}
    for o in cycle.outcomes.all():
        result = rng.choice(["achieved", "partly", "not", "partly"])
        evidence = {
            "achieved": "Met the target in the last three checks.",
            "partly": "Good progress but not yet at the target.",
            "not": "Little change since the baseline despite regular sessions.",
        }[result]
        results[o.pk] = (result, evidence)
    services.record_review(
        cycle=cycle,
        actor=senco,
        results=results,
        reviewed_on=reviewed_on,
        next_step=Cycle.NextStep.NEW_CYCLE,
        pupil_views="I can do more on my own now.",
        parent_views="Happy with the progress; would like more reading practice at home.",
        notes="Continue with an adjusted plan.",
    )


def _log_sessions(cycle: Cycle, *, logger: Any, today: date, rng: random.Random) -> list[DeliveryLog]:
    """About four weeks of sessions (or fewer if the plan is newer), with weekly scores rising to the target."""
    if cycle.planned_on is None:
        return []
    last = min(today, cycle.review_date or today)
    first = max(cycle.planned_on + timedelta(days=1), last - timedelta(weeks=4))
    outcomes = list(cycle.outcomes.all())
    logs = []
    for allocation in cycle.allocations.select_related("provision"):
        per_week = max(1, int(allocation.provision.sessions_per_week))
        weekdays = [0, 2, 4, 1, 3][:per_week]
        day, week = first, 0
        while day <= last:
            if day.weekday() in weekdays:
                attended = rng.random() < 0.9
                outcome = (
                    outcomes[week % len(outcomes)] if outcomes and attended and day.weekday() == weekdays[0] else None
                )
                score = None
                if outcome is not None and outcome.baseline_score is not None and outcome.target_score is not None:
                    progress = min(1.0, (day - cycle.planned_on).days / 70)
                    gap = outcome.target_score - outcome.baseline_score
                    raw = outcome.baseline_score + gap * Decimal(str(round(progress * rng.uniform(0.6, 1.0), 2)))
                    score = raw.quantize(Decimal(1))
                logs.append(
                    DeliveryLog(
                        trust_id=cycle.trust_id,
                        school_id=cycle.school_id,
                        pupil_id=cycle.pupil_id,
                        cycle=cycle,
                        allocation=allocation,
                        outcome=outcome if score is not None else None,
                        session_date=day,
                        attended=attended,
                        note="" if attended else "Absent from school",
                        score=score,
                        logged_by=logger,
                    )
                )
            if day.weekday() == 6:
                week += 1
            day += timedelta(days=1)
    return logs


def _plan_dates(kind: str, today: date, start: date, school: Any, rng: random.Random) -> tuple[date, date]:
    planned = min(start + timedelta(days=7), today)
    if kind == "overdue":
        review = max(planned + timedelta(days=1), today - timedelta(days=rng.randrange(3, 20)))
        return planned, family_date(school=school, day=review, after=planned)
    if kind == "due":
        return planned, family_date(
            school=school, day=today + timedelta(days=rng.randrange(0, 14)), after=today - timedelta(days=1)
        )
    review = services.default_review_date(school=school, on=today)
    if review <= today + timedelta(days=14):
        review = family_date(school=school, day=today + timedelta(days=rng.randrange(21, 50)), after=today)
    return planned, review


@transaction.atomic
def seed_school(school: Any, senco: Any, ta_groups: dict[int, Any], rng: random.Random, today: date) -> tuple:
    if Provision.objects.filter(school=school).exists():
        return 0, 0, 0
    catalogue = seed_catalogue(school, senco, today)
    pupils = list(
        Pupil.objects.filter(school=school, register_entry__status=SenStatus.SEN_SUPPORT, leaving_date=None)
        .select_related("register_entry")
        .order_by("pk")
    )
    logs: list[DeliveryLog] = []
    cycles = meetings = 0
    for i, pupil in enumerate(pupils):
        # The shape of each school's caseload is fixed by position (every school gets each state whatever
        # the date); the rest varies with the seeded generator.
        if i % 8 == 7:
            continue  # a few pupils newly on SEN support: no cycle yet
        entry = pupil.register_entry
        area = _area_of(entry.primary_need)
        names = list(BY_AREA[BroadArea(area)][: rng.choice([1, 2])])
        if i % 16 == 5:
            names = HEAVY  # a few pupils with wave 3 support over the notional £6,000
        provisions = [catalogue[n] for n in names]
        since = entry.since
        roll = rng.random()
        if roll < 0.3 and since <= today - timedelta(days=150):
            # A cycle reviewed last term, then the current one.
            first_start = today - timedelta(days=rng.randrange(130, 150))
            cycle = services.start_cycle(pupil=pupil, actor=senco, started_on=first_start)
            _fill_cycle(cycle, area=area, provisions=provisions, senco=senco, rng=rng)
            reviewed = family_date(
                school=school, day=first_start + timedelta(days=63), after=first_start + timedelta(days=7)
            )
            services.confirm_plan(
                cycle=cycle,
                actor=senco,
                review_date=reviewed,
                expected_impact="Closer to age-related expectations in the targeted skills.",
                planned_on=first_start + timedelta(days=7),
                notify_staff=False,
            )
            logs += _log_sessions(cycle, logger=senco, today=today, rng=rng)
            _review(cycle, reviewed_on=reviewed, senco=senco, rng=rng)
            cycles += 1
            current = Cycle.objects.get(pupil=pupil, status=Cycle.Status.ASSESSING)
        else:
            start = max(since, today - timedelta(days=rng.randrange(20, 70)))
            current = services.start_cycle(pupil=pupil, actor=senco, started_on=min(start, today))
        cycles += 1
        _fill_cycle(current, area=area, provisions=provisions, senco=senco, rng=rng)
        kind = STAGES[i % len(STAGES)]
        if kind == "assessing":
            continue  # still assessing and planning
        planned, review = _plan_dates(kind, today, current.started_on, school, rng)
        if review <= planned:
            review = family_date(school=school, day=planned + timedelta(days=rng.randrange(21, 50)), after=planned)
        services.confirm_plan(
            cycle=current,
            actor=senco,
            review_date=review,
            expected_impact="Closer to age-related expectations in the targeted skills.",
            planned_on=planned,
            notify_staff=False,
        )
        logger = ta_groups.get(pupil.pk, senco)
        logs += _log_sessions(current, logger=logger, today=today, rng=rng)
        year_start = academic_year_start(today)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            held = year_start + timedelta(days=rng.randrange(max((today - year_start).days, 1)))
            services.record_parent_meeting(
                pupil=pupil,
                actor=senco,
                held_on=family_date(school=school, day=min(held, today)),
                attendees="Parent, class teacher, SENCO",
                notes="Talked through progress and home routines.",
                agreed_actions="Read together for ten minutes each evening; school sends home the word list.",
            )
            meetings += 1
    DeliveryLog.objects.bulk_create(logs, batch_size=2000)
    return cycles, len(logs), meetings


def _ta_for_pupils(school: Any) -> dict[int, Any]:
    """Pupils in a group a teaching assistant supports: their TA logs their sessions."""
    out: dict[int, Any] = {}
    for gs in GroupStaff.objects.filter(group__school=school, role="ta").select_related("user", "group"):
        for member in gs.group.members.all():
            out[member.pupil_id] = gs.user
    return out


def seed_graduated(objects: dict[str, Any]) -> str:
    """Seed every demo school; returns a one-line summary. Runs with scopes disabled (seed_demo)."""
    rng = random.Random(2027)
    today = timezone.localdate()
    users = objects["users"]
    totals = [0, 0, 0]
    for key, school in objects["schools"].items():
        senco = next((u for email, u in users.items() if email.startswith(f"senco.{key}@")), None)
        if senco is None:
            continue
        counts = seed_school(school, senco, _ta_for_pupils(school), rng, today)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    if not totals[0]:
        return "Support cycles were already there."
    return f"{totals[0]} support cycles, {totals[1]} sessions logged, {totals[2]} parent meetings."
