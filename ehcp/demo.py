"""Demo EHC casework: plans for about 4% of each demo school's pupils, assessments in progress, a missed LA
deadline and a Year 6 phase transfer. Everything goes through the services, so the register shows E and
the deadlines are those the engine computes. Idempotent: a school that has plans is left alone."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from register.models import SenStatus
from trusts.bulk import BulkWriter, new

from . import rules, services
from .models import Deadline, EhcPlan, NeedsAssessment, PlanVersion
from .sweep import sweep_trust

PLAN_NEEDS = ("ASD", "SLCN", "SEMH")
SECTIONS = {
    "section_a": "Enjoys drawing and trains. Wants to make friends and to be a train driver.",
    "section_b": "Difficulties with social communication and with changes to routine; anxious at transitions.",
    "section_c": "No health needs related to SEN.",
    "section_d": "No social care needs.",
    "section_e": "See the outcomes below.",
    "section_f": "See the provision below.",
    "section_g": "Speech and language therapy review once a year.",
    "section_h1": "None.",
    "section_h2": "None.",
    "section_j": "No personal budget.",
    "section_k": "Educational psychologist report; speech and language therapy report; school advice.",
}
OUTCOMES = [
    services.OutcomeInput(
        text="By the end of the key stage, asks an adult for help when stuck, in class, without prompting.",
        provision=[
            services.ProvisionInput(
                "Social communication group, in a group of no more than 6", "weekly", "Teaching assistant", Decimal(2)
            ),
            services.ProvisionInput("Visual timetable and now/next board", "daily", "Class teacher", None),
        ],
    ),
    services.OutcomeInput(
        text="Moves between lessons and activities calmly, using a transition plan.",
        provision=[
            services.ProvisionInput(
                "Transition support at the start of the day, one to one", "daily", "Teaching assistant", Decimal("0.6")
            )
        ],
    ),
]


def _senco(users: dict[str, Any], key: str) -> Any:
    return next(u for email, u in users.items() if email.startswith(f"senco.{key}@"))


def _candidates(school: Any) -> list[Pupil]:
    return list(
        Pupil.objects.filter(
            school=school,
            leaving_date=None,
            register_entry__status=SenStatus.SEN_SUPPORT,
            register_entry__primary_need__in=PLAN_NEEDS,
        )
        .select_related("register_entry", "school")
        .order_by("pk")
    )


def first_school_of_each_trust(schools: dict[str, Any]) -> dict[int, Any]:
    """Each demo trust's first school by name: where the one-off demo cases (a late LA, a vague draft) go."""
    first: dict[int, Any] = {}
    for school in sorted(schools.values(), key=lambda s: s.name):
        first.setdefault(school.trust_id, school)
    return first


def support_pupil_without_ehc(school: Any, *, newest: bool = False) -> Pupil | None:
    """A pupil on SEN support at the school with no needs assessment and no EHC plan (the oldest record, or the
    newest, so two demo cases never pick the same child)."""
    return (
        Pupil.objects.filter(school=school, leaving_date=None, register_entry__status=SenStatus.SEN_SUPPORT)
        .exclude(needs_assessments__isnull=False)
        .exclude(ehc_plans__isnull=False)
        .select_related("school")
        .order_by("-pk" if newest else "pk")
        .first()
    )


