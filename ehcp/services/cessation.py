"""Ceasing an EHC plan: the register status it returns to, and the hooks of apps above that close their own work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from register.models import SenStatus
from register.services import change_status, current_entry
from trusts import audit
from trusts.hooks import Hooks
from trusts.models import User

from ..deadlines import cancel_for_subject as engine_cancel
from ..models import CeaseReason, EhcPlan, PhaseTransfer, SubjectType
from ._common import PLAN

# Hooks that apps above ehcp register to close their own work when a plan ceases (reviews cancels open
# annual reviews). Each is called inside cease_plan's transaction as hook(plan=..., actor=..., reason=...);
# plan.ceased_on is set by then.
PLAN_CEASED_HOOKS: Hooks[Callable[..., object]] = Hooks(
    "ehcp.services.PLAN_CEASED_HOOKS",
    rule="a plan that ceases has no more annual reviews: the ones under way are cancelled",
    filled_by="reviews",
)
CEASE_TO_STATUSES = (SenStatus.SEN_SUPPORT, SenStatus.MONITORING, SenStatus.NONE)


@transaction.atomic
def cease_plan(
    *,
    plan: EhcPlan,
    ceased_on: date,
    reason: str,
    actor: User,
    register_status: str,
    parents_told_on: date | None,
    notes: str = "",
) -> EhcPlan:
    """Record that the LA has ceased to maintain the plan (CFA 2014 s.45).

    Side effects: the plan's open deadlines (its annual review R1/R2 and any phase transfer R9) still to
    come on that date are waived with the reason (one already past was missed: the sweep marks it); apps
    above ehcp close their own open work through PLAN_CEASED_HOOKS (open annual reviews are cancelled);
    the pupil leaves E on the SEN register for SEN support, monitoring or no SEN (register's
    change_status, which keeps the history and requires the date parents were told); an audit entry.
    Refused, with nothing written, when any rule is broken.
    """
    plan = EhcPlan.objects.select_for_update().get(pk=plan.pk)
    notes = notes.strip()
    problems: list[str] = []
    if plan.ceased_on is not None:
        problems.append(f"This plan already ceased on {plan.ceased_on:%-d %B %Y}.")
    if ceased_on > timezone.localdate():
        problems.append(
            "The date the plan ceased cannot be in the future: the LA keeps maintaining the plan until then "
            "(and while an appeal is heard). Record it on or after that day."
        )
    if ceased_on < plan.first_issued_on:
        problems.append(f"The plan cannot cease before it was issued ({plan.first_issued_on:%-d %B %Y}).")
    if reason not in CeaseReason.values:
        problems.append("Choose why the plan ceased.")
    if reason == CeaseReason.OTHER and not notes:
        problems.append("Say why the plan ceased.")
    if register_status not in CEASE_TO_STATUSES:
        problems.append("Choose where the pupil goes on the SEN register: SEN support, monitoring or no SEN.")
    if problems:
        raise ValidationError(problems)
    plan.ceased_on, plan.cease_reason, plan.cease_notes = ceased_on, reason, notes
    plan.save(update_fields=["ceased_on", "cease_reason", "cease_notes", "updated_at"])
    why = f"The EHC plan ceased on {ceased_on:%-d %B %Y}."
    # A date that had already passed when the plan ceased was missed then: the sweep records it as missed.
    subjects = [(PLAN, plan.pk)] + [
        (SubjectType.PHASE_TRANSFER, pk) for pk in PhaseTransfer.objects.filter(plan=plan).values_list("pk", flat=True)
    ]
    for subject_type, subject_id in subjects:
        engine_cancel(
            subject_type=subject_type, subject_id=subject_id, actor=actor, reason=why, not_due_before=ceased_on
        )
    for hook in PLAN_CEASED_HOOKS:
        hook(plan=plan, actor=actor, reason=why)
    pupil = plan.pupil
    entry = current_entry(pupil)
    if entry.pk is not None and entry.status == SenStatus.EHC_PLAN:
        effective = max(ceased_on, pupil.admission_date) if pupil.admission_date else ceased_on
        keep_needs = register_status != SenStatus.NONE
        change_status(
            pupil=pupil,
            to_status=register_status,
            actor=actor,
            reason=f"EHC plan ceased on {ceased_on:%-d %B %Y}. {CeaseReason(reason).label}.",
            effective_date=effective,
            primary_need=entry.primary_need if keep_needs else "",
            primary_need_detail=entry.primary_need_detail if keep_needs else "",
            secondary_need=entry.secondary_need if keep_needs else "",
            secondary_need_detail=entry.secondary_need_detail if keep_needs else "",
            parents_told_on=parents_told_on,
            check_permission=False,
        )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=plan,
        pupil_id=plan.pupil_id,
        summary=f"EHC plan ceased on {ceased_on:%-d %B %Y} ({CeaseReason(reason).label})",
    )
    return plan
