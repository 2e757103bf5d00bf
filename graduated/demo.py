"""Demo data for the graduated approach: a provision catalogue and staff rates per school, cycles for most
pupils on SEN support (some reviewed, some due, some overdue), sessions logged and meetings with parents.

`seed_graduated(objects)` runs with the tenant scope disabled, after the register's demo (seed_demo) and is
idempotent: a school that already has a catalogue is left alone. `seed_scale(context)` is the bulk version
for the benchmark trust.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pupils.models import GroupStaff, Pupil
from register.models import NEED_AREAS, BroadArea, SenStatus

from . import services
from .models import Allocation, Cycle, DeliveryLog, Outcome, Provision, StaffRate, Strategy

RATES: dict[str, Decimal] = {
    "teacher": Decimal(40),
    "ta": Decimal(18),
    "hlta": Decimal(22),
    "specialist": Decimal(60),
    "external": Decimal(75),
}


@dataclass(frozen=True)
class DemoProvision:
    name: str
    wave: int
    area: str
    staff_role: str
    group_size: int
    sessions_per_week: Decimal
    minutes: int
    description: str


CATALOGUE = [
    DemoProvision(
        "Visual timetable and task boards",
        1,
        BroadArea.COMMUNICATION,
        "teacher",
        30,
        Decimal(5),
        10,
        "The class teacher shows the day's plan in pictures and breaks tasks into steps.",
    ),
    DemoProvision(
        "Phonics catch-up group",
        2,
        BroadArea.COGNITION,
        "ta",
        4,
        Decimal(3),
        20,
        "Short, lively practice of letter sounds and blending in a small group.",
    ),
    DemoProvision(
        "Precision teaching",
        2,
        BroadArea.COGNITION,
        "ta",
        1,
        Decimal(5),
        10,
        "Ten minutes a day, one-to-one, practising a few words or number facts until they are fluent.",
    ),
    DemoProvision(
        "Speech and language programme",
        3,
        BroadArea.COMMUNICATION,
        "hlta",
        1,
        Decimal(2),
        30,
        "Activities set by the speech and language therapist, done one-to-one.",
    ),
    DemoProvision(
        "ELSA sessions",
        2,
        BroadArea.SEMH,
        "hlta",
        1,
        Decimal(1),
        45,
        "Time with a trained Emotional Literacy Support Assistant to understand and manage feelings.",
    ),
    DemoProvision(
        "Social skills group",
        2,
        BroadArea.SEMH,
        "ta",
        6,
        Decimal(1),
        45,
        "Games and role play in a small group to practise turn-taking, listening and friendship.",
    ),
    DemoProvision(
        "1:1 TA support",
        3,
        BroadArea.COGNITION,
        "ta",
        1,
        Decimal(5),
        75,
        "A teaching assistant works with the pupil one-to-one for part of each day.",
    ),
    DemoProvision(
        "Specialist teacher sessions",
        3,
        BroadArea.COGNITION,
        "specialist",
        1,
        Decimal("0.5"),
        60,
        "A specialist teacher works with the pupil and advises their teachers, once a fortnight.",
    ),
    DemoProvision(
        "Fine motor skills group",
        2,
        BroadArea.SENSORY,
        "ta",
        4,
        Decimal(2),
        20,
        "Activities to build hand strength and control for writing.",
    ),
]
BY_AREA = {
    BroadArea.COGNITION: ["Phonics catch-up group", "Precision teaching"],
    BroadArea.COMMUNICATION: ["Speech and language programme", "Visual timetable and task boards"],
    BroadArea.SEMH: ["ELSA sessions", "Social skills group"],
    BroadArea.SENSORY: ["Fine motor skills group", "Visual timetable and task boards"],
}
HEAVY = ["1:1 TA support", "Specialist teacher sessions", "ELSA sessions"]
# Where each current cycle stands, in turn: mostly plans in place, some due or overdue for review.
STAGES = ["later", "overdue", "due", "later", "assessing", "due", "later", "overdue", "later", "due"]

# (description, baseline, target, measured by, baseline score, target score)
OUTCOMES = {
    BroadArea.COGNITION: [
        (
            "Read the first 100 high-frequency words on sight",
            "Reads 42 of the 100 words",
            "Reads 80 of the 100 words",
            "Weekly high-frequency word check",
            42,
            80,
        ),
        (
            "Recall number bonds to 10 within three seconds",
            "Recalls 4 of 10",
            "Recalls 10 of 10",
            "Timed number-bond check",
            4,
            10,
        ),
    ],
    BroadArea.COMMUNICATION: [
        (
            "Follow a two-step spoken instruction in class",
            "Follows 3 of 10 instructions",
            "Follows 8 of 10 instructions",
            "Ten instructions observed each week",
            3,
            8,
        ),
        (
            "Use 'because' to explain an idea in a sentence",
            "Uses it 1 time in 10 chances",
            "Uses it 6 times in 10 chances",
            "Recorded in speech and language sessions",
            1,
            6,
        ),
    ],
    BroadArea.SEMH: [
        (
            "Name a feeling and choose a calming strategy when upset",
            "Does this 1 time in 5, with an adult",
            "Does this 4 times in 5",
            "ELSA session record",
            1,
            4,
        ),
        (
            "Join a group game and take turns for ten minutes",
            "Stays in the game for 2 minutes",
            "Stays for 10 minutes",
            "Minutes timed at lunchtime club",
            2,
            10,
        ),
    ],
    BroadArea.SENSORY: [
        (
            "Use the writing slope and pencil grip for written work",
            "Uses them in 2 lessons of 5",
            "Uses them in 5 lessons of 5",
            "Class teacher check each Friday",
            2,
            5,
        ),
    ],
}
STRATEGIES = {
    BroadArea.COGNITION: [
        "Give instructions one step at a time and check understanding",
        "Provide word mats and number lines on the table",
        "Pre-teach key vocabulary before new topics",
    ],
    BroadArea.COMMUNICATION: [
        "Say the pupil's name before giving an instruction",
        "Use the visual timetable and warn before changes",
        "Allow ten seconds of thinking time before expecting an answer",
    ],
    BroadArea.SEMH: [
        "Greet warmly at the door and agree a calm-down place",
        "Use the agreed 'time out' card without questions",
        "Praise specific effort privately",
    ],
    BroadArea.SENSORY: [
        "Seat near the front, away from the door",
        "Provide a writing slope and pencil grip",
        "Check hearing aids are switched on at the start of the day",
    ],
}
LIKED = [
    "Kind and funny; always helps a friend who is stuck.",
    "Brilliant at drawing and knows everything about dinosaurs.",
    "Works hard at football and never gives up.",
    "Cheerful, polite and great with younger children.",
]
IMPORTANT = [
    "My dog Biscuit, Lego and playing outside at break.",
    "Seeing my nan on Saturdays and knowing what is happening next.",
    "Being with my friends and having a quiet place when it is noisy.",
]
SUPPORT = [
    "Tell me what is happening next and give me time to answer.",
    "Show me with pictures and let me have a go before helping.",
    "Talk to me calmly and quietly if I am upset; do not make me talk straight away.",
]


def _area_of(need: str) -> str:
    return str(NEED_AREAS.get(need, BroadArea.COGNITION))


@transaction.atomic
def seed_catalogue(school: Any, senco: Any, today: date) -> dict[str, Provision]:
    services.set_rates(school=school, actor=senco, rates={k: Decimal(v) for k, v in RATES.items()})
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
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
        return planned, max(planned + timedelta(days=1), today - timedelta(days=rng.randrange(3, 20)))
    if kind == "due":
        return planned, today + timedelta(days=rng.randrange(0, 14))
    review = services.default_review_date(school=school, on=today)
    if review <= today + timedelta(days=14):
        review = today + timedelta(days=rng.randrange(21, 50))
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
            services.confirm_plan(
                cycle=cycle,
                actor=senco,
                review_date=first_start + timedelta(days=63),
                expected_impact="Closer to age-related expectations in the targeted skills.",
                planned_on=first_start + timedelta(days=7),
                notify_staff=False,
            )
            logs += _log_sessions(cycle, logger=senco, today=today, rng=rng)
            _review(cycle, reviewed_on=first_start + timedelta(days=63), senco=senco, rng=rng)
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
            review = planned + timedelta(days=rng.randrange(21, 50))
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
        year_start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            held = year_start + timedelta(days=rng.randrange(max((today - year_start).days, 1)))
            services.record_parent_meeting(
                pupil=pupil,
                actor=senco,
                held_on=min(held, today),
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


# The benchmark trust (bulk inserts, no services: hundreds of thousands of rows) ---------------------------------


def seed_scale(context: dict[str, Any]) -> str:
    """A catalogue per school and an open cycle with outcomes, provision and sessions for each pupil on SEN
    support of the `seed_scale` trust. Bulk inserts under the caller's transaction."""
    trust, schools, rng, today = context["trust"], context["schools"], context["rng"], context["today"]
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    StaffRate.objects.bulk_create(
        StaffRate(trust=trust, school=s, role=role, hourly_rate=Decimal(rate))
        for s in schools
        for role, rate in RATES.items()
    )
    Provision.objects.bulk_create(
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
    catalogue = {(p.school_id, p.name): p for p in Provision.objects.filter(trust=trust)}
    support = [e for e in context["entries"] if e.status in {"K", "E"}]
    cycles = [
        Cycle(
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
    ]
    Cycle.objects.bulk_create(cycles, batch_size=5000)
    cycles = list(Cycle.objects.filter(trust=trust).select_related("pupil__register_entry"))
    outcomes, strategies, allocations = [], [], []
    for c in cycles:
        area = BroadArea(_area_of(c.pupil.register_entry.primary_need))
        for i, (d, b, t, m, low, high) in enumerate(OUTCOMES[area], start=1):
            outcomes.append(
                Outcome(
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
        strategies += [Strategy(trust=trust, cycle=c, position=i, text=s) for i, s in enumerate(STRATEGIES[area], 1)]
        allocations += [
            Allocation(trust=trust, school_id=c.school_id, cycle=c, provision=catalogue[(c.school_id, n)])
            for n in BY_AREA[area]
        ]
    Outcome.objects.bulk_create(outcomes, batch_size=5000)
    Strategy.objects.bulk_create(strategies, batch_size=5000)
    Allocation.objects.bulk_create(allocations, batch_size=5000)
    logger = context["users"]["lead@scale.test"]
    first_outcome = {o.cycle_id: o for o in Outcome.objects.filter(trust=trust, position=1)}
    logs = []
    for a in Allocation.objects.filter(trust=trust).select_related("cycle"):
        for week in range(4):
            o = first_outcome.get(a.cycle_id)
            logs.append(
                DeliveryLog(
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
    DeliveryLog.objects.bulk_create(logs, batch_size=5000)
    context["out"].write(f"  {len(cycles)} support cycles, {len(logs)} sessions")
    return f"{len(cycles)} support cycles"