@transaction.atomic
def seed_school(school: Any, key: str, users: dict[str, Any], rng: random.Random, today: date) -> tuple[int, int]:
    if EhcPlan.objects.filter(school=school).exists():
        return 0, 0
    senco = _senco(users, key)
    on_roll = Pupil.objects.filter(school=school, leaving_date=None).count()
    wanted = math.ceil(on_roll * 0.04)
    candidates = _candidates(school)
    # A Year 6 pupil first, with a plan from last year: this year's phase transfer (R9) is open.
    candidates.sort(key=lambda p: p.year_group != "6")
    plans = 0
    for i, pupil in enumerate(candidates[:wanted]):
        since = pupil.register_entry.since
        if i == 0 and pupil.year_group == "6":
            issued = today - timedelta(days=300)
        else:
            issued = min(today - timedelta(days=7), since + timedelta(days=rng.randrange(30, 600)))
        issued = max(issued, since, date(2015, 1, 1))
        services.issue_plan(
            pupil=pupil,
            issued_on=issued,
            local_authority=school.local_authority,
            placement=school.name,
            sections={**SECTIONS, "section_i": school.name},
            outcomes=OUTCOMES,
            actor=senco,
        )
        plans += 1
    assessments = 0
    rest = candidates[wanted:] or [
        p
        for p in Pupil.objects.filter(school=school, leaving_date=None, register_entry__status=SenStatus.SEN_SUPPORT)
        .exclude(ehc_plans__isnull=False)
        .order_by("pk")[:2]
    ]
    if rest:
        # In progress: the LA decided to assess and asked the school for advice 10 days ago (A2 open).
        a = services.request_assessment(
            pupil=rest[0], requested_by="school", request_received_on=today - timedelta(days=28), actor=senco
        )
        services.record_assessment_event(
            assessment=a, event="decision", on=today - timedelta(days=14), decision="assess", actor=senco
        )
        services.record_assessment_event(
            assessment=a, event="advice_requested", on=today - timedelta(days=10), actor=senco
        )
        assessments += 1
    if len(rest) > 1:
        # The LA has not decided within 6 weeks: A1 is missed (the sweep marks it and tells the SENCO).
        services.request_assessment(
            pupil=rest[1], requested_by="parent", request_received_on=today - timedelta(weeks=8), actor=senco
        )
        assessments += 1
    return plans, assessments


def seed_ehcp(objects: dict[str, Any]) -> str:
    """Seed every demo school; runs with the tenant scope disabled (seed_demo). Returns a one-line summary."""
    rng = random.Random(2027)
    today = timezone.localdate()
    plans = assessments = 0
    for key, school in objects["schools"].items():
        p, a = seed_school(school, key, objects["users"], rng, today)
        plans, assessments = plans + p, assessments + a
    for trust_id in sorted({s.trust_id for s in objects["schools"].values()}):
        sweep_trust(trust_id=trust_id, today=today)
    in_progress = NeedsAssessment.objects.filter(outcome=NeedsAssessment.Outcome.IN_PROGRESS).count()
    return f"{plans} EHC plans and {assessments} needs assessments added ({in_progress} in progress)."


# The benchmark trust (`seed_scale`) ----------------------------------------------------------------------


def _scale_deadline(
    a: NeedsAssessment | EhcPlan,
    rule_id: str,
    trigger: date,
    today: date,
    *,
    subject_type: str = "needs_assessment",
    met_on: date | None = None,
    waived: str = "",
) -> Deadline:
    rule = rules.get_rule(rule_id)
    due = rules.due_date(rule_id, trigger)
    if waived:
        status = Deadline.Status.WAIVED
    elif met_on is not None:
        status = Deadline.Status.MET
    else:
        status = Deadline.Status.MISSED if due < today else Deadline.Status.OPEN
    return new(
        Deadline,
        trust_id=a.trust_id,
        school_id=a.school_id,
        pupil_id=a.pupil_id,
        rule_id=rule_id,
        subject_type=subject_type,
        subject_id=a.pk,
        trigger_date=trigger,
        statutory_due=due,
        due=due,
        responsible=rule.who,
        status=status,
        met_on=met_on,
        waived_reason=waived,
    )


