"""EHC plans: issuing, amending, correcting the issue date, and adding outcomes and provision."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from register.models import SenStatus
from register.services import change_status, current_entry
from trusts import audit
from trusts.hooks import Hooks
from trusts.models import User

from ..deadlines import open_deadline, record_la_breach
from ..models import (
    SECTIONS,
    Deadline,
    EhcPlan,
    NeedsAssessment,
    PhaseTransfer,
    PlanOutcome,
    PlanVersion,
    ProvisionLine,
    SubjectType,
)
from ._common import ASSESSMENT, PLAN, Decision, Outcome, _deadline, _meet, _waive
from .pdfs import _pdf_problems, _store_pdf_last
from .transfers import open_phase_transfer


@dataclass(frozen=True)
class ProvisionInput:
    description: str
    frequency: str
    delivered_by: str
    hours: Decimal | None = None


@dataclass(frozen=True)
class OutcomeInput:
    text: str
    provision: Sequence[ProvisionInput] = ()


def _clean_sections(sections: Mapping[str, str]) -> dict[str, str]:
    known = {field for field, _, _ in SECTIONS}
    unknown = set(sections) - known
    if unknown:
        raise ValidationError(f"Unknown plan sections: {', '.join(sorted(unknown))}.")
    return {field: (sections.get(field) or "").strip() for field in known}


def _add_outcomes(version: PlanVersion, outcomes: Sequence[OutcomeInput], *, start: int = 1) -> list[ProvisionLine]:
    """Create the outcomes and their provision lines; returns the lines in the order they were given."""
    created = []
    for position, item in enumerate(outcomes, start=start):
        outcome = PlanOutcome.objects.create(
            trust_id=version.trust_id, version=version, position=position, text=item.text.strip()
        )
        for line in item.provision:
            created.append(
                ProvisionLine.objects.create(
                    trust_id=version.trust_id,
                    version=version,
                    outcome=outcome,
                    description=line.description.strip(),
                    hours=line.hours,
                    frequency=line.frequency.strip(),
                    delivered_by=line.delivered_by.strip(),
                )
            )
    return created


def _make_e(*, pupil: Pupil, issued_on: date, local_authority: str, actor: User) -> None:
    entry = current_entry(pupil)
    if entry.pk is not None and entry.status == SenStatus.EHC_PLAN:
        return
    if not entry.primary_need:
        raise ValidationError(
            "Record the pupil's primary type of need on the SEN register first: a pupil with an EHC plan needs one."
        )
    effective = issued_on
    if pupil.admission_date and effective < pupil.admission_date:
        effective = pupil.admission_date  # a plan issued before the pupil joined: E from the day they joined
    change_status(
        pupil=pupil,
        to_status=SenStatus.EHC_PLAN,
        actor=actor,
        reason=f"EHC plan issued by {local_authority} on {issued_on:%-d %B %Y}",
        effective_date=effective,
        primary_need=entry.primary_need,
        primary_need_detail=entry.primary_need_detail,
        secondary_need=entry.secondary_need,
        secondary_need_detail=entry.secondary_need_detail,
        # Parents receive the plan itself: that is when they are told (CoP 6.43 applies from N or M).
        parents_told_on=issued_on,
        check_permission=False,
    )


@transaction.atomic
def issue_plan(
    *,
    pupil: Pupil,
    issued_on: date,
    local_authority: str,
    placement: str,
    actor: User,
    sections: Mapping[str, str] | None = None,
    outcomes: Sequence[OutcomeInput] = (),
    pdf: UploadedFile | None = None,
    assessment: NeedsAssessment | None = None,
) -> EhcPlan:
    """Record a final EHC plan issued by the LA (version 1).

    Side effects: the pupil's register status becomes E (register.services.change_status); R1 (annual
    review within 12 months less a day) opens for the plan, and R2 too for a child under 5; a phase
    transfer (R9) opens for a pupil in Nursery, Year 6 or Year 11; an assessment's A6 (or X2) is met and
    its A3 waived. Refused when the pupil already has an active plan (record an amendment instead).
    """
    problems: list[str] = []
    if issued_on > timezone.localdate():
        problems.append("The date the plan was issued cannot be in the future.")
    if not placement.strip():
        problems.append("Enter the school or other institution the plan names (section I).")
    if not local_authority.strip():
        problems.append("Enter the local authority that issued the plan.")
    if EhcPlan.objects.filter(pupil=pupil, ceased_on=None).exists():
        problems.append(f"{pupil} already has an EHC plan: record an amendment to it instead.")
    if assessment is not None and assessment.pupil_id != pupil.pk:
        problems.append("That assessment is for another pupil.")
    if assessment is not None and issued_on < assessment.request_received_on:
        problems.append("The plan cannot be issued before the assessment was requested.")
    draft_on = assessment.draft_served_on if assessment is not None else None
    if assessment is not None and draft_on is None:
        # Regs 13: the final plan follows a draft, on which the parent and the school are consulted.
        problems.append("Record when the draft plan was served first: the final plan comes after the draft.")
    elif draft_on is not None and issued_on < draft_on:
        problems.append(f"The final plan cannot be issued before the draft was served ({draft_on:%-d %B %Y}).")
    problems += _pdf_problems(pdf)
    if problems:
        raise ValidationError(problems)
    cleaned = _clean_sections(sections or {})
    plan = EhcPlan.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        assessment=assessment,
        local_authority=local_authority.strip(),
        first_issued_on=issued_on,
    )
    version = PlanVersion(
        trust_id=pupil.trust_id,
        plan=plan,
        number=1,
        kind=PlanVersion.Kind.ISSUED,
        issued_on=issued_on,
        local_authority=plan.local_authority,
        placement=placement.strip(),
        recorded_by=actor,
        **cleaned,
    )
    version.save()
    _add_outcomes(version, outcomes)
    _make_e(pupil=pupil, issued_on=issued_on, local_authority=plan.local_authority, actor=actor)
    open_deadline(
        rule_id="R1",
        trigger_date=issued_on,
        school=pupil.school,
        pupil=pupil,
        subject_type=PLAN,
        subject_id=plan.pk,
        actor=actor,
    )
    if pupil.age_on(issued_on) < 5:
        # CoP 9.178: a child under 5 is reviewed every 3 to 6 months.
        open_deadline(
            rule_id="R2",
            trigger_date=issued_on,
            school=pupil.school,
            pupil=pupil,
            subject_type=PLAN,
            subject_id=plan.pk,
            actor=actor,
        )
    if assessment is not None:
        _close_assessment_with_plan(assessment, issued_on, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=plan,
        pupil_id=pupil.pk,
        summary=f"EHC plan issued on {issued_on:%-d %B %Y} naming {version.placement}",
    )
    open_phase_transfer(plan=plan, actor=actor)
    _store_pdf_last(version, pdf)
    return plan


def _close_assessment_with_plan(assessment: NeedsAssessment, issued_on: date, actor: User) -> None:
    a = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    if a.outcome not in {Outcome.IN_PROGRESS, Outcome.PLAN_ISSUED}:
        raise ValidationError(f"That assessment is closed ({a.get_outcome_display().lower()}).")
    for rule_id in ("A6", "X2"):
        _meet(ASSESSMENT, a.pk, rule_id, issued_on, actor)
    _waive(ASSESSMENT, a.pk, "A3", f"A final plan was issued on {issued_on:%-d %B %Y}.", actor)
    # Regs 13(1) and CoP 9.83: the parent and the school each have 15 days on the draft. A final plan
    # inside either window was issued early: the LA's breach, shown as such, not the parent's or school's.
    for rule_id, whose in (("A4", "the parent's"), ("A5", "the school's")):
        d = _deadline(ASSESSMENT, a.pk, rule_id)
        if d is not None and d.status == Deadline.Status.OPEN and issued_on <= d.statutory_due:
            record_la_breach(
                deadline=d,
                reason=(
                    f"Issued early: the LA issued the final plan on {issued_on:%-d %B %Y}, inside {whose} 15 days "
                    f"on the draft (to {d.statutory_due:%-d %B %Y})."
                ),
                actor=actor,
            )
    a.outcome, a.outcome_on = Outcome.PLAN_ISSUED, issued_on
    if a.decision == Decision.PENDING:
        a.decision = Decision.ASSESS
    a.save(update_fields=["outcome", "outcome_on", "decision", "updated_at"])


@transaction.atomic
def amend_plan(
    *,
    plan: EhcPlan,
    issued_on: date,
    placement: str,
    actor: User,
    sections: Mapping[str, str] | None = None,
    pdf: UploadedFile | None = None,
    names_new_school_for_transfer: bool = False,
    assessment: NeedsAssessment | None = None,
) -> PlanVersion:
    """Record an amended plan as a new version (earlier versions are kept). Outcomes and provision are
    carried over and can then be edited. Meets the plan's open phase-transfer deadline (R9) when the
    amendment names the new school, and a re-assessment's X2 when it follows one."""
    plan = EhcPlan.objects.select_for_update().get(pk=plan.pk)  # fresh: it may have ceased meanwhile
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    assert latest is not None
    problems: list[str] = []
    if plan.ceased_on is not None:
        problems.append("This plan has ceased: it cannot be amended.")
    if issued_on > timezone.localdate():
        problems.append("The date the amended plan was issued cannot be in the future.")
    if issued_on < latest.issued_on:
        problems.append(
            f"The amended plan cannot be dated before version {latest.number} ({latest.issued_on:%-d %B %Y})."
        )
    if not placement.strip():
        problems.append("Enter the school or other institution the plan names (section I).")
    problems += _pdf_problems(pdf)
    if problems:
        raise ValidationError(problems)
    cleaned = _clean_sections(sections) if sections is not None else {f: getattr(latest, f) for f, _, _ in SECTIONS}
    version = PlanVersion(
        trust_id=plan.trust_id,
        plan=plan,
        number=latest.number + 1,
        kind=PlanVersion.Kind.AMENDED,
        issued_on=issued_on,
        local_authority=plan.local_authority,
        placement=placement.strip(),
        recorded_by=actor,
        **cleaned,
    )
    version.save()
    old_outcomes = list(PlanOutcome.objects.filter(version=latest).prefetch_related("provision"))
    old_lines = [p for o in old_outcomes for p in o.provision.all()]  # type: ignore[attr-defined]
    carried = [
        OutcomeInput(
            text=o.text,
            provision=[
                ProvisionInput(p.description, p.frequency, p.delivered_by, p.hours)
                for p in o.provision.all()  # type: ignore[attr-defined]
            ],
        )
        for o in old_outcomes
    ]
    pairs = list(zip(old_lines, _add_outcomes(version, carried), strict=True))
    for line in ProvisionLine.objects.filter(version=latest, outcome=None):
        pairs.append(
            (
                line,
                ProvisionLine.objects.create(
                    trust_id=plan.trust_id,
                    version=version,
                    description=line.description,
                    hours=line.hours,
                    frequency=line.frequency,
                    delivered_by=line.delivered_by,
                ),
            )
        )
    for hook in PROVISION_CARRIED_HOOKS:
        hook(carried={old.pk: new.pk for old, new in pairs})
    if names_new_school_for_transfer:
        for transfer in PhaseTransfer.objects.filter(plan=plan):
            _meet(SubjectType.PHASE_TRANSFER, transfer.pk, "R9", issued_on, actor)
            if not transfer.new_school:
                transfer.new_school = version.placement
                transfer.save(update_fields=["new_school", "updated_at"])
    if assessment is not None:
        _close_assessment_with_plan(assessment, issued_on, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=plan,
        pupil_id=plan.pupil_id,
        summary=f"EHC plan amended (version {version.number}) on {issued_on:%-d %B %Y}",
    )
    _store_pdf_last(version, pdf)
    return version


