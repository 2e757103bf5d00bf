"""Business actions of EHC casework: needs assessments, EHC plans, phase transfers and trust settings.

Each records what happened and opens, meets or waives the statutory deadlines it triggers through
the engine (`ehcp.deadlines`). Keyword-only, one transaction, audited; a refused action writes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
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
from trusts.calendar_defaults import academic_year_of
from trusts.models import User

from . import rules
from .deadlines import (
    cancel_for_subject as engine_cancel,
)
from .deadlines import (
    internal_due_date,
    meet_deadline,
    open_deadline,
    record_la_breach,
    setting_problems,
    waive_deadline,
)
from .models import (
    SECTIONS,
    CeaseReason,
    Deadline,
    DeadlineSetting,
    EhcPlan,
    NeedsAssessment,
    PhaseTransfer,
    PlanOutcome,
    PlanVersion,
    ProvisionLine,
    SubjectType,
)
from .queries import latest_assessment_end

ASSESSMENT = SubjectType.NEEDS_ASSESSMENT
PLAN = SubjectType.EHC_PLAN
MAX_PDF_BYTES = 20 * 1024 * 1024
Outcome = NeedsAssessment.Outcome
Decision = NeedsAssessment.Decision


def _not_future(d: date, what: str) -> None:
    if d > timezone.localdate():
        raise ValidationError(f"{what} cannot be in the future.")


def _deadline(subject_type: str, subject_id: int, rule_id: str) -> Deadline | None:
    return Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id).first()


def _meet(subject_type: str, subject_id: int, rule_id: str, on: date, actor: User | None) -> None:
    d = _deadline(subject_type, subject_id, rule_id)
    if d is not None and d.status != Deadline.Status.WAIVED:
        meet_deadline(deadline=d, met_on=on, actor=actor)


def _waive(subject_type: str, subject_id: int, rule_id: str, reason: str, actor: User | None) -> None:
    d = _deadline(subject_type, subject_id, rule_id)
    if d is not None and d.status == Deadline.Status.OPEN:
        waive_deadline(deadline=d, reason=reason, actor=actor)


# Needs assessments -------------------------------------------------------------------------------


def _assessment_rules(assessment: NeedsAssessment) -> tuple[str, ...]:
    # A request starts A1, A3 and A6 (Regs 5, 10, 13(2)); a notice to re-assess starts X2 (Regs 27).
    return ("A1", "A3", "A6") if assessment.kind == NeedsAssessment.Kind.INITIAL else ("X2",)


@transaction.atomic
def request_assessment(
    *,
    pupil: Pupil,
    requested_by: str,
    request_received_on: date,
    actor: User,
    requested_by_detail: str = "",
    local_authority: str = "",
    kind: str = NeedsAssessment.Kind.INITIAL,
    needs_changed: bool = False,
    notes: str = "",
) -> NeedsAssessment:
    """Record a request for an EHC needs assessment (or the LA's notice to re-assess).

    Side effects: opens A1 (LA decides, 6 weeks), A3 (notice of no plan, 16 weeks) and A6 (final plan,
    20 weeks) from the day the LA received the request; for a re-assessment X2 (final plan, 14 weeks).
    A re-assessment within 6 months of the last assessment is refused unless needs have changed (X1).
    """
    problems: list[str] = []
    if requested_by not in NeedsAssessment.RequestedBy.values:
        problems.append("Choose who asked for the assessment.")
    if kind not in NeedsAssessment.Kind.values:
        problems.append("Choose an assessment or a re-assessment.")
    if request_received_on > timezone.localdate():
        problems.append("The date the LA received the request cannot be in the future.")
    if NeedsAssessment.objects.filter(pupil=pupil, outcome=Outcome.IN_PROGRESS).exists():
        problems.append(f"{pupil} already has an assessment in progress: record its outcome or withdraw it first.")
    if kind == NeedsAssessment.Kind.REASSESSMENT:
        if not EhcPlan.objects.filter(pupil=pupil, ceased_on=None).exists():
            problems.append("A re-assessment is for a pupil who has an EHC plan: record a new assessment instead.")
        last = latest_assessment_end(pupil)
        if last is not None and not needs_changed:
            earliest = rules.due_date("X1", last)
            if request_received_on < earliest:
                problems.append(
                    f"The last assessment ended on {last:%-d %B %Y}. {rules.get_rule('X1').wording.capitalize()} "
                    f"({rules.get_rule('X1').source}): the earliest date is {earliest:%-d %B %Y}. "
                    "Tick “needs have changed” if they have."
                )
    if problems:
        raise ValidationError(problems)
    assessment = NeedsAssessment.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        kind=kind,
        requested_by=requested_by,
        requested_by_detail=requested_by_detail.strip(),
        request_received_on=request_received_on,
        local_authority=local_authority.strip() or pupil.school.local_authority,
        needs_changed=needs_changed,
        notes=notes.strip(),
        recorded_by=actor,
    )
    for rule_id in _assessment_rules(assessment):
        open_deadline(
            rule_id=rule_id,
            trigger_date=request_received_on,
            school=pupil.school,
            pupil=pupil,
            subject_type=ASSESSMENT,
            subject_id=assessment.pk,
            actor=actor,
        )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=assessment, pupil_id=pupil.pk)
    return assessment


@transaction.atomic
def correct_request_date(*, assessment: NeedsAssessment, request_received_on: date, actor: User) -> NeedsAssessment:
    """Correct the day the LA received the request: every deadline counted from it is recomputed. The row is
    re-read under lock, so a step recorded meanwhile is checked too."""
    _not_future(request_received_on, "The date the LA received the request")
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    for field in ("decision_on", "advice_requested_on", "draft_served_on", "outcome_on"):
        later = getattr(assessment, field)
        if later is not None and later < request_received_on:
            raise ValidationError(f"The request cannot be after a later step ({later:%-d %B %Y}).")
    assessment.request_received_on = request_received_on
    assessment.save(update_fields=["request_received_on", "updated_at"])
    for rule_id in _assessment_rules(assessment):
        open_deadline(
            rule_id=rule_id,
            trigger_date=request_received_on,
            school=assessment.school,
            pupil=assessment.pupil,
            subject_type=ASSESSMENT,
            subject_id=assessment.pk,
            actor=actor,
        )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=assessment,
        pupil_id=assessment.pupil_id,
        summary=f"Request date corrected to {request_received_on:%-d %B %Y}",
    )
    return assessment


def _after_decision_to_assess(a: NeedsAssessment, on: date, what: str) -> None:
    """A step that only follows the LA's decision to assess (request → decision → advice → draft)."""
    if a.decision == Decision.PENDING or a.decision_on is None:
        raise ValidationError(f"Record the LA's decision to assess first: {what} comes after it.")
    if on < a.decision_on:
        raise ValidationError(
            f"{what[0].upper()}{what[1:]} cannot be before the LA's decision to assess ({a.decision_on:%-d %B %Y})."
        )


EVENTS: dict[str, str] = {
    "decision": "The LA's decision whether to assess",
    "advice_requested": "The LA asked the school for advice",
    "advice_sent": "The school sent its advice",
    "draft_served": "Draft EHC plan served (and the school consulted)",
    "school_consulted": "The LA consulted the school later than it served the draft",
    "parent_comments": "The parent commented on the draft",
    "consultation_sent": "The school replied to the consultation",
    "no_plan": "Notice that no plan will be issued",
    "withdrawn": "The request was withdrawn",
}


@transaction.atomic
def record_assessment_event(
    *,
    assessment: NeedsAssessment,
    event: str,
    on: date,
    actor: User,
    decision: str = "",
    reason: str = "",
) -> NeedsAssessment:
    """Record one step of an assessment on the day it happened, opening, meeting or waiving deadlines.

    - decision: meets A1; "not to assess" waives A3 and A6 with that reason and closes the assessment.
    - advice_requested: opens A2 for the school (6 weeks from the day the school got the request).
    - advice_sent: meets A2.
    - draft_served: opens A4 (parent, 15 days) and A5 (school's reply, 15 days); a plan is coming, so A3 is waived.
    - school_consulted: the LA consulted the school after serving the draft: A5 is recomputed from that day.
    - parent_comments: meets A4. consultation_sent: meets A5.
    - no_plan: meets A3, waives A6 (or X2) and closes the assessment.
    - withdrawn: waives every open deadline and closes the assessment.
    Recording a step again with another date corrects it (deadlines are recomputed or re-met).
    """
    a = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    if event not in EVENTS:
        raise ValidationError("Choose a step of the assessment.")
    _not_future(on, "The date")
    if on < a.request_received_on:
        received = f"{a.request_received_on:%-d %B %Y}"
        raise ValidationError(f"The date cannot be before the request was received ({received}).")
    if a.outcome != Outcome.IN_PROGRESS:
        # A closed assessment still takes late completions and corrections of the step that closed it.
        correction = (event == "decision" and a.decision == decision) or (
            event == "no_plan" and a.outcome == Outcome.NO_PLAN
        )
        if not correction and event not in {"advice_sent", "parent_comments", "consultation_sent"}:
            raise ValidationError(f"This assessment is closed ({a.get_outcome_display().lower()}).")
    subject = (ASSESSMENT, a.pk)
    school, pupil = a.school, a.pupil
    summary = f"{EVENTS[event]}: {on:%-d %B %Y}"

    if event == "decision":
        if decision not in {Decision.ASSESS, Decision.NOT_ASSESS}:
            raise ValidationError("Choose whether the LA will assess.")
        if a.decision != Decision.PENDING and a.decision != decision:
            raise ValidationError(f"The LA's decision is already recorded as “{a.get_decision_display()}”.")
        later = [d for d in (a.advice_requested_on, a.draft_served_on) if d is not None]
        if later and on > min(later):
            raise ValidationError(
                f"The LA's decision cannot be after a step that follows it ({min(later):%-d %B %Y}): check the dates."
            )
        a.decision, a.decision_on = decision, on
        _meet(*subject, "A1", on, actor)
        if decision == Decision.NOT_ASSESS:
            why = f"The LA decided on {on:%-d %B %Y} not to assess."
            for rule_id in ("A3", "A6", "X2"):
                _waive(*subject, rule_id, why, actor)
            a.outcome, a.outcome_on = Outcome.NOT_ASSESSED, on
        summary += f" ({a.get_decision_display()})"
    elif event == "advice_requested":
        # Regs 6: advice is sought once the LA has decided to assess.
        _after_decision_to_assess(a, on, "the LA's request for the school's advice")
        if a.draft_served_on is not None and on > a.draft_served_on:
            raise ValidationError(
                f"Advice is asked for before the draft plan, which was served on {a.draft_served_on:%-d %B %Y}."
            )
        a.advice_requested_on = on
        open_deadline(
            rule_id="A2",
            trigger_date=on,
            school=school,
            pupil=pupil,
            subject_type=ASSESSMENT,
            subject_id=a.pk,
            actor=actor,
        )
    elif event == "advice_sent":
        if a.advice_requested_on is None:
            raise ValidationError("Record when the LA asked for the school's advice first.")
        if on < a.advice_requested_on:
            raise ValidationError(
                f"The advice cannot be sent before it was asked for ({a.advice_requested_on:%-d %B %Y})."
            )
        a.advice_sent_on = on
        _meet(*subject, "A2", on, actor)
    elif event == "draft_served":
        if a.decision == Decision.NOT_ASSESS:
            raise ValidationError("The LA decided not to assess, so there is no draft plan.")
        _after_decision_to_assess(a, on, "the draft plan")
        if a.advice_requested_on is not None and on < a.advice_requested_on:
            raise ValidationError(
                f"The draft plan cannot be served before the LA asked for advice ({a.advice_requested_on:%-d %B %Y})."
            )
        a.draft_served_on = on
        if a.school_consulted_on is not None and a.school_consulted_on < on:
            a.school_consulted_on = None  # a corrected draft date after the consultation date replaces it
        for rule_id in ("A4", "A5"):
            open_deadline(
                rule_id=rule_id,
                # A5, the school's 15 days, counts from the day the LA consulted it (CoP 9.83).
                trigger_date=(a.school_consulted_on or on) if rule_id == "A5" else on,
                school=school,
                pupil=pupil,
                subject_type=ASSESSMENT,
                subject_id=a.pk,
                actor=actor,
            )
        _waive(*subject, "A3", f"A draft plan was served on {on:%-d %B %Y}: the LA is issuing a plan.", actor)
    elif event == "school_consulted":
        if a.draft_served_on is None:
            raise ValidationError("Record when the draft plan was served first.")
        if on < a.draft_served_on:
            raise ValidationError(
                f"The school cannot be consulted before the draft was served ({a.draft_served_on:%-d %B %Y})."
            )
        a.school_consulted_on = on
        open_deadline(
            rule_id="A5",
            trigger_date=on,
            school=school,
            pupil=pupil,
            subject_type=ASSESSMENT,
            subject_id=a.pk,
            actor=actor,
        )
    elif event in {"parent_comments", "consultation_sent"}:
        if a.draft_served_on is None:
            raise ValidationError("Record when the draft plan was served first.")
        if on < a.draft_served_on:
            raise ValidationError(f"The date cannot be before the draft was served ({a.draft_served_on:%-d %B %Y}).")
        if event == "parent_comments":
            a.parent_comments_on = on
            _meet(*subject, "A4", on, actor)
        else:
            a.consultation_sent_on = on
            _meet(*subject, "A5", on, actor)
    elif event == "no_plan":
        if a.decision == Decision.NOT_ASSESS:
            raise ValidationError("The LA decided not to assess: record that decision, not a notice after assessment.")
        _meet(*subject, "A3", on, actor)
        for rule_id in ("A6", "X2"):
            _waive(*subject, rule_id, f"The LA gave notice on {on:%-d %B %Y} that no plan will be issued.", actor)
        a.outcome, a.outcome_on = Outcome.NO_PLAN, on
    elif event == "withdrawn":
        reason = reason.strip()
        if not reason:
            raise ValidationError("Say why the request was withdrawn.")
        from .deadlines import cancel_for_subject

        cancel_for_subject(
            subject_type=ASSESSMENT, subject_id=a.pk, actor=actor, reason=f"Withdrawn on {on:%-d %B %Y}: {reason}"
        )
        a.outcome, a.outcome_on = Outcome.WITHDRAWN, on
        summary += f": {reason}"
    a.save()
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=a, pupil_id=a.pupil_id, summary=summary)
    return a


