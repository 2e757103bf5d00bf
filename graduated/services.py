"""Business actions of the graduated approach. Every write is here: checked, audited, all or nothing.

Each function raises ValidationError listing what is wrong in plain words; nothing is written then.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pupils.models import GroupStaff, Pupil
from register.models import RegisterEntry, SenStatus
from register.services import change_status
from trusts import audit
from trusts.calendar_defaults import TermDates, academic_year_of, half_term_end_on_or_after
from trusts.models import School, User
from trusts.permissions import can
from trusts.services import ensure_calendar, notify

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
from .queries import may_log_delivery

SUPPORT_STATUSES = {SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN}
ASSESS_FIELDS = (
    "assess_notes",
    "outside_advice",
    "pupil_views",
    "parent_views",
    "liked_admired",
    "important_to_me",
    "how_to_support",
)
PROFILE_FIELDS = ("liked_admired", "important_to_me", "how_to_support")
# Plans are "usually half-termly or termly" (CoP 6.52; trust policy 000): a year is the outside limit.
LONGEST_PLAN_DAYS = 366
MAX_RATE = Decimal("1000")


def _today() -> date:
    return timezone.localdate()


def _long(d: date) -> str:
    """A date as people write it: 3 November 2026."""
    return f"{d.day} {d:%B %Y}"


def _require(actor: User | None, action: str, target: Any, message: str) -> None:
    if actor is None or not can(actor, action, target):
        raise ValidationError(message)


def _require_planner(actor: User | None, pupil: Pupil) -> None:
    _require(actor, "plan.change", pupil, "Only the SENCO, headteacher or inclusion lead can change support plans.")


def _register_status(pupil: Pupil) -> str:
    status = RegisterEntry.objects.filter(pupil=pupil).values_list("status", flat=True).first()
    return status or SenStatus.NONE


def _editable(cycle: Cycle) -> None:
    if cycle.status == Cycle.Status.REVIEWED:
        raise ValidationError(
            f"Cycle {cycle.number} has been reviewed, so it can no longer be changed. Change the pupil's current cycle."
        )


def _record(actor: User | None, action: str, obj: Any, pupil: Pupil, summary: str) -> None:
    audit.record(actor=actor, action=action, obj=obj, pupil_id=pupil.pk, school=pupil.school, summary=summary)


# The review date -----------------------------------------------------------------------------------------


def default_review_date(*, school: School, on: date) -> date:
    """The last day of the half-term containing `on`, or, if `on` is in a holiday, of the next half-term,
    from the school's own calendar (created from the English default if the school has none yet).

    Side effect: may create the school's calendar for this or the next academic year.
    """
    year = academic_year_of(on)
    for academic_year in (year, year + 1):
        calendar = ensure_calendar(school=school, academic_year=academic_year)
        terms = [TermDates(h.name, h.start, h.end) for h in calendar.half_terms.all()]
        try:
            return half_term_end_on_or_after(on, terms)
        except ValueError:
            continue  # after the year's last half-term (the summer holiday): the next year's first
    raise ValidationError(f"The school calendar has no half-term after {_long(on)}. Add the term dates.")


# Cycles --------------------------------------------------------------------------------------------------


@transaction.atomic
def start_cycle(
    *,
    pupil: Pupil,
    actor: User | None,
    started_on: date | None = None,
    carry_forward_from: Cycle | None = None,
) -> Cycle:
    """Open a new assess-plan-do-review cycle for a pupil on SEN support (K) or with an EHC plan (E).

    The one-page profile and classroom strategies are copied from the pupil's last cycle. With
    `carry_forward_from` (a review's "new cycle"), outcomes not fully achieved and provision still running
    are carried forward too. Side effects: creates the cycle and its copied items; audited.
    """
    _require_planner(actor, pupil)
    started_on = started_on or _today()
    problems = []
    if _register_status(pupil) not in SUPPORT_STATUSES:
        problems.append(
            f"{pupil} is not on SEN support or an EHC plan. Put them on the register first (SEN support, K)."
        )
    if started_on > _today():
        problems.append("The cycle cannot start in the future.")
    last = Cycle.objects.filter(pupil=pupil).order_by("-number").first()
    if last is not None and last.is_open:
        problems.append(f"{pupil} already has an open cycle (cycle {last.number}). Review it before starting another.")
    if last is not None and started_on < (last.reviewed_on or last.started_on):
        problems.append(
            f"The cycle cannot start before the last one ended ({_long(last.reviewed_on or last.started_on)})."
        )
    if problems:
        raise ValidationError(problems)
    cycle = Cycle(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        number=(last.number + 1) if last else 1,
        previous=last,
        started_on=started_on,
        started_by=actor,
    )
    if last is not None:
        for name in PROFILE_FIELDS:
            setattr(cycle, name, getattr(last, name))
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError as exc:
        raise ValidationError(f"{pupil} already has an open cycle. Review it before starting another.") from exc
    if last is not None:
        Strategy.objects.bulk_create(
            Strategy(
                trust_id=cycle.trust_id,
                cycle=cycle,
                position=s.position,
                text=s.text,
                share_with_parents=s.share_with_parents,
            )
            for s in last.strategies.all()
        )
    if carry_forward_from is not None:
        _carry_forward(carry_forward_from, cycle)
    _record(actor, audit.Action.CREATE, cycle, pupil, f"Support cycle {cycle.number} started")
    return cycle


def _carry_forward(source: Cycle, cycle: Cycle) -> None:
    unmet = [o for o in source.outcomes.all() if o.result != Outcome.Result.ACHIEVED]
    Outcome.objects.bulk_create(
        Outcome(
            trust_id=cycle.trust_id,
            cycle=cycle,
            position=i,
            description=o.description,
            baseline=o.baseline,
            target=o.target,
            measured_by=o.measured_by,
            baseline_score=o.baseline_score,
            target_score=o.target_score,
            share_with_parents=o.share_with_parents,
            carried_from=o,
        )
        for i, o in enumerate(unmet, start=1)
    )
    Allocation.objects.bulk_create(
        Allocation(
            trust_id=cycle.trust_id,
            school_id=cycle.school_id,
            cycle=cycle,
            provision=a.provision,
            notes=a.notes,
            share_with_parents=a.share_with_parents,
        )
        for a in source.allocations.select_related("provision")
        if a.provision.end_date is None or a.provision.end_date >= cycle.started_on
    )


@transaction.atomic
def update_assessment(*, cycle: Cycle, actor: User | None, **values: str) -> Cycle:
    """Save the assess stage's notes and views and the one-page profile. Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    unknown = set(values) - set(ASSESS_FIELDS)
    if unknown:
        raise ValueError(f"Not assessment fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(cycle, name, (value or "").strip())
    cycle.save()
    _record(actor, audit.Action.CHANGE, cycle, cycle.pupil, f"Cycle {cycle.number}: assessment and profile")
    return cycle


@transaction.atomic
def add_assessment_result(
    *,
    cycle: Cycle,
    actor: User | None,
    name: str,
    taken_on: date,
    score: Decimal,
    scale: str,
    notes: str = "",
    share_with_parents: bool = False,
) -> AssessmentResult:
    """Add an assessment result to the assess stage. Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    problems = []
    if not name.strip():
        problems.append("Enter the name of the assessment.")
    if not scale.strip():
        problems.append("Enter the scale of the score, for example 'standardised score (average 100)'.")
    if taken_on > _today():
        problems.append("The assessment date cannot be in the future.")
    if problems:
        raise ValidationError(problems)
    result = AssessmentResult.objects.create(
        trust_id=cycle.trust_id,
        cycle=cycle,
        name=name.strip(),
        taken_on=taken_on,
        score=score,
        scale=scale.strip(),
        notes=notes.strip(),
        share_with_parents=share_with_parents,
    )
    _record(actor, audit.Action.CREATE, result, cycle.pupil, f"Cycle {cycle.number}: assessment {result.name}")
    return result


def _outcome_problems(description: str, baseline: str, target: str, measured_by: str) -> list[str]:
    problems = []
    if not description.strip():
        problems.append("Say what the pupil will be able to do.")
    if not baseline.strip():
        problems.append("Say where the pupil is now (the baseline), so progress can be measured.")
    if not target.strip():
        problems.append("Say what the target is.")
    if not measured_by.strip():
        problems.append("Say how progress will be measured.")
    return problems


@transaction.atomic
def add_outcome(
    *,
    cycle: Cycle,
    actor: User | None,
    description: str,
    baseline: str,
    target: str,
    measured_by: str,
    baseline_score: Decimal | None = None,
    target_score: Decimal | None = None,
    share_with_parents: bool = True,
) -> Outcome:
    """Add a specific, measurable outcome to the plan. Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    problems = _outcome_problems(description, baseline, target, measured_by)
    if problems:
        raise ValidationError(problems)
    position = (cycle.outcomes.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    outcome = Outcome.objects.create(
        trust_id=cycle.trust_id,
        cycle=cycle,
        position=position,
        description=description.strip(),
        baseline=baseline.strip(),
        target=target.strip(),
        measured_by=measured_by.strip(),
        baseline_score=baseline_score,
        target_score=target_score,
        share_with_parents=share_with_parents,
    )
    _record(actor, audit.Action.CREATE, outcome, cycle.pupil, f"Cycle {cycle.number}: outcome added")
    return outcome


@transaction.atomic
def update_outcome(
    *,
    outcome: Outcome,
    actor: User | None,
    description: str,
    baseline: str,
    target: str,
    measured_by: str,
    baseline_score: Decimal | None = None,
    target_score: Decimal | None = None,
    share_with_parents: bool = True,
) -> Outcome:
    """Change an outcome of a cycle not yet reviewed. Audited."""
    cycle = outcome.cycle
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    problems = _outcome_problems(description, baseline, target, measured_by)
    if problems:
        raise ValidationError(problems)
    outcome.description, outcome.baseline = description.strip(), baseline.strip()
    outcome.target, outcome.measured_by = target.strip(), measured_by.strip()
    outcome.baseline_score, outcome.target_score = baseline_score, target_score
    outcome.share_with_parents = share_with_parents
    outcome.save()
    _record(actor, audit.Action.CHANGE, outcome, cycle.pupil, f"Cycle {cycle.number}: outcome changed")
    return outcome


@transaction.atomic
def add_strategy(*, cycle: Cycle, actor: User | None, text: str, share_with_parents: bool = True) -> Strategy:
    """Add a classroom strategy (it appears on the pupil passport). Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    if not text.strip():
        raise ValidationError("Describe the strategy teachers should use.")
    position = (cycle.strategies.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    strategy = Strategy.objects.create(
        trust_id=cycle.trust_id,
        cycle=cycle,
        position=position,
        text=text.strip(),
        share_with_parents=share_with_parents,
    )
    _record(actor, audit.Action.CREATE, strategy, cycle.pupil, f"Cycle {cycle.number}: strategy added")
    return strategy


@transaction.atomic
def allocate_provision(
    *, cycle: Cycle, actor: User | None, provision: Provision, notes: str = "", share_with_parents: bool = True
) -> Allocation:
    """Plan a provision from the school's catalogue for the pupil. Audited."""
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    problems = []
    if provision.school_id != cycle.school_id:
        problems.append("Choose a provision from this school's catalogue.")
    if provision.end_date is not None and provision.end_date < _today():
        problems.append(f"{provision.name} ended on {_long(provision.end_date)}. Choose a provision still running.")
    if cycle.allocations.filter(provision=provision).exists():
        problems.append(f"{provision.name} is already in this plan.")
    if problems:
        raise ValidationError(problems)
    allocation = Allocation.objects.create(
        trust_id=cycle.trust_id,
        school_id=cycle.school_id,
        cycle=cycle,
        provision=provision,
        notes=notes.strip(),
        share_with_parents=share_with_parents,
    )
    _record(actor, audit.Action.CREATE, allocation, cycle.pupil, f"Cycle {cycle.number}: {provision.name} planned")
    return allocation


@transaction.atomic
def remove_item(*, cycle: Cycle, actor: User | None, item: Outcome | Strategy | Allocation | AssessmentResult) -> None:
    """Take an outcome, strategy, provision or assessment off a cycle not yet reviewed. Audited.

    Outcomes with scores and provision with logged sessions stay: they are evidence.
    """
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    if item.cycle_id != cycle.pk:
        raise ValidationError("That item belongs to another cycle.")
    if isinstance(item, Allocation) and item.deliveries.exists():
        raise ValidationError(f"Sessions of {item.provision.name} have been logged, so it stays on the plan.")
    if isinstance(item, Outcome) and item.scores.exists():
        raise ValidationError("Scores have been logged against this outcome, so it stays on the plan.")
    summary = f"Cycle {cycle.number}: removed {item._meta.verbose_name} '{str(item)[:60]}'"
    _record(actor, audit.Action.DELETE, item, cycle.pupil, summary)
    item.delete()


@transaction.atomic
def confirm_plan(
    *,
    cycle: Cycle,
    actor: User | None,
    review_date: date,
    expected_impact: str,
    planned_on: date | None = None,
    notify_staff: bool = True,
) -> Cycle:
    """Agree the plan: the cycle moves to "plan in place" (the do stage) with its review date.

    May be called again to change the review date or expected impact while the plan is in place.
    Side effects: audited; the pupil's teachers and teaching assistants are told the passport is ready
    (once per cycle).
    """
    _require_planner(actor, cycle.pupil)
    _editable(cycle)
    planned_on = planned_on or cycle.planned_on or _today()
    problems = []
    if not cycle.outcomes.exists():
        problems.append("Add at least one outcome before agreeing the plan.")
    if not expected_impact.strip():
        problems.append("Say what impact the plan is expected to have.")
    if planned_on > _today():
        problems.append("The plan cannot be agreed in the future.")
    if planned_on < cycle.started_on:
        problems.append(f"The plan cannot be agreed before the cycle started ({_long(cycle.started_on)}).")
    if review_date <= planned_on:
        problems.append(f"The review date must be after the plan is agreed ({_long(planned_on)}).")
    elif (review_date - planned_on).days > LONGEST_PLAN_DAYS:
        problems.append("The review date must be within a year: plans are usually reviewed each half-term or term.")
    if problems:
        raise ValidationError(problems)
    first_time = cycle.status == Cycle.Status.ASSESSING
    cycle.status = Cycle.Status.ACTIVE
    cycle.review_date = review_date
    cycle.expected_impact = expected_impact.strip()
    cycle.planned_on = planned_on
    cycle.planned_by = actor
    cycle.save()
    _record(
        actor,
        audit.Action.CHANGE,
        cycle,
        cycle.pupil,
        f"Cycle {cycle.number}: plan {'agreed' if first_time else 'changed'}, review {review_date:%-d %b %Y}",
    )
    if first_time and notify_staff:
        _tell_teaching_staff(cycle)
    return cycle


def _tell_teaching_staff(cycle: Cycle, *, ended: Cycle.NextStep | None = None) -> None:
    """Tell the pupil's teachers and TAs (their groups' staff) that the plan is in place, or, with `ended`,
    that SEN support has ended at the cycle's review. Not the person who did it."""
    pupil = cycle.pupil
    staff = (
        GroupStaff.objects.filter(group__members__pupil=pupil, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
        .distinct()
    )
    if ended is None:
        actor_id = getattr(cycle.planned_by, "pk", None)
        link = reverse("graduated:passport", kwargs={"pupil_id": pupil.pk})
        text = f"{pupil}'s support plan is in place: read their pupil passport for the strategies to use."
        key = f"support-plan:{cycle.pk}"
    else:
        assert cycle.reviewed_on is not None
        actor_id = getattr(cycle.reviewed_by, "pk", None)
        link = reverse("register:pupil_record", kwargs={"pk": pupil.pk})
        where = "moves to monitoring" if ended == Cycle.NextStep.MONITORING else "leaves the SEN register"
        text = (
            f"{pupil} no longer needs SEN support: after the review on {_long(cycle.reviewed_on)} they {where}. "
            "Keep using the classroom strategies that helped."
        )
        key = f"support-ended:{cycle.pk}"
    for user_id, user in {gs.user_id: gs.user for gs in staff}.items():
        if user_id == actor_id:
            continue
        notify(recipient=user, kind="support_plan", text=text, link=link, dedupe_key=key)


# Do: delivery -------------------------------------------------------------------------------------------


@transaction.atomic
def log_delivery(
    *,
    allocation: Allocation,
    actor: User,
    session_date: date,
    attended: bool,
    note: str = "",
    score: Decimal | None = None,
    outcome: Outcome | None = None,
) -> DeliveryLog:
    """Log one session of a planned provision (a teacher or TA of the pupil, or casework staff). Audited."""
    cycle = allocation.cycle
    pupil = cycle.pupil
    if not may_log_delivery(actor, pupil):
        raise ValidationError("You can log sessions only for pupils you teach or support.")
    problems = []
    if cycle.status != Cycle.Status.ACTIVE:
        problems.append("Sessions can be logged only while the plan is in place.")
    if session_date > _today():
        problems.append("The session date cannot be in the future.")
    if session_date < cycle.started_on:
        problems.append(f"The session date cannot be before this cycle started ({_long(cycle.started_on)}).")
    if score is not None and not attended:
        problems.append("A score can only be recorded for a session the pupil attended.")
    if outcome is not None and outcome.cycle_id != cycle.pk:
        problems.append("Choose one of this plan's outcomes.")
    if score is not None and outcome is None:
        outcomes = list(cycle.outcomes.all()[:2])
        if len(outcomes) == 1:
            outcome = outcomes[0]
        else:
            problems.append("Choose which outcome the score measures.")
    if problems:
        raise ValidationError(problems)
    log = DeliveryLog.objects.create(
        trust_id=cycle.trust_id,
        school_id=cycle.school_id,
        pupil=pupil,
        cycle=cycle,
        allocation=allocation,
        outcome=outcome if score is not None else None,
        session_date=session_date,
        attended=attended,
        note=note.strip(),
        score=score,
        logged_by=actor,
    )
    summary = f"{allocation.provision.name} on {session_date:%-d %b %Y}: {'attended' if attended else 'missed'}"
    _record(actor, audit.Action.CREATE, log, pupil, summary)
    return log


# Review -------------------------------------------------------------------------------------------------


@transaction.atomic
def record_review(
    *,
    cycle: Cycle,
    actor: User | None,
    results: dict[int, tuple[str, str]],
    reviewed_on: date,
    next_step: str,
    pupil_views: str = "",
    parent_views: str = "",
    notes: str = "",
    parents_told_on: date | None = None,
) -> Cycle:
    """Review a cycle: each outcome achieved, partly or not (with evidence), views, and the next step.

    `results` maps each outcome's id to (result, evidence). Next steps:
    - new cycle: opens the next cycle with unmet outcomes and running provision carried forward;
    - monitoring / leave the register: moves the pupil through `register.services.change_status`, which
      needs the date parents were told (CoP 6.43), also kept on the cycle;
    - EHC needs assessment: the decision is recorded; the request itself is made in the EHC section.
    Side effects: outcome results, the cycle, perhaps a new cycle and a register change; audited.
    All or nothing: if the register refuses the change, nothing of the review is saved.
    """
    pupil = cycle.pupil
    _require_planner(actor, pupil)
    problems: list[str] = []
    if cycle.status != Cycle.Status.ACTIVE:
        problems.append(
            "This cycle has been reviewed already."
            if cycle.status == Cycle.Status.REVIEWED
            else "Agree the plan before reviewing it."
        )
        raise ValidationError(problems)
    if reviewed_on > _today():
        problems.append("The review date cannot be in the future.")
    if cycle.planned_on and reviewed_on < cycle.planned_on:
        problems.append(f"The review cannot be before the plan was agreed ({_long(cycle.planned_on)}).")
    outcomes = list(cycle.outcomes.all())
    for n, outcome in enumerate(outcomes, start=1):
        result, evidence = results.get(outcome.pk, ("", ""))
        if result not in Outcome.Result.values:
            problems.append(f"Say whether outcome {n} was achieved, partly achieved or not achieved.")
        if not (evidence or "").strip():
            problems.append(f"Give the evidence for outcome {n}.")
    if next_step not in Cycle.NextStep.values:
        problems.append("Choose the next step.")
    status = _register_status(pupil)
    ends_support = next_step in {Cycle.NextStep.MONITORING, Cycle.NextStep.LEAVE}
    if ends_support and status == SenStatus.EHC_PLAN:
        problems.append(
            f"{pupil} has an EHC plan: they leave SEN support only if the local authority ceases the plan. "
            "Choose a new cycle instead."
        )
    if next_step == Cycle.NextStep.EHC_REQUEST and status == SenStatus.EHC_PLAN:
        problems.append(f"{pupil} already has an EHC plan. Choose a new cycle instead.")
    if ends_support and parents_told_on is None:
        problems.append(
            "Enter the date parents were told that SEN support is ending: they must be told (Code of Practice 6.43)."
        )
    if parents_told_on is not None and parents_told_on > _today():
        problems.append("The date parents were told cannot be in the future.")
    if problems:
        raise ValidationError(problems)

    for outcome in outcomes:
        result, evidence = results[outcome.pk]
        outcome.result, outcome.evidence = result, evidence.strip()
    Outcome.objects.bulk_update(outcomes, ["result", "evidence"])
    cycle.status = Cycle.Status.REVIEWED
    cycle.reviewed_on, cycle.reviewed_by = reviewed_on, actor
    cycle.review_pupil_views, cycle.review_parent_views = pupil_views.strip(), parent_views.strip()
    cycle.review_notes, cycle.next_step = notes.strip(), next_step
    cycle.parents_told_on = parents_told_on
    cycle.save()
    step = Cycle.NextStep(next_step)
    _record(actor, audit.Action.CHANGE, cycle, pupil, f"Cycle {cycle.number} reviewed: {step.label}")

    reason = f"Review of support cycle {cycle.number} on {_long(reviewed_on)}"
    if step == Cycle.NextStep.NEW_CYCLE:
        start_cycle(pupil=pupil, actor=actor, started_on=reviewed_on, carry_forward_from=cycle)
    elif step == Cycle.NextStep.MONITORING:
        change_status(
            pupil=pupil,
            to_status=SenStatus.MONITORING,
            actor=actor,
            reason=f"{reason}: outcomes met, moved to monitoring",
            effective_date=reviewed_on,
            parents_told_on=parents_told_on,
        )
    elif step == Cycle.NextStep.LEAVE:
        change_status(
            pupil=pupil,
            to_status=SenStatus.NONE,
            actor=actor,
            reason=f"{reason}: no longer needs SEN support",
            effective_date=reviewed_on,
            parents_told_on=parents_told_on,
        )
    if step in (Cycle.NextStep.MONITORING, Cycle.NextStep.LEAVE):
        _tell_teaching_staff(cycle, ended=step)
    return cycle


# Parent meetings -----------------------------------------------------------------------------------------


@transaction.atomic
def record_parent_meeting(
    *,
    pupil: Pupil,
    actor: User | None,
    held_on: date,
    attendees: str,
    notes: str = "",
    agreed_actions: str = "",
) -> ParentMeeting:
    """Record a meeting with the pupil's parents (CoP 6.65: at least three a year on SEN support). Audited."""
    _require_planner(actor, pupil)
    problems = []
    if held_on > _today():
        problems.append("The meeting date cannot be in the future: record meetings once they have happened.")
    if not attendees.strip():
        problems.append("Say who attended the meeting.")
    if not notes.strip() and not agreed_actions.strip():
        problems.append("Write the notes of the meeting or the actions agreed.")
    if problems:
        raise ValidationError(problems)
    cycle = Cycle.objects.filter(pupil=pupil).exclude(status=Cycle.Status.REVIEWED).first()
    assert actor is not None
    meeting = ParentMeeting.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        cycle=cycle,
        held_on=held_on,
        attendees=attendees.strip(),
        notes=notes.strip(),
        agreed_actions=agreed_actions.strip(),
        recorded_by=actor,
    )
    _record(actor, audit.Action.CREATE, meeting, pupil, f"Parent meeting on {held_on:%-d %b %Y}")
    return meeting


# The catalogue and rates ----------------------------------------------------------------------------------


@transaction.atomic
def save_provision(
    *,
    school: School,
    actor: User | None,
    name: str,
    wave: int,
    area: str,
    staff_role: str,
    group_size: int,
    sessions_per_week: Decimal,
    minutes_per_session: int,
    start_date: date,
    end_date: date | None = None,
    description: str = "",
    provision: Provision | None = None,
) -> Provision:
    """Add a provision to the school's catalogue, or change one. Audited."""
    _require(actor, "plan.change", school, "Only the SENCO, headteacher or inclusion lead can change the catalogue.")
    problems = []
    if not name.strip():
        problems.append("Enter the name of the provision.")
    if group_size < 1:
        problems.append("The group size must be at least 1 (1 means one-to-one).")
    if sessions_per_week <= 0:
        problems.append("Enter how many sessions a week, for example 3 (or 0.5 for once a fortnight).")
    if minutes_per_session < 1:
        problems.append("Enter how many minutes each session lasts.")
    if end_date is not None and end_date < start_date:
        problems.append("The end date must be on or after the start date.")
    if provision is not None and provision.school_id != school.pk:
        problems.append("That provision belongs to another school.")
    if problems:
        raise ValidationError(problems)
    creating = provision is None
    if provision is None:
        provision = Provision(trust_id=school.trust_id, school=school)
    provision.name, provision.description = name.strip(), description.strip()
    provision.wave, provision.area, provision.staff_role = wave, area, staff_role
    provision.group_size, provision.sessions_per_week = group_size, sessions_per_week
    provision.minutes_per_session, provision.start_date, provision.end_date = minutes_per_session, start_date, end_date
    try:
        with transaction.atomic():
            provision.save()
    except IntegrityError as exc:
        raise ValidationError(
            f"The catalogue already has a provision called {name.strip()}. Choose another name."
        ) from exc
    audit.record(
        actor=actor,
        action=audit.Action.CREATE if creating else audit.Action.CHANGE,
        obj=provision,
        summary=f"Provision catalogue: {provision.name}",
    )
    return provision


@transaction.atomic
def set_rates(*, school: School, actor: User | None, rates: dict[str, Decimal | None]) -> list[StaffRate]:
    """Set the school's hourly cost of each kind of staff (None removes a rate). Audited."""
    _require(actor, "plan.change", school, "Only the SENCO, headteacher or inclusion lead can change staff rates.")
    problems = []
    for role, rate in rates.items():
        if role not in StaffRole.values:
            problems.append(f"{role} is not a kind of staff.")
        elif rate is not None and not (0 <= rate <= MAX_RATE):
            problems.append(f"The rate for {StaffRole(role).label.lower()} must be between £0 and £{MAX_RATE:,.0f}.")
    if problems:
        raise ValidationError(problems)
    saved = []
    for role, rate in rates.items():
        if rate is None:
            StaffRate.objects.filter(school=school, role=role).delete()
            continue
        obj, _ = StaffRate.objects.update_or_create(
            school=school, role=role, defaults={"trust_id": school.trust_id, "hourly_rate": rate}
        )
        saved.append(obj)
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=school, summary="Provision map staff rates changed")
    return saved