# What apps above ehcp keep about a plan's provision lines follows them into an amended version: reports
# carries the SENCO's mapping of each line to the school provision that delivers it. Called inside the
# amendment's transaction as hook(carried={old line id: new line id}). Filled by: reports.apps.
PROVISION_CARRIED_HOOKS: Hooks[Callable[..., object]] = Hooks(
    "ehcp.services.PROVISION_CARRIED_HOOKS",
    rule="an amended plan keeps which school provision delivers each of its provision lines",
    filled_by="reports",
)


# Hooks that apps above ehcp register to recompute what they counted from a plan's issue date when it is
# corrected (reviews: the first annual review's due date). Called inside the correction's transaction as
# hook(plan=..., actor=...), with plan.first_issued_on already corrected. Filled by: reviews.apps.
PLAN_ISSUE_DATE_HOOKS: Hooks[Callable[..., object]] = Hooks(
    "ehcp.services.PLAN_ISSUE_DATE_HOOKS",
    rule="a corrected plan issue date moves the first annual review's due date with it",
    filled_by="reviews",
)


@transaction.atomic
def correct_plan_issue_date(*, plan: EhcPlan, issued_on: date, reason: str, actor: User) -> EhcPlan:
    """Correct a mistyped issue date of a plan's first version. Side effects: R1 (and R2) still open are
    recomputed from the new date, the first annual review's due date follows (hooks), an audit entry with
    the old date, the new and why. Raises ValidationError with every problem: a future date, a date before
    the request or the draft, after an amendment, a ceased plan, no reason."""
    plan = (
        EhcPlan.objects.select_for_update(of=("self",)).select_related("assessment", "pupil", "school").get(pk=plan.pk)
    )
    reason = " ".join((reason or "").split())
    problems: list[str] = []
    if plan.ceased_on is not None:
        problems.append(f"This plan ceased on {plan.ceased_on:%-d %B %Y}: its dates can no longer change.")
    if issued_on > timezone.localdate():
        problems.append("The date the plan was issued cannot be in the future.")
    a = plan.assessment
    if a is not None and issued_on < a.request_received_on:
        problems.append(
            f"The plan cannot be issued before the assessment was requested ({a.request_received_on:%-d %B %Y})."
        )
    if a is not None and a.draft_served_on is not None and issued_on < a.draft_served_on:
        problems.append(f"The final plan cannot be issued before the draft was served ({a.draft_served_on:%-d %B %Y}).")
    first_amendment = plan.versions.filter(number__gt=1).order_by("issued_on").first()
    if first_amendment is not None and issued_on > first_amendment.issued_on:
        problems.append(f"The plan cannot be issued after its first amendment ({first_amendment.issued_on:%-d %B %Y}).")
    if not reason:
        problems.append("Say why the date is being corrected, for example “typed 2025 instead of 2024”.")
    if issued_on == plan.first_issued_on:
        problems.append(f"The plan's issue date is already {issued_on:%-d %B %Y}.")
    if problems:
        raise ValidationError(problems)
    old = plan.first_issued_on
    plan.first_issued_on = issued_on
    plan.save(update_fields=["first_issued_on", "updated_at"])
    PlanVersion.objects.filter(plan=plan, number=1).update(issued_on=issued_on)
    for rule_id in ("R1", "R2"):
        d = _deadline(PLAN, plan.pk, rule_id)
        if d is not None and d.status in {Deadline.Status.OPEN, Deadline.Status.MISSED}:
            open_deadline(
                rule_id=rule_id,
                trigger_date=issued_on,
                school=plan.school,
                pupil=plan.pupil,
                subject_type=PLAN,
                subject_id=plan.pk,
                actor=actor,
            )
    for hook in PLAN_ISSUE_DATE_HOOKS:
        hook(plan=plan, actor=actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=plan,
        pupil_id=plan.pupil_id,
        summary=f"Issue date corrected from {old:%-d %B %Y} to {issued_on:%-d %B %Y}: {reason}",
    )
    return plan