# EHC plans ----------------------------------------------------------------------------------------


def check_pdf(upload: UploadedFile) -> None:
    """A PDF by its content (it starts with %PDF-), not by its name; at most 20 MB."""
    if upload.size is None or upload.size == 0:
        raise ValidationError("The file is empty: choose the LA's PDF of the plan.")
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError("The file is larger than 20 MB: ask the LA for a smaller PDF.")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError("The file is not a PDF: upload the plan as the LA sent it, as a PDF.")


def _store_pdf(version: PlanVersion, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    check_pdf(upload)
    name = (upload.name or "plan.pdf").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    version.pdf.save("plan.pdf", upload, save=False)
    version.pdf_name, version.pdf_size = name, upload.size or 0


def _pdf_problems(upload: UploadedFile | None) -> list[str]:
    try:
        if upload is not None:
            check_pdf(upload)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _store_pdf_last(version: PlanVersion, upload: UploadedFile | None) -> None:
    """Write the PDF once every other step has succeeded, so a refused action leaves no file behind."""
    if upload is not None:
        _store_pdf(version, upload)
        version.save(update_fields=["pdf", "pdf_name", "pdf_size", "updated_at"])


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


def _add_outcomes(version: PlanVersion, outcomes: Sequence[OutcomeInput], *, start: int = 1) -> None:
    for position, item in enumerate(outcomes, start=start):
        outcome = PlanOutcome.objects.create(
            trust_id=version.trust_id, version=version, position=position, text=item.text.strip()
        )
        for line in item.provision:
            ProvisionLine.objects.create(
                trust_id=version.trust_id,
                version=version,
                outcome=outcome,
                description=line.description.strip(),
                hours=line.hours,
                frequency=line.frequency.strip(),
                delivered_by=line.delivered_by.strip(),
            )


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
    carried = [
        OutcomeInput(
            text=o.text,
            provision=[
                ProvisionInput(p.description, p.frequency, p.delivered_by, p.hours)
                for p in o.provision.all()  # type: ignore[attr-defined]
            ],
        )
        for o in PlanOutcome.objects.filter(version=latest).prefetch_related("provision")
    ]
    _add_outcomes(version, carried)
    for line in ProvisionLine.objects.filter(version=latest, outcome=None):
        ProvisionLine.objects.create(
            trust_id=plan.trust_id,
            version=version,
            description=line.description,
            hours=line.hours,
            frequency=line.frequency,
            delivered_by=line.delivered_by,
        )
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


# Hooks that apps above ehcp register to recompute what they counted from a plan's issue date when it is
# corrected (reviews: the first annual review's due date). Called inside the correction's transaction as
# hook(plan=..., actor=...), with plan.first_issued_on already corrected. Filled by: reviews.apps.
PLAN_ISSUE_DATE_HOOKS: list[Callable[..., object]] = []


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


# Hooks that apps above ehcp register to close their own work when a plan ceases (reviews cancels open
# annual reviews). Each is called inside cease_plan's transaction as hook(plan=..., actor=..., reason=...);
# plan.ceased_on is set by then.
PLAN_CEASED_HOOKS: list[Callable[..., object]] = []
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


@transaction.atomic
def attach_plan_pdf(*, version: PlanVersion, pdf: UploadedFile, actor: User) -> PlanVersion:
    """Attach (or replace) the LA's PDF of one plan version, checked by its content."""
    _store_pdf(version, pdf)
    version.save(update_fields=["pdf", "pdf_name", "pdf_size", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=version,
        pupil_id=version.plan.pupil_id,
        summary=f"PDF attached to version {version.number}",
    )
    return version


@transaction.atomic
def add_outcome(
    *, version: PlanVersion, text: str, actor: User, provision: Sequence[ProvisionInput] = ()
) -> PlanOutcome:
    """Add a section E outcome (with any provision lines) to a plan version."""
    _check_not_ceased(version)
    if not text.strip():
        raise ValidationError("Enter the outcome.")
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


# Leavers (C1) --------------------------------------------------------------------------------------------


def open_records_transfer(*, pupil: Pupil, left_on: date, actor: User | None) -> Deadline | None:
    """pupils' PUPIL_LEFT_HOOKS entry: a pupil on the SEN register (K or E) who leaves opens C1, the common
    transfer file and SEN records to the new school within 15 school days (Education (Pupil Information)
    Regulations 2005, reg 9). Met on the deadline's page when sent. A corrected leaving date recomputes it.
    Nothing for a pupil not on the register (the MIS sends their file)."""
    entry = current_entry(pupil)
    if entry.pk is None or entry.status not in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN):
        return None
    return open_deadline(
        rule_id="C1",
        trigger_date=left_on,
        school=pupil.school,
        pupil=pupil,
        subject_type=SubjectType.PUPIL,
        subject_id=pupil.pk,
        actor=actor,
    )


# Phase transfers (R9) -------------------------------------------------------------------------------

# Year group -> moving into post-16? Nursery to Reception, primary to secondary, secondary to post-16.
TRANSFER_YEARS: dict[str, bool] = {"N2": False, "6": False, "11": True}


def transfer_due(*, year_group: str, today: date) -> tuple[int, bool, date] | None:
    """(transfer calendar year, into post-16, R9 date) for a pupil in a transfer year group this academic year."""
    if year_group not in TRANSFER_YEARS:
        return None
    transfer_year = academic_year_of(today) + 1
    post16 = TRANSFER_YEARS[year_group]
    return transfer_year, post16, rules.phase_transfer_due(transfer_year, post16)


@transaction.atomic
def open_phase_transfer(*, plan: EhcPlan, actor: User | None, today: date | None = None) -> PhaseTransfer | None:
    """The plan's phase transfer for this year, opened if needed (see `_open_phase_transfer`)."""
    return _open_phase_transfer(plan=plan, actor=actor, today=today)[0]


def _open_phase_transfer(
    *, plan: EhcPlan, actor: User | None, today: date | None = None
) -> tuple[PhaseTransfer | None, bool]:
    """Open R9 for a pupil with a plan in Nursery, Year 6 or Year 11 (Regs 18(1)): the LA must amend the plan
    naming the next school before 15 February of the transfer year (before 31 March into post-16).

    Nothing happens for other year groups, for a ceased plan, or for a plan first issued after that date
    (it already names the placement). Idempotent: one transfer per plan and transfer year.
    """
    today = today or timezone.localdate()
    pupil = plan.pupil
    due = transfer_due(year_group=pupil.year_group, today=today)
    if due is None or plan.ceased_on is not None:
        return None, False
    transfer_year, post16, r9_date = due
    if plan.first_issued_on > r9_date:
        return None, False
    transfer, created = PhaseTransfer.objects.get_or_create(
        plan=plan,
        transfer_year=transfer_year,
        defaults={
            "trust_id": plan.trust_id,
            "school_id": plan.school_id,
            "pupil": pupil,
            "from_year": pupil.year_group,
            "post16": post16,
        },
    )
    if created:
        open_deadline(
            rule_id="R9",
            trigger_date=date(transfer_year, 9, 1),
            school=plan.school,
            pupil=pupil,
            subject_type=SubjectType.PHASE_TRANSFER,
            subject_id=transfer.pk,
            actor=actor,
            post16=post16,
        )
        audit.record(actor=actor, action=audit.Action.CREATE, obj=transfer, pupil_id=pupil.pk)
    return transfer, created


def ensure_phase_transfers(*, today: date) -> int:
    """Open R9 for every active plan of a pupil now in a transfer year group (run by the sweep, per trust)."""
    transfer_year = academic_year_of(today) + 1
    plans = (
        EhcPlan.objects.filter(ceased_on=None, pupil__year_group__in=list(TRANSFER_YEARS), pupil__leaving_date=None)
        .exclude(phase_transfers__transfer_year=transfer_year)
        .select_related("pupil", "school")
    )
    # Only transfers opened now count: one that already existed is not news.
    return sum(1 for plan in plans if _open_phase_transfer(plan=plan, actor=None, today=today)[1])


# Trust settings and calendar feeds ----------------------------------------------------------------


@transaction.atomic
def save_deadline_setting(
    *,
    trust_id: int,
    rule_id: str,
    target_amount: int | None,
    target_unit: str,
    reminder_days: list[int],
    actor: User,
) -> DeadlineSetting:
    """Set a trust's internal target and reminders for one rule, then recompute its open deadlines.

    A target can only be stricter than the law (refused otherwise); the statutory date never moves.
    """
    problems = setting_problems(
        rule_id=rule_id, target_amount=target_amount, target_unit=target_unit, reminder_days=reminder_days
    )
    if problems:
        raise ValidationError(problems)
    setting, _ = DeadlineSetting.objects.update_or_create(
        trust_id=trust_id,
        rule_id=rule_id,
        defaults={
            "target_amount": target_amount or None,
            "target_unit": target_unit,
            "reminder_days": sorted(set(reminder_days), reverse=True),
        },
    )
    for d in Deadline.objects.select_for_update().filter(
        trust_id=trust_id, rule_id=rule_id, status=Deadline.Status.OPEN
    ):
        internal = internal_due_date(
            setting=setting, rule_id=rule_id, trigger_date=d.trigger_date, meeting_date=d.meeting_date
        )
        if internal is not None and internal >= d.statutory_due:
            internal = None
        due = rules.stricter(d.statutory_due, internal)
        if (internal, due) != (d.internal_due, d.due):
            d.internal_due, d.due, d.reminder_offset_sent = internal, due, None
            d.save(update_fields=["internal_due", "due", "reminder_offset_sent", "updated_at"])
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=setting, trust_id=trust_id, summary=f"{rule_id} settings")
    return setting


def hash_calendar_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_calendar_token(*, user: User) -> str:
    """A new secret for the person's calendar feed; the old feed address stops working.

    Only a hash is stored, so the address is shown once. Returns the token for the address.
    """
    token = secrets.token_urlsafe(32)
    user.calendar_token = hash_calendar_token(token)
    user.save(update_fields=["calendar_token"])
    audit.record(
        actor=user, action=audit.Action.GRANT, obj=None, trust_id=user.trust_id, summary="Calendar feed address created"
    )
    return token


@transaction.atomic
def revoke_calendar_token(*, user: User) -> None:
    """Turn the calendar feed off: its address answers 404 from now on."""
    user.calendar_token = ""
    user.save(update_fields=["calendar_token"])
    audit.record(
        actor=user,
        action=audit.Action.REVOKE,
        obj=None,
        trust_id=user.trust_id,
        summary="Calendar feed address revoked",
    )


def user_for_calendar_token(token: str) -> User | None:
    if not token or len(token) < 32 or len(token) > 64:
        return None
    return User.objects.filter(calendar_token=hash_calendar_token(token), is_active=True).exclude(trust=None).first()
