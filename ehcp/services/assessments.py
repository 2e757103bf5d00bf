"""EHC needs assessments: the request, its statutory steps and its outcome, each opening or meeting its deadlines."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.models import User
from trusts.problems import Problems

from .. import rules
from ..deadlines import open_deadline
from ..models import EhcPlan, NeedsAssessment
from ..queries import latest_assessment_end
from ..road import event_refusal
from ._common import ASSESSMENT, Decision, Outcome, _meet, _not_future, _waive


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
    problems = Problems()
    if requested_by not in NeedsAssessment.RequestedBy.values:
        problems.add("Choose who asked for the assessment.", field="requested_by")
    if kind not in NeedsAssessment.Kind.values:
        problems.add("Choose an assessment or a re-assessment.", field="kind")
    if request_received_on > timezone.localdate():
        problems.add("The date the LA received the request cannot be in the future.", field="request_received_on")
    if NeedsAssessment.objects.filter(pupil=pupil, outcome=Outcome.IN_PROGRESS).exists():
        problems.add(f"{pupil} already has an assessment in progress: record its outcome or withdraw it first.")
    if kind == NeedsAssessment.Kind.REASSESSMENT:
        if not EhcPlan.objects.filter(pupil=pupil, ceased_on=None).exists():
            problems.add(
                "A re-assessment is for a pupil who has an EHC plan: record a new assessment instead.", field="kind"
            )
        last = latest_assessment_end(pupil)
        if last is not None and not needs_changed:
            earliest = rules.due_date("X1", last)
            if request_received_on < earliest:
                problems.add(
                    f"The last assessment ended on {last:%-d %B %Y}. {rules.get_rule('X1').wording.capitalize()} "
                    f"({rules.get_rule('X1').source}): the earliest date is {earliest:%-d %B %Y}. "
                    "Tick “needs have changed” if they have.",
                    field="request_received_on",
                )
    problems.raise_if_any()
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
    _not_future(request_received_on, "The date the LA received the request", "request_received_on")
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    for field in ("decision_on", "advice_requested_on", "draft_served_on", "outcome_on"):
        later = getattr(assessment, field)
        if later is not None and later < request_received_on:
            raise ValidationError(
                {"request_received_on": f"The request cannot be after a later step ({later:%-d %B %Y})."}
            )
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
            {
                "on": (
                    f"{what[0].upper()}{what[1:]} cannot be before the LA's decision to assess "
                    f"({a.decision_on:%-d %B %Y})."
                )
            }
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
    _not_future(on, "The date", "on")
    if on < a.request_received_on:
        received = f"{a.request_received_on:%-d %B %Y}"
        raise ValidationError({"on": f"The date cannot be before the request was received ({received})."})
    # The order of the steps (ehcp.road, which also decides what the page offers next).
    refusal = event_refusal(a, event)
    if refusal:
        raise ValidationError(refusal)
    subject = (ASSESSMENT, a.pk)
    school, pupil = a.school, a.pupil
    summary = f"{EVENTS[event]}: {on:%-d %B %Y}"

    if event == "decision":
        if decision not in {Decision.ASSESS, Decision.NOT_ASSESS}:
            raise ValidationError({"decision": "Choose whether the LA will assess."})
        if a.decision != Decision.PENDING and a.decision != decision:
            raise ValidationError(f"The LA's decision is already recorded as “{a.get_decision_display()}”.")
        later = [
            (d, step)
            for d, step in (
                (a.advice_requested_on, "the LA's request for the school's advice"),
                (a.draft_served_on, "the draft plan"),
            )
            if d is not None
        ]
        if later and on > min(later)[0]:
            first, step = min(later)
            raise ValidationError(
                {
                    "on": (
                        f"The LA's decision cannot be after a step that follows it: {step} on {first:%-d %B %Y}. "
                        "Check the dates."
                    )
                }
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
                {
                    "on": (
                        f"Advice is asked for before the draft plan, which was served on {a.draft_served_on:%-d %B %Y}."
                    )
                }
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
                {"on": (f"The advice cannot be sent before it was asked for ({a.advice_requested_on:%-d %B %Y}).")}
            )
        a.advice_sent_on = on
        _meet(*subject, "A2", on, actor)
    elif event == "draft_served":
        if a.decision == Decision.NOT_ASSESS:
            raise ValidationError("The LA decided not to assess, so there is no draft plan.")
        _after_decision_to_assess(a, on, "the draft plan")
        if a.advice_requested_on is not None and on < a.advice_requested_on:
            raise ValidationError(
                {
                    "on": (
                        "The draft plan cannot be served before the LA asked for advice "
                        f"({a.advice_requested_on:%-d %B %Y})."
                    )
                }
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
                {"on": (f"The school cannot be consulted before the draft was served ({a.draft_served_on:%-d %B %Y}).")}
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
            served = f"{a.draft_served_on:%-d %B %Y}"
            raise ValidationError({"on": f"The date cannot be before the draft was served ({served})."})
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
        from ..deadlines import cancel_for_subject

        cancel_for_subject(
            subject_type=ASSESSMENT, subject_id=a.pk, actor=actor, reason=f"Withdrawn on {on:%-d %B %Y}: {reason}"
        )
        a.outcome, a.outcome_on = Outcome.WITHDRAWN, on
        summary += f": {reason}"
    a.save()
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=a, pupil_id=a.pupil_id, summary=summary)
    return a