@transaction.atomic
def add_outcome(
    *, version: PlanVersion, text: str, actor: User, provision: Sequence[ProvisionInput] = ()
) -> PlanOutcome:
    """Add a section E outcome (with any provision lines) to a plan version."""
    _check_not_ceased(version)
    if not text.strip():
        raise ValidationError({"text": "Enter the outcome."})
    for line in provision:
        _check_provision(line)
    position = PlanOutcome.objects.filter(version=version).count() + 1
    _add_outcomes(version, [OutcomeInput(text=text, provision=provision)], start=position)
    outcome = PlanOutcome.objects.get(version=version, position=position)
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=version, pupil_id=version.plan.pupil_id, summary="Outcome added"
    )
    return outcome


def _check_not_ceased(version: PlanVersion) -> None:
    ceased_on = EhcPlan.objects.filter(pk=version.plan_id).values_list("ceased_on", flat=True).first()
    if ceased_on is not None:
        raise ValidationError(f"This plan ceased on {ceased_on:%-d %B %Y}: it cannot be changed.")


def _check_provision(line: ProvisionInput) -> None:
    problems = []
    if not line.description.strip():
        problems.append("Describe the provision.")
    if not line.frequency.strip():
        problems.append("Say how often the provision happens (for example weekly).")
    if not line.delivered_by.strip():
        problems.append("Say who delivers the provision.")
    if line.hours is not None and not (Decimal(0) < line.hours <= Decimal(168)):
        problems.append("Hours must be more than 0 and at most 168.")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def add_provision(
    *, version: PlanVersion, outcome: PlanOutcome | None, line: ProvisionInput, actor: User
) -> ProvisionLine:
    """Add a section F provision line, linked to one of the version's outcomes."""
    _check_not_ceased(version)
    _check_provision(line)
    if outcome is not None and outcome.version_id != version.pk:
        raise ValidationError("That outcome belongs to another version of the plan.")
    row = ProvisionLine.objects.create(
        trust_id=version.trust_id,
        version=version,
        outcome=outcome,
        description=line.description.strip(),
        hours=line.hours,
        frequency=line.frequency.strip(),
        delivered_by=line.delivered_by.strip(),
    )
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=version, pupil_id=version.plan.pupil_id, summary="Provision added"
    )
    return row
