"""Register transitions: the rules of domain.md, kept as history, audited, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.hooks import Hooks
from trusts.models import User
from trusts.permissions import can
from trusts.problems import Problems

from .models import NeedType, RegisterChange, RegisterEntry, SenStatus

ON_REGISTER = {SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN}
# Whether a pupil has an issued EHC plan: register cannot import ehcp, so ehcp answers (pupil -> bool).
EHC_PLAN_CHECKS: Hooks[Callable[[Pupil], bool]] = Hooks(
    "register.services.EHC_PLAN_CHECKS",
    rule="a pupil is recorded as E only with an issued EHC plan, and stays E until it ceases",
    filled_by="ehcp",
)


def current_entry(pupil: Pupil) -> RegisterEntry:
    entry = RegisterEntry.objects.filter(pupil=pupil).first()
    if entry is None:
        entry = RegisterEntry(
            trust_id=pupil.trust_id,
            school_id=pupil.school_id,
            pupil=pupil,
            status=SenStatus.NONE,
            since=date.today(),
        )
    return entry


def _check_rules(
    *,
    pupil: Pupil,
    to_status: str,
    primary_need: str,
    secondary_need: str,
    effective_date: date,
    parents_told_on: date | None,
    reason: str,
    from_status: str,
) -> None:
    problems = Problems()
    if to_status not in SenStatus.values:
        problems.add("Choose a register status.", field="to_status")
    if not reason.strip():
        problems.add("Say why the register is changing.", field="reason")
    if effective_date > timezone.localdate():
        problems.add("The date of the change cannot be in the future.", field="effective_date")
    if pupil.admission_date and effective_date < pupil.admission_date:
        problems.add(
            f"The date of the change is before the pupil joined ({pupil.admission_date:%-d %B %Y}).",
            field="effective_date",
        )
    if to_status in ON_REGISTER and not primary_need:
        problems.add(
            "Choose the primary type of need: pupils on SEN support or with an EHC plan need one.", field="primary_need"
        )
    for need in (primary_need, secondary_need):
        if need and need not in NeedType.values:
            problems.add(f"{need} is not a type-of-need code.")
    # Census rule: NSA (no specialist assessment) is only used with SEN support (K).
    if NeedType.NSA in (primary_need, secondary_need) and to_status != SenStatus.SEN_SUPPORT:
        problems.add("NSA (no specialist assessment) can only be used with SEN support.", field="primary_need")
    if NeedType.NSA == secondary_need:
        problems.add("NSA can only be a primary need.", field="secondary_need")
    if primary_need and primary_need == secondary_need:
        problems.add("The secondary need must differ from the primary need.", field="secondary_need")
    if secondary_need and not primary_need:
        problems.add("Choose a primary need before a secondary need.", field="primary_need")
    if to_status == SenStatus.EHC_PLAN and not any(check(pupil) for check in EHC_PLAN_CHECKS):
        problems.add("A pupil is recorded as having an EHC plan (E) only once the plan is recorded in the EHC section.")
    leaves_e = from_status == SenStatus.EHC_PLAN and to_status != SenStatus.EHC_PLAN
    if leaves_e and any(check(pupil) for check in EHC_PLAN_CHECKS):
        problems.add(
            "This pupil has an EHC plan, so they stay E on the register until the local authority ceases it: "
            "record that the plan has ceased on the EHC plan's page and the register follows."
        )
    # CoP 6.43: parents are formally told when SEN support starts and when it ends.
    starts_support = from_status not in ON_REGISTER and to_status in ON_REGISTER
    ends_support = from_status in ON_REGISTER and to_status not in ON_REGISTER
    if (starts_support or ends_support) and parents_told_on is None:
        problems.add(
            "Enter the date parents were told: they must be told when SEN support starts or ends.",
            field="parents_told_on",
        )
    if parents_told_on and parents_told_on > timezone.localdate():
        problems.add("The date parents were told cannot be in the future.", field="parents_told_on")
    problems.raise_if_any()


@transaction.atomic
def change_status(
    *,
    pupil: Pupil,
    to_status: str,
    actor: User | None,
    reason: str,
    effective_date: date | None = None,
    primary_need: str = "",
    primary_need_detail: str = "",
    secondary_need: str = "",
    secondary_need_detail: str = "",
    parents_told_on: date | None = None,
    check_permission: bool = True,
) -> RegisterChange:
    """Move a pupil on, along or off the register (or change their needs) and keep the change as history.

    Side effects: updates the current RegisterEntry, appends a RegisterChange, writes an audit entry.
    Raises ValidationError listing every broken rule; nothing is written then.
    """
    if check_permission and actor is not None and not can(actor, "register.change", pupil):
        raise ValidationError("You cannot change the SEN register for this pupil.")
    effective_date = effective_date or timezone.localdate()
    entry = current_entry(pupil)
    if to_status not in ON_REGISTER and to_status != SenStatus.MONITORING:
        primary_need = secondary_need = primary_need_detail = secondary_need_detail = ""
    _check_rules(
        pupil=pupil,
        to_status=to_status,
        primary_need=primary_need,
        secondary_need=secondary_need,
        effective_date=effective_date,
        parents_told_on=parents_told_on,
        reason=reason,
        from_status=entry.status,
    )
    unchanged = (
        entry.pk is not None
        and entry.status == to_status
        and entry.primary_need == primary_need
        and entry.secondary_need == secondary_need
        and entry.primary_need_detail == primary_need_detail
        and entry.secondary_need_detail == secondary_need_detail
    )
    if unchanged:
        raise ValidationError("Nothing has changed: the pupil already has this status and these needs.")
    from_status = entry.status
    if from_status != to_status:
        entry.since = effective_date
    entry.status = to_status
    entry.primary_need, entry.primary_need_detail = primary_need, primary_need_detail
    entry.secondary_need, entry.secondary_need_detail = secondary_need, secondary_need_detail
    entry.school_id = pupil.school_id
    entry.save()
    change = RegisterChange.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason.strip(),
        primary_need=primary_need,
        secondary_need=secondary_need,
        parents_told_on=parents_told_on,
        changed_by=actor,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"Register: {SenStatus(from_status).label} → {SenStatus(to_status).label}",
    )
    return change
