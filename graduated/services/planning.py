"""Plan: outcomes, strategies and provision of a cycle, and confirming the plan (telling teaching staff)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from pupils.models import GroupStaff
from trusts import audit
from trusts.models import User
from trusts.services import notify

from ..models import Allocation, AssessmentResult, Cycle, Outcome, Provision, Strategy
from ._common import _editable, _long, _record, _require_planner, _today

# Plans are "usually half-termly or termly" (CoP 6.52; trust policy 000): a year is the outside limit.
LONGEST_PLAN_DAYS = 366


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
    (once per cycle); the child's linked parents are told the review date when it is set or moved.
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
    old_review_date = None if first_time else cycle.review_date
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
    if notify_staff:
        from pupils.meeting_replies import tell_parents_date_changed

        from ..queries.parents import SUPPORT_REVIEW_TITLE

        tell_parents_date_changed(
            pupil=cycle.pupil, title=SUPPORT_REVIEW_TITLE, old=old_review_date, new=review_date, key=f"cycle-{cycle.pk}"
        )
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
        link = reverse("pupils:record", kwargs={"pk": pupil.pk})
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
