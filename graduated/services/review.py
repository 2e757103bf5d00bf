"""Review: recording a cycle's review, which may start the next cycle or change the register status."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from register.models import SenStatus
from register.services import change_status
from trusts import audit
from trusts.models import User

from ..models import Cycle, Outcome
from ._common import _long, _record, _register_status, _require_planner, _today
from .cycles import start_cycle
from .planning import _tell_teaching_staff


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