def seed_scale(context: dict[str, Any]) -> str:
    """Bulk EHC casework for the benchmark trust: a plan (with its assessment history and deadlines) for each
    pupil at E, and two to six earlier assessments for pupils on SEN support. Bulk inserts only; dates from
    `ehcp.rules`, so the rows look exactly like the engine's."""
    trust, rng, today = context["trust"], context["rng"], context["today"]
    write = context.get("write") or BulkWriter().write
    schools = {s.pk: s for s in context["schools"]}
    users = context["users"]
    actor = next((u for email, u in users.items() if email.startswith("lead@")), None) or next(iter(users.values()))
    e_entries = [e for e in context["entries"] if e.status == SenStatus.EHC_PLAN]
    k_entries = [e for e in context["entries"] if e.status == SenStatus.SEN_SUPPORT]
    done: list[tuple[NeedsAssessment, date]] = []
    assessments: list[NeedsAssessment] = []
    for e in e_entries:
        issued = today - timedelta(days=rng.randrange(30, 1000))
        received = issued - timedelta(weeks=rng.randrange(15, 32))
        advice_asked = received + timedelta(days=rng.randrange(42, 56))
        draft = issued - timedelta(weeks=5)
        a = new(
            NeedsAssessment,
            trust=trust,
            school_id=e.school_id,
            pupil_id=e.pupil_id,
            requested_by=rng.choice(NeedsAssessment.RequestedBy.values),
            request_received_on=received,
            local_authority=schools[e.school_id].local_authority,
            decision=NeedsAssessment.Decision.ASSESS,
            decision_on=received + timedelta(days=rng.randrange(25, 55)),
            advice_requested_on=advice_asked,
            advice_sent_on=advice_asked + timedelta(days=rng.randrange(20, 50)),
            draft_served_on=draft,
            consultation_sent_on=draft + timedelta(days=rng.randrange(5, 20)),
            outcome=NeedsAssessment.Outcome.PLAN_ISSUED,
            outcome_on=issued,
            recorded_by=actor,
        )
        assessments.append(a)
        done.append((a, issued))
    for e in k_entries:
        # 2 to 6 historic requests each: denser than real life, so the benchmark sweeps over 100,000 deadlines.
        for n in range(rng.randrange(2, 7)):
            received = today - timedelta(days=rng.randrange(20, 1200))
            closed = n > 0 or received < today - timedelta(days=150)
            refused = rng.random() < 0.7
            a = new(
                NeedsAssessment,
                trust=trust,
                school_id=e.school_id,
                pupil_id=e.pupil_id,
                requested_by=rng.choice(NeedsAssessment.RequestedBy.values),
                request_received_on=received,
                local_authority=schools[e.school_id].local_authority,
                recorded_by=actor,
            )
            if closed:
                a.decision = NeedsAssessment.Decision.NOT_ASSESS if refused else NeedsAssessment.Decision.ASSESS
                a.decision_on = received + timedelta(days=rng.randrange(25, 55))
                a.outcome = NeedsAssessment.Outcome.NOT_ASSESSED if refused else NeedsAssessment.Outcome.WITHDRAWN
                a.outcome_on = a.decision_on if refused else a.decision_on + timedelta(days=20)
            assessments.append(a)
    write(assessments)

    plans = write(
        new(
            EhcPlan,
            trust=trust,
            school_id=a.school_id,
            pupil_id=a.pupil_id,
            assessment=a,
            local_authority=a.local_authority,
            first_issued_on=issued,
        )
        for a, issued in done
    )
    context["ehc_plans"] = plans
    write(
        new(
            PlanVersion,
            trust=trust,
            plan=p,
            number=1,
            kind=PlanVersion.Kind.ISSUED,
            issued_on=p.first_issued_on,
            local_authority=p.local_authority,
            placement=schools[p.school_id].name,
            recorded_by=actor,
            **{k: v for k, v in SECTIONS.items()},
        )
        for p in plans
    )

    deadlines: list[Deadline] = []
    for a in assessments:
        received = a.request_received_on
        if a.outcome == NeedsAssessment.Outcome.PLAN_ISSUED:
            assert a.advice_requested_on and a.draft_served_on and a.outcome_on
            deadlines += [
                _scale_deadline(a, "A1", received, today, met_on=a.decision_on),
                _scale_deadline(a, "A2", a.advice_requested_on, today, met_on=a.advice_sent_on),
                _scale_deadline(a, "A3", received, today, waived="A draft plan was served: the LA is issuing a plan."),
                _scale_deadline(a, "A4", a.draft_served_on, today, met_on=a.draft_served_on + timedelta(days=10)),
                _scale_deadline(a, "A5", a.draft_served_on, today, met_on=a.consultation_sent_on),
                _scale_deadline(a, "A6", received, today, met_on=a.outcome_on),
            ]
        elif a.outcome == NeedsAssessment.Outcome.IN_PROGRESS:
            deadlines += [_scale_deadline(a, rule_id, received, today) for rule_id in ("A1", "A3", "A6")]
        else:
            why = "The LA decided not to assess." if a.decision == NeedsAssessment.Decision.NOT_ASSESS else "Withdrawn."
            deadlines += [
                _scale_deadline(a, "A1", received, today, met_on=a.decision_on),
                _scale_deadline(a, "A3", received, today, waived=why),
                _scale_deadline(a, "A6", received, today, waived=why),
            ]
    deadlines += [_scale_deadline(p, "R1", p.first_issued_on, today, subject_type="ehc_plan") for p in plans]
    write(deadlines)
    return f"{len(plans)} EHC plans, {len(assessments)} needs assessments, {len(deadlines)} deadlines"
