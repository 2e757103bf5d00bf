"""Demo annual reviews for the demo EHC pupils, in every state (idempotent).

`seed_reviews(objects)` runs after ehcp's demo (which issues the plans), with the tenant scope disabled by
its caller, and goes through the services so every date comes from the deadline engine. Dates are relative
to today, so the lists always show something due soon, invitations overdue, a report overdue and
completed reviews. `seed_scale(context)` adds reviews to the benchmark trust with bulk inserts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from ehcp import rules
from ehcp.models import Deadline, EhcPlan
from trusts.bulk import BulkWriter, new
from trusts.models import Membership, Role, User
from trusts.school_days import family_date

from . import services
from .models import SUBJECT_TYPE, AnnualReview, Invitee, ReviewAction

RECORD = services.MeetingRecord(
    progress_on_outcomes="Good progress towards two of the three outcomes in section E; reading is now "
    "at the expected level with pre-teaching.",
    appreciated_admired="Kind and funny; a great help to younger pupils at lunchtime.",
    important_now="Knowing what will happen next in the day; a quiet place to go when it gets loud.",
    important_future="Staying with friends at secondary school; becoming a vet.",
    how_to_support="Visual timetable in every lesson; warn about changes the day before; movement breaks.",
    questions_issues="Does the pupil need access arrangements for tests? Transport to the after-school club.",
    parent_views="Much happier coming to school this year. Worried about the move to the next school.",
    pupil_views="I like the quiet room and art club. Maths is hard but I try.",
    recommendation="keep",
)
AMEND = RECORD.__class__(
    **{
        **RECORD.__dict__,
        "recommendation": "amend",
        "proposed_amendments": "Section F: add weekly speech and language therapy; section I unchanged.",
    }
)


def _actions(today: date) -> list[services.ActionInput]:
    return [
        services.ActionInput("Apply for access arrangements for tests", "SENCO", today + timedelta(days=30)),
        services.ActionInput(
            "Share the one-page profile with every teacher", "Class teacher", today + timedelta(days=14)
        ),
        services.ActionInput("Visit the next school with the family", "Parent and SENCO", today + timedelta(days=60)),
    ]


def _professionals(review: AnnualReview, actor: User) -> None:
    for role, name, email in (
        ("la_officer", "Sam Patel (SEN officer)", "sam.patel@la.example"),
        ("health", "Dr Ade Mensah, community paediatrics", "ade.mensah@nhs.example"),
        ("professional", "Jo Reid, educational psychologist", "jo.reid@eps.example"),
    ):
        services.add_invitee(review=review, role=role, name=name, email=email, actor=actor)


# A held meeting's invitations went out 3 weeks before it (R3 asks for 2 weeks' notice at least).
INVITED_BEFORE = 21
# How long ago each state's meeting was held (before moving it to a school day).
HELD_DAYS_AGO = {"report overdue": 20, "waiting for the LA": 18, "completed": 60, "amended": 100}


def _held_on(school: Any, days_ago: int, today: date) -> date:
    """The day a held demo meeting took place: `days_ago` days back, or the last school day before. In a
    holiday that is days or weeks earlier (20 days before 10 March 2027 is in the February half-term)."""
    return family_date(school=school, day=today - timedelta(days=days_ago))


def _held(review: AnnualReview, actor: User, *, days_ago: int, record: services.MeetingRecord = RECORD) -> AnnualReview:
    held = _held_on(review.school, days_ago, timezone.localdate())
    review = services.schedule_meeting(review=review, meeting_date=held, actor=actor)
    services.record_invitations(
        review=review,
        invitees=list(review.invitees.all()),
        sent_on=held - timedelta(days=INVITED_BEFORE),
        actor=actor,
    )
    services.circulate_advice(review=review, circulated_on=held - timedelta(days=15), actor=actor)
    return services.record_meeting(review=review, held_on=held, record=record, actions=_actions(held), actor=actor)


# Each state: how far back the plan (or its last review) must go, and how to bring a started review there.
def _due_soon(review: AnnualReview, actor: User) -> AnnualReview:
    return review


def _invitations_overdue(review: AnnualReview, actor: User) -> AnnualReview:
    # Meeting in 10 days (or the school day before): the invitations were due days ago and nobody is invited yet.
    today = timezone.localdate()
    meeting = family_date(school=review.school, day=today + timedelta(days=10), after=today)
    return services.schedule_meeting(review=review, meeting_date=meeting, actor=actor)


def _on_track(review: AnnualReview, actor: User) -> AnnualReview:
    # More than two weeks ahead, so the invitations are not due yet.
    today = timezone.localdate()
    meeting = family_date(school=review.school, day=today + timedelta(days=35), after=today + timedelta(days=14))
    review = services.schedule_meeting(review=review, meeting_date=meeting, actor=actor)
    invitees = list(review.invitees.filter(role__in=["parent", "pupil"]))
    if invitees:
        services.record_invitations(review=review, invitees=invitees, sent_on=timezone.localdate(), actor=actor)
    return review


def _report_overdue(review: AnnualReview, actor: User) -> AnnualReview:
    return _held(review, actor, days_ago=HELD_DAYS_AGO["report overdue"])


def _waiting_for_la(review: AnnualReview, actor: User) -> AnnualReview:
    review = _held(review, actor, days_ago=HELD_DAYS_AGO["waiting for the LA"], record=AMEND)
    return services.record_report_sent(review=review, sent_on=timezone.localdate() - timedelta(days=9), actor=actor)


def _completed(review: AnnualReview, actor: User) -> AnnualReview:
    review = _held(review, actor, days_ago=HELD_DAYS_AGO["completed"])
    held = review.held_on
    assert held is not None
    review = services.record_report_sent(review=review, sent_on=held + timedelta(days=12), actor=actor)
    return services.record_la_decision(
        review=review, decision="keep", decided_on=held + timedelta(days=25), actor=actor
    )


def _amended(review: AnnualReview, actor: User) -> AnnualReview:
    review = _held(review, actor, days_ago=HELD_DAYS_AGO["amended"], record=AMEND)
    held = review.held_on
    assert held is not None
    review = services.record_report_sent(review=review, sent_on=held + timedelta(days=10), actor=actor)
    review = services.record_la_decision(
        review=review, decision="amend", decided_on=held + timedelta(days=27), actor=actor
    )
    return services.record_amendments(
        review=review,
        parent_representations_on=held + timedelta(days=35),
        amended_plan_on=held + timedelta(days=70),
        actor=actor,
    )


# (name, how many days old the plan must be ("due soon" needs an anchor at least 285 days back; a state with a
# held meeting is replaced by `_needs`), the anchor to use when the plan is older than that (days back,
# standing for a review held before the records were kept here), how to bring a started review there).
# Most demanding first: each takes the youngest plan old enough for it.
STATES: list[tuple[str, int, int, Callable[[AnnualReview, User], AnnualReview]]] = [
    ("due soon", 285, 330, _due_soon),
    ("report overdue", 0, 380, _report_overdue),
    ("completed", 0, 400, _completed),
    ("invitations overdue", 0, 350, _invitations_overdue),
    ("amended", 0, 420, _amended),
    ("waiting for the LA", 0, 370, _waiting_for_la),
    ("on track", 0, 310, _on_track),
]
WITH_PROFESSIONALS = {"completed", "report overdue", "waiting for the LA", "amended", "on track", "invitations overdue"}


def _actor(school: Any) -> User | None:
    m = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").order_by("id").first()
    if m is None:
        m = Membership.objects.filter(trust_id=school.trust_id, role=Role.INCLUSION_LEAD).select_related("user").first()
    return m.user if m else None


def _needs(school: Any, today: date) -> list[int]:
    """How many days old a plan must be for each state: a held meeting's invitations went out before it, so the
    plan must have been issued by then. Counted from the meeting's real day, which a holiday moves weeks back
    (on 10 March 2027, "20 days ago" is Friday 12 February, 26 days back; the invitations 47 days back)."""
    return [
        (today - _held_on(school, HELD_DAYS_AGO[name], today)).days + INVITED_BEFORE if name in HELD_DAYS_AGO else needs
        for name, needs, _back, _bring in STATES
    ]


def _assign(plans: list[EhcPlan], today: date, needs: list[int]) -> list[tuple[EhcPlan, int | None]]:
    """Every state once, each to the youngest plan old enough for it (`needs`, one per state); then more rounds of
    the states that need an older plan while plans fit; the rest (young plans) get a review that is not yet due."""
    left = sorted(plans, key=lambda p: (-p.first_issued_on.toordinal(), p.pk))  # youngest first
    chosen: list[tuple[EhcPlan, int | None]] = []
    first = True
    while True:
        placed = False
        for n, age in enumerate(needs):
            if not first and age == 0:
                continue
            plan = next((p for p in left if (today - p.first_issued_on).days >= age), None)
            if plan is not None:
                left.remove(plan)
                chosen.append((plan, n))
                placed = True
        first = False
        if not placed:
            return chosen + [(p, None) for p in left]


def _seed_plan(plan: EhcPlan, state: int | None, actor: User, today: date) -> str:
    if state is None:
        services.start_review(plan=plan, actor=actor)
        return "not yet due"
    name, _needs, back, bring = STATES[state]
    # A plan older than the anchor has had a review before the records were kept here: count from it.
    last = today - timedelta(days=back) if (today - plan.first_issued_on).days > back else None
    review = services.start_review(plan=plan, actor=actor, last_review_on=last)
    if name in WITH_PROFESSIONALS:
        _professionals(review, actor)
    bring(review, actor)
    return name


@transaction.atomic
def seed_reviews(objects: dict[str, Any]) -> str:
    """Reviews in every state for the demo schools' EHC plans; plans that already have a review are left alone.
    Returns a one-line summary."""
    today = timezone.localdate()
    made: dict[str, int] = {}
    for school in objects["schools"].values():
        actor = _actor(school)
        if actor is None:
            continue
        plans = list(
            EhcPlan.objects.filter(school=school, ceased_on=None, annual_reviews__isnull=True).select_related("pupil")
        )
        with scope(trust=school.trust_id):
            for plan, state in _assign(plans, today, _needs(school, today)):
                name = _seed_plan(plan, state, actor, today)
                made[name] = made.get(name, 0) + 1
    if not made:
        return "Annual reviews were already there (or there are no EHC plans)."
    return "Annual reviews: " + ", ".join(f"{count} {name}" for name, count in made.items()) + "."


def _scale_review(
    plan: EhcPlan, trust_id: int, actor: User, roll: float, back: int, ahead: int, today: date
) -> AnnualReview:
    anchor = max(plan.first_issued_on, today - timedelta(days=back))
    due = rules.annual_review_due(anchor)
    review = new(
        AnnualReview,
        trust_id=trust_id,
        school_id=plan.school_id,
        pupil_id=plan.pupil_id,
        plan=plan,
        anchor_date=anchor,
        anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW
        if anchor > plan.first_issued_on
        else AnnualReview.AnchorKind.PLAN_ISSUED,
        due_date=due,
        started_by=actor,
    )
    if roll < 0.33 and anchor < today - timedelta(days=30):
        review.meeting_date = review.held_on = today - timedelta(days=ahead % 28 + 1)
        review.status = AnnualReview.Status.HELD
        review.progress_on_outcomes, review.recommendation = RECORD.progress_on_outcomes, "keep"
    elif roll < 0.66:
        review.meeting_date = max(anchor, min(due, today + timedelta(days=ahead)))
        review.status = AnnualReview.Status.SCHEDULED
    return review


def seed_scale(context: dict[str, Any]) -> str:
    """Bulk reviews for the benchmark trust: one per active plan, a third held with an action plan, a third
    booked, the rest not yet booked, with the deadlines counted from their meetings. Bulk inserts only."""
    trust, rng, today = context["trust"], context["rng"], context["today"]
    write = context.get("write") or BulkWriter().write
    # The plans ehcp's seed_scale has just written (linked in memory), or those of the trust without a review.
    plans = context.get("ehc_plans")
    if plans is None:
        plans = list(EhcPlan.objects.filter(trust=trust, ceased_on=None, annual_reviews__isnull=True))
    users = list(context["users"].values())
    if not plans or not users:
        return ""
    reviews = [
        _scale_review(plan, trust.pk, users[0], rng.random(), rng.randrange(200, 380), rng.randrange(7, 60), today)
        for plan in plans
    ]
    write(reviews)
    invitees: list[Invitee] = []
    actions: list[ReviewAction] = []
    deadlines: list[Deadline] = []
    for r in reviews:
        invitees += [
            new(Invitee, trust_id=trust.pk, review=r, role="parent", name="Parent or carer"),
            new(Invitee, trust_id=trust.pk, review=r, role="la_officer", name="SEN officer", email="sen@la.example"),
        ]
        if r.held_on is not None:
            actions.append(
                new(
                    ReviewAction,
                    trust_id=trust.pk,
                    review=r,
                    action="Review the provision map",
                    who="SENCO",
                    by_when=r.held_on + timedelta(days=30),
                )
            )
        if r.meeting_date is None:
            continue
        for rule_id in services.MEETING_RULES:
            rule = rules.get_rule(rule_id)
            due = rules.due_date(rule_id, r.meeting_date)
            deadlines.append(
                new(
                    Deadline,
                    trust_id=trust.pk,
                    school_id=r.school_id,
                    pupil_id=r.pupil_id,
                    rule_id=rule_id,
                    subject_type=SUBJECT_TYPE,
                    subject_id=r.pk,
                    trigger_date=r.meeting_date,
                    meeting_date=r.meeting_date if rule.unit == "before_meeting_weeks" else None,
                    statutory_due=due,
                    due=due,
                    responsible=rule.who,
                    status=Deadline.Status.OPEN if due >= today else Deadline.Status.MISSED,
                )
            )
    write(invitees)
    write(actions)
    write(deadlines)  # one set per review: deadline_once_per_subject (subject, rule) cannot clash
    return f"{len(reviews)} annual reviews"


# Pupil voice: "All about me" (pupils.voice) ---------------------------------------------------------------

DEMO_ALL_ABOUT_ME = {
    "liked_admired": "I am kind. I help my friends when they are sad. People say I am good at drawing.",
    "important_to_me": "My mum, my nan and my dog Biscuit. Art club on Thursdays. Minecraft.",
    "what_helps": "When you show me the first step. A quiet place to work. Pictures to show me what to do next.",
    "what_does_not_help": "Loud rooms. Being rushed. Lots of words at once.",
    "hopes": "I want to be a vet or an artist.",
    "get_better_at": "Reading on my own and times tables.",
    "communication": "Talk to me one thing at a time. Give me time to think before I answer.",
}


@transaction.atomic
def seed_all_about_me(objects: dict[str, Any]) -> str:
    """A completed "All about me" for an Acorn pupil on SEN support (with an earlier version) and one with an
    EHC plan whose annual review is coming up: the passport and the review show them. Idempotent."""
    from graduated.models import Cycle
    from pupils import voice
    from pupils.models import AllAboutMe

    acorn = objects["schools"]["acorn"]  # type: ignore[index]
    users = objects["users"]
    ta, senco = users["ta.acorn@oak.test"], users["senco.acorn@oak.test"]  # type: ignore[index]
    cycle = (
        Cycle.objects.filter(school=acorn, status__in=[Cycle.Status.ASSESSING, Cycle.Status.ACTIVE])
        .filter(pupil__group_memberships__group__staff__user=ta)
        .select_related("pupil")
        .order_by("pupil__legal_surname", "pupil_id")
        .first()
    )
    review = (
        AnnualReview.objects.filter(
            school=acorn, status__in=[AnnualReview.Status.PLANNING, AnnualReview.Status.SCHEDULED]
        )
        .select_related("pupil")
        .order_by("due_date", "pk")
        .first()
    )
    today = timezone.localdate()
    made = []
    with scope(trust=acorn.trust_id):
        for pupil, actor, versions in (
            (
                cycle.pupil if cycle else None,
                ta,
                [(today - timedelta(days=200), "I like drawing."), (today - timedelta(days=7), "")],
            ),
            (review.pupil if review else None, senco, [(today - timedelta(days=14), "")]),
        ):
            if pupil is None or AllAboutMe.objects.filter(pupil=pupil).exists():
                continue
            for completed_on, short in versions:
                answers = {"liked_admired": short} if short else DEMO_ALL_ABOUT_ME
                voice.record_all_about_me(
                    pupil=pupil,
                    actor=actor,
                    answers=answers,
                    helper_name=actor.full_name,
                    helper_role="Teaching assistant" if actor == ta else "SENCO",
                    words=AllAboutMe.Words.OWN if actor == ta else AllAboutMe.Words.WRITTEN_DOWN,
                    completed_on=completed_on,
                )
            made.append(pupil.forename)
    if not made:
        return ""
    return f"All about me: completed for {', '.join(made)} at Acorn."
