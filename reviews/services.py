"""Business actions of annual reviews. Each records one step, opens, recomputes or meets the statutory
deadlines it triggers through the engine (`ehcp.deadlines`), writes an audit entry, and runs in one
transaction: a refused action raises ValidationError and writes nothing.

The deadlines of a review (subject_type "annual_review", subject_id = review id):
- R1 (CFA s.44; CoP 9.166) review within 12 months of the plan's issue or the last review. The first
  review meets the plan's own R1 (opened by ehcp when the plan is issued); each later review has its own,
  anchored on the meeting of the review before it. R2 (CoP 9.178) likewise for a child under 5
  (3 months, the earlier of "every 3 to 6").
- R3, R4 (Regs 20(3)-(4), 21(3)-(4)) invitations, and advice circulated, at least 2 weeks before the meeting.
- R5 (Regs 21(7)) report to the LA and everyone invited within 2 weeks of the meeting.
- R6 (Regs 20; Devon [2022] EWHC 493) the LA's decision within 4 weeks of the meeting.
- R7, R8 (Regs 22(2)-(3)) when the LA proposes amendments: 15 days for the parent's representations,
  8 weeks for the final amended plan.
- R9 (Regs 18(1)) a phase transfer: the amended plan naming the next school before 15 February
  (31 March into post-16). ehcp opens it per PhaseTransfer; a transfer review is due early enough for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ehcp import deadlines as engine
from ehcp.models import Deadline, EhcPlan, PhaseTransfer, SubjectType
from ehcp.services import open_phase_transfer
from pupils.models import Contact
from trusts import audit
from trusts.models import Membership, Role, User
from trusts.services import notify

from .models import SUBJECT_TYPE, TRANSFER_LEAD, AnnualReview, Invitee, Recommendation, ReviewAction

Status = AnnualReview.Status
ACTIVE = (Deadline.Status.OPEN, Deadline.Status.MISSED)
MEETING_RULES = ("R3", "R4", "R5", "R6")
MAX_ACTIONS = 30


# Helpers ------------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _not_future(d: date, what: str) -> None:
    if d > _today():
        raise ValidationError(f"{what} cannot be in the future.")


def _deadline(subject_type: str, subject_id: int, rule_id: str) -> Deadline | None:
    return Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id).first()


def _meet(deadline: Deadline | None, on: date, actor: User | None) -> None:
    """Meet a deadline, or correct the date it was met; waived deadlines are left alone."""
    if deadline is None or deadline.status == Deadline.Status.WAIVED:
        return
    if deadline.status == Deadline.Status.MET and deadline.met_on == on:
        return
    engine.meet_deadline(deadline=deadline, met_on=on, actor=actor)


def _waive(deadline: Deadline | None, reason: str, actor: User | None) -> None:
    if deadline is not None and deadline.status in ACTIVE:
        engine.waive_deadline(deadline=deadline, reason=reason, actor=actor)


def review_deadline(review: AnnualReview, rule_id: str) -> Deadline | None:
    if rule_id == "R9":
        if review.phase_transfer_id is None:
            return None
        return _deadline(SubjectType.PHASE_TRANSFER, review.phase_transfer_id, "R9")
    return _deadline(*review.deadline_subject(rule_id), rule_id)


def _open(review: AnnualReview, rule_id: str, trigger: date, actor: User | None, **kwargs: object) -> Deadline:
    subject_type, subject_id = review.deadline_subject(rule_id)
    return engine.open_deadline(
        rule_id=rule_id,
        trigger_date=trigger,
        school=review.school,
        pupil=review.pupil,
        subject_type=subject_type,
        subject_id=subject_id,
        actor=actor,
        **kwargs,  # type: ignore[arg-type]
    )


def _lock(review: AnnualReview) -> AnnualReview:
    """The review's current row, locked: two people recording the same step never interleave."""
    return AnnualReview.objects.select_for_update().select_related("pupil", "school", "plan").get(pk=review.pk)


def _require(review: AnnualReview, allowed: set[str], message: str) -> None:
    if review.status not in allowed:
        raise ValidationError(message)


def _check_open(review: AnnualReview) -> None:
    if review.status == Status.CANCELLED:
        raise ValidationError("This review was cancelled.")


# Starting a review and its due date ---------------------------------------------------------------


def _transfer_for(plan: EhcPlan, actor: User | None) -> PhaseTransfer | None:
    """The plan's phase transfer this year (Year 6 to 7, Year 11 to post-16), unless a review already dealt with it."""
    transfer = open_phase_transfer(plan=plan, actor=actor)
    if transfer is None:
        return None
    if AnnualReview.objects.filter(phase_transfer=transfer).exclude(held_on=None).exists():
        return None
    return transfer


def transfer_meeting_due(r9_due: date) -> date:
    """The latest meeting that leaves the LA its statutory time (R6, R8) to amend the plan by the R9 date."""
    return r9_due - TRANSFER_LEAD


def _open_due_deadlines(review: AnnualReview, actor: User | None) -> None:
    """Open (or recompute) R1 and, under 5, R2 from the anchor; then store the date the meeting is due by."""
    plan_anchored = review.deadline_subject("R1")[0] == SubjectType.EHC_PLAN
    trigger = review.plan.first_issued_on if plan_anchored else review.anchor_date
    candidates: list[tuple[date, str]] = [(_open(review, "R1", trigger, actor).due, "R1")]
    if review.under_five:
        candidates.append((_open(review, "R2", trigger, actor).due, "R2"))
    r9 = review_deadline(review, "R9")
    if r9 is not None and r9.status in ACTIVE:
        candidates.append((transfer_meeting_due(r9.due), "R9"))
    review.due_date, review.due_rule = min(candidates)


def _create_review(
    *, plan: EhcPlan, anchor: date, anchor_kind: str, previous: AnnualReview | None, actor: User
) -> AnnualReview:
    pupil = plan.pupil
    review = AnnualReview.objects.create(
        trust_id=plan.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        plan=plan,
        previous=previous,
        anchor_date=anchor,
        anchor_kind=anchor_kind,
        under_five=pupil.age_on(anchor) < 5,
        due_date=anchor,
        phase_transfer=_transfer_for(plan, actor),
        started_by=actor,
    )
    _open_due_deadlines(review, actor)
    review.save(update_fields=["due_date", "due_rule", "updated_at"])
    if previous is not None:
        people = [(i.role, i.name, i.email) for i in previous.invitees.all()]
    else:
        # The parent and the child are always invited (Regs 20(2)); the SENCO adds the professionals.
        people = [
            (Invitee.Role.PARENT, c.name, c.email)
            for c in Contact.objects.filter(pupil=pupil, parental_responsibility=True).order_by("id")
        ]
        people.append((Invitee.Role.PUPIL, pupil.display_name, ""))
    Invitee.objects.bulk_create(
        Invitee(trust_id=review.trust_id, review=review, role=role, name=name, email=email)
        for role, name, email in people
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=review,
        pupil_id=pupil.pk,
        summary=f"Annual review started: due by {review.due_date:%-d %B %Y} ({review.due_rule})",
    )
    return review


@transaction.atomic
def start_review(*, plan: EhcPlan, actor: User, last_review_on: date | None = None) -> AnnualReview:
    """Start the next annual review of a plan.

    The review counts from the last review meeting recorded here, else from `last_review_on` (a review
    held before the plan's records were kept here, which then meets the plan's R1/R2), else from the
    plan's issue date. Side effects: R1 (and R2 under 5) opened or recomputed; the plan's phase transfer
    (R9) opened for a pupil in Year 6 or 11; parents and the pupil added as invitees (or the last
    review's invitees copied); an audit entry.
    """
    plan = EhcPlan.objects.select_for_update().select_related("pupil", "pupil__school").get(pk=plan.pk)
    problems: list[str] = []
    if plan.ceased_on is not None:
        problems.append("This EHC plan has ceased: it has no more annual reviews.")
    if AnnualReview.objects.filter(plan=plan, status__in=[Status.PLANNING, Status.SCHEDULED]).exists():
        problems.append(f"{plan.pupil} already has a review waiting for its meeting: open it from the list.")
    previous = AnnualReview.objects.filter(plan=plan).exclude(held_on=None).order_by("-held_on", "-id").first()
    if last_review_on is not None:
        if previous is not None:
            problems.append(
                "The last review meeting is already recorded here: leave the date of the last review empty."
            )
        elif last_review_on > _today():
            problems.append("The date of the last review cannot be in the future.")
        elif last_review_on < plan.first_issued_on:
            problems.append(f"The last review cannot be before the plan was issued ({plan.first_issued_on:%-d %B %Y}).")
    if problems:
        raise ValidationError(problems)
    if previous is not None:
        assert previous.held_on is not None
        return _create_review(
            plan=plan,
            anchor=previous.held_on,
            anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW,
            previous=previous,
            actor=actor,
        )
    if last_review_on is not None:
        # The earlier review satisfied the plan's own R1 (and R2): record it, then count from it.
        for rule_id in ("R1", "R2"):
            _meet(_deadline(SubjectType.EHC_PLAN, plan.pk, rule_id), last_review_on, actor)
        return _create_review(
            plan=plan,
            anchor=last_review_on,
            anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW,
            previous=None,
            actor=actor,
        )
    return _create_review(
        plan=plan,
        anchor=plan.first_issued_on,
        anchor_kind=AnnualReview.AnchorKind.PLAN_ISSUED,
        previous=None,
        actor=actor,
    )


# The meeting and the people invited ---------------------------------------------------------------


def _open_meeting_deadlines(review: AnnualReview, meeting: date, actor: User | None) -> None:
    # R3/R4 count back from the meeting; R5/R6 forward from it. A new date recomputes all four.
    for rule_id in MEETING_RULES:
        _open(review, rule_id, meeting, actor, meeting_date=meeting if rule_id in {"R3", "R4"} else None)


@transaction.atomic
def schedule_meeting(*, review: AnnualReview, meeting_date: date, actor: User) -> AnnualReview:
    """Book (or move) the review meeting. Side effects: R3, R4, R5 and R6 opened or recomputed from the new
    date (deadlines already met stay met); an audit entry. Refused once the meeting has been recorded."""
    review = _lock(review)
    _check_open(review)
    _require(
        review,
        {Status.PLANNING, Status.SCHEDULED},
        "The meeting has been recorded: correct its date on the meeting record instead.",
    )
    if meeting_date < review.anchor_date:
        raise ValidationError(
            f"The meeting cannot be before {review.anchor_date:%-d %B %Y}, when {review.get_anchor_kind_display()}."
        )
    if meeting_date > _today() + timedelta(days=730):
        raise ValidationError("The meeting must be within the next two years: check the year.")
    old = review.meeting_date
    if old == meeting_date:
        return review
    review.meeting_date = meeting_date
    review.status = Status.SCHEDULED
    review.save(update_fields=["meeting_date", "status", "updated_at"])
    _open_meeting_deadlines(review, meeting_date, actor)
    summary = (
        f"Meeting moved from {old:%-d %B %Y} to {meeting_date:%-d %B %Y}"
        if old
        else f"Meeting booked for {meeting_date:%-d %B %Y}"
    )
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=summary)
    return review


def _check_meeting_not_recorded(review: AnnualReview) -> None:
    _check_open(review)
    if review.held_on is not None:
        raise ValidationError("The meeting has been recorded: the list of people invited can no longer change.")


@transaction.atomic
def add_invitee(*, review: AnnualReview, role: str, name: str, email: str, actor: User) -> Invitee:
    """Add someone to invite to the meeting. Side effects: the invitee row; an audit entry."""
    review = _lock(review)
    _check_meeting_not_recorded(review)
    problems: list[str] = []
    if role not in Invitee.Role.values:
        problems.append("Choose the person's role at the review.")
    name, email = name.strip(), email.strip().lower()
    if not name:
        problems.append("Enter the person's name (or the service's, for example “CAMHS”).")
    if email and Invitee.objects.filter(review=review, email=email).exists():
        problems.append(f"{email} is already on the list of people to invite.")
    if problems:
        raise ValidationError(problems)
    invitee = Invitee.objects.create(trust_id=review.trust_id, review=review, role=role, name=name[:150], email=email)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Invitee added: {invitee}",
    )
    return invitee


@transaction.atomic
def remove_invitee(*, invitee: Invitee, actor: User) -> None:
    """Take someone off the list (before the meeting is recorded). Side effects: the row deleted; an audit entry."""
    review = _lock(invitee.review)
    _check_meeting_not_recorded(review)
    label = str(invitee)
    Invitee.objects.filter(pk=invitee.pk, review=review).delete()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Invitee removed: {label}",
    )
    _meet_r3_if_everyone_invited(review, actor)


def _meet_r3_if_everyone_invited(review: AnnualReview, actor: User | None) -> None:
    dates = list(Invitee.objects.filter(review=review).values_list("invited_on", flat=True))
    if dates and all(d is not None for d in dates):
        # Regs 20(3): everyone must have had 2 weeks' notice, so R3 is met on the day the last was invited.
        _meet(review_deadline(review, "R3"), max(d for d in dates if d is not None), actor)


@transaction.atomic
def record_invitations(*, review: AnnualReview, invitees: Sequence[Invitee], sent_on: date, actor: User) -> int:
    """Record that invitations went to these people on `sent_on`. Side effects: their invitation dates;
    R3 met (on the latest invitation date) once everyone on the list has been invited; an audit entry.
    Returns how many were recorded."""
    review = _lock(review)
    _check_open(review)  # also after the meeting: invitations sent but not recorded in time can be recorded
    problems: list[str] = []
    if review.meeting_date is None:
        problems.append("Book the meeting first: the invitations give its date.")
    elif sent_on > review.meeting_date:
        problems.append(f"Invitations go out before the meeting ({review.meeting_date:%-d %B %Y}), not after it.")
    if sent_on > _today():
        problems.append("The date the invitations were sent cannot be in the future.")
    if sent_on < review.anchor_date:
        problems.append(
            f"The invitations cannot be before {review.anchor_date:%-d %B %Y}, when {review.get_anchor_kind_display()}."
        )
    ids = {i.pk for i in invitees}
    if not ids:
        problems.append("Choose at least one person the invitation was sent to.")
    if Invitee.objects.filter(pk__in=ids).exclude(review=review).exists():
        problems.append("Choose people from this review's list.")
    if problems:
        raise ValidationError(problems)
    count = Invitee.objects.filter(review=review, pk__in=ids).update(invited_on=sent_on, updated_at=timezone.now())
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Invitations sent on {sent_on:%-d %B %Y} to {count} {'person' if count == 1 else 'people'}",
    )
    _meet_r3_if_everyone_invited(review, actor)
    return count


@transaction.atomic
def record_advice(*, invitee: Invitee, requested_on: date | None, received_on: date | None, actor: User) -> Invitee:
    """Record when advice was asked of someone and when it arrived. Side effects: the dates; an audit entry."""
    review = _lock(invitee.review)
    _check_open(review)
    problems: list[str] = []
    for d, what in ((requested_on, "The date advice was asked for"), (received_on, "The date advice arrived")):
        if d is not None and d > _today():
            problems.append(f"{what} cannot be in the future.")
    if requested_on and received_on and received_on < requested_on:
        problems.append("The advice cannot arrive before it was asked for.")
    if received_on is None and requested_on is None:
        problems.append("Enter when the advice was asked for, when it arrived, or both.")
    if problems:
        raise ValidationError(problems)
    invitee.advice_requested_on, invitee.advice_received_on = requested_on, received_on
    invitee.save(update_fields=["advice_requested_on", "advice_received_on", "updated_at"])
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=f"Advice from {invitee}"
    )
    return invitee


@transaction.atomic
def circulate_advice(*, review: AnnualReview, circulated_on: date, actor: User) -> AnnualReview:
    """Record that the advice gathered was sent to everyone invited. Side effects: the date; R4 met; an audit entry."""
    review = _lock(review)
    _check_open(review)
    problems: list[str] = []
    if review.meeting_date is None:
        problems.append("Book the meeting first.")
    elif circulated_on > review.meeting_date:
        problems.append(f"Advice is circulated before the meeting ({review.meeting_date:%-d %B %Y}), not after it.")
    if circulated_on > _today():
        problems.append("The date the advice was circulated cannot be in the future.")
    if circulated_on < review.anchor_date:
        problems.append(f"The date cannot be before {review.anchor_date:%-d %B %Y}.")
    if problems:
        raise ValidationError(problems)
    review.advice_circulated_on = circulated_on
    review.save(update_fields=["advice_circulated_on", "updated_at"])
    _meet(review_deadline(review, "R4"), circulated_on, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Advice circulated on {circulated_on:%-d %B %Y}",
    )
    return review


# The meeting record ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRecord:
    """What was said at the meeting, under the person-centred headings."""

    progress_on_outcomes: str = ""
    appreciated_admired: str = ""
    important_now: str = ""
    important_future: str = ""
    how_to_support: str = ""
    questions_issues: str = ""
    parent_views: str = ""
    pupil_views: str = ""
    recommendation: str = ""
    proposed_amendments: str = ""


@dataclass(frozen=True)
class ActionInput:
    action: str
    who: str
    by_when: date


def _check_record(record: MeetingRecord, actions: Sequence[ActionInput], held_on: date) -> list[str]:
    problems: list[str] = []
    if not record.progress_on_outcomes.strip():
        problems.append("Record the progress made towards the plan's outcomes.")
    if record.recommendation not in Recommendation.values:
        problems.append("Choose what the meeting recommends: keep, amend or cease the plan.")
    if record.recommendation == Recommendation.AMEND and not record.proposed_amendments.strip():
        problems.append("Describe the amendments the meeting proposes.")
    if len(actions) > MAX_ACTIONS:
        problems.append(f"An action plan can have at most {MAX_ACTIONS} actions.")
    for n, a in enumerate(actions, start=1):
        if not a.action.strip() or not a.who.strip():
            problems.append(f"Action {n}: say what will be done and who will do it.")
        if a.by_when < held_on:
            problems.append(f"Action {n}: the date it is due by cannot be before the meeting.")
    return problems


@transaction.atomic
def record_meeting(
    *,
    review: AnnualReview,
    held_on: date,
    record: MeetingRecord,
    actions: Sequence[ActionInput],
    actor: User,
) -> AnnualReview:
    """Record the meeting (or correct the record until the report is sent).

    Side effects: the record and its action plan (replacing the previous one); R1 (and R2) met on the day
    of the meeting; a meeting held on another day than booked recomputes R3-R6; the next review opened,
    due 12 months from this meeting (6 under 5), or its date recomputed; the headteacher told the report
    is due (R5); an audit entry.
    """
    review = _lock(review)
    _check_open(review)
    _require(
        review,
        {Status.SCHEDULED, Status.HELD},
        "The report has been sent: the meeting record can no longer change."
        if review.report_sent_on
        else "Book the meeting before recording it.",
    )
    problems: list[str] = []
    if held_on > _today():
        problems.append("The date of the meeting cannot be in the future: record the meeting once it has happened.")
    if held_on < review.anchor_date:
        problems.append(
            f"The meeting cannot be before {review.anchor_date:%-d %B %Y}, when {review.get_anchor_kind_display()}."
        )
    problems += _check_record(record, actions, held_on)
    if problems:
        raise ValidationError(problems)
    first_time = review.held_on is None
    if held_on != review.meeting_date:
        review.meeting_date = held_on
        _open_meeting_deadlines(review, held_on, actor)
    review.held_on = held_on
    for field in MeetingRecord.__dataclass_fields__:
        setattr(review, field, getattr(record, field).strip())
    if review.recommendation != Recommendation.AMEND:
        review.proposed_amendments = ""
    review.status = Status.HELD
    review.save()
    ReviewAction.objects.filter(review=review).delete()
    ReviewAction.objects.bulk_create(
        ReviewAction(
            trust_id=review.trust_id,
            review=review,
            position=n,
            action=a.action.strip()[:500],
            who=a.who.strip()[:150],
            by_when=a.by_when,
        )
        for n, a in enumerate(actions, start=1)
    )
    for rule_id in ("R1", "R2"):
        _meet(review_deadline(review, rule_id), held_on, actor)
    _open_next_review(review, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Meeting {'recorded' if first_time else 'record corrected'}: held on {held_on:%-d %B %Y}",
    )
    if first_time:
        _tell_headteacher(review, actor)
    return review


def _open_next_review(review: AnnualReview, actor: User) -> None:
    """The next review counts from this meeting (CFA s.44: within 12 months of the last review)."""
    assert review.held_on is not None
    nxt = AnnualReview.objects.filter(previous=review).exclude(status=Status.CANCELLED).order_by("-id").first()
    if nxt is None:
        waiting = AnnualReview.objects.filter(plan=review.plan_id, status__in=[Status.PLANNING, Status.SCHEDULED])
        if review.plan.ceased_on is None and not waiting.exists():
            _create_review(
                plan=review.plan,
                anchor=review.held_on,
                anchor_kind=AnnualReview.AnchorKind.LAST_REVIEW,
                previous=review,
                actor=actor,
            )
        return
    if nxt.anchor_date != review.held_on and nxt.is_open:
        nxt.anchor_date = review.held_on
        nxt.under_five = nxt.pupil.age_on(review.held_on) < 5
        _open_due_deadlines(nxt, actor)
        nxt.save(update_fields=["anchor_date", "under_five", "due_date", "due_rule", "updated_at"])


def _tell_headteacher(review: AnnualReview, actor: User) -> None:
    r5 = review_deadline(review, "R5")
    if r5 is None:
        return
    from django.urls import reverse

    link = reverse("reviews:detail", kwargs={"pk": review.pk})
    heads = Membership.objects.filter(
        school_id=review.school_id, role=Role.HEADTEACHER, user__is_active=True
    ).select_related("user")
    for m in heads:
        if m.user_id == actor.pk:
            continue
        notify(
            recipient=m.user,
            kind="annual_review",
            text=(
                f"The annual review meeting for {review.pupil} was held on {review.held_on:%-d %B %Y}. "
                f"The report must reach the LA and everyone invited by {r5.due:%-d %B %Y} (Regs 21(7))."
            ),
            link=link,
            dedupe_key=f"review-report-due:{review.pk}",
        )


# After the meeting ------------------------------------------------------------------------------------


@transaction.atomic
def record_report_sent(*, review: AnnualReview, sent_on: date, actor: User) -> AnnualReview:
    """Record the day the report went to the LA and everyone invited. Side effects: R5 met; an audit entry."""
    review = _lock(review)
    _check_open(review)
    if review.held_on is None:
        raise ValidationError("Record the meeting before the report.")
    if sent_on > _today():
        raise ValidationError("The date the report was sent cannot be in the future.")
    if sent_on < review.held_on:
        raise ValidationError(f"The report cannot be sent before the meeting ({review.held_on:%-d %B %Y}).")
    if review.la_decision_on and sent_on > review.la_decision_on:
        raise ValidationError(f"The report cannot be after the LA's decision ({review.la_decision_on:%-d %B %Y}).")
    review.report_sent_on = sent_on
    if review.status == Status.HELD:
        review.status = Status.REPORT_SENT
    review.save(update_fields=["report_sent_on", "status", "updated_at"])
    _meet(review_deadline(review, "R5"), sent_on, actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Report sent on {sent_on:%-d %B %Y}",
    )
    return review


@transaction.atomic
def record_la_decision(*, review: AnnualReview, decision: str, decided_on: date, actor: User) -> AnnualReview:
    """Record the LA's decision to keep, amend or cease the plan (or correct it until an amended plan is in).

    Side effects: R6 met. Amend: the proposed amendments go with the decision, so R7 (the parent's 15 days)
    and R8 (the final plan within 8 weeks) open from its date. Keep or cease: the review is completed
    (a corrected decision waives R7 and R8). An audit entry.
    """
    review = _lock(review)
    _check_open(review)
    problems: list[str] = []
    if review.report_sent_on is None or review.held_on is None:
        problems.append("Record that the report was sent to the LA first.")
    if review.amended_plan_on is not None:
        problems.append("The amended plan is recorded: the LA's decision can no longer change.")
    if decision not in Recommendation.values:
        problems.append("Choose the LA's decision: keep, amend or cease the plan.")
    if decided_on > _today():
        problems.append("The date of the LA's decision cannot be in the future.")
    if review.held_on and decided_on < review.held_on:
        problems.append(f"The LA's decision cannot be before the meeting ({review.held_on:%-d %B %Y}).")
    elif review.report_sent_on and decided_on < review.report_sent_on:
        # Regs 20(10): the LA decides after it receives the review report.
        problems.append(f"The LA's decision cannot be before the report was sent ({review.report_sent_on:%-d %B %Y}).")
    if problems:
        raise ValidationError(problems)
    review.la_decision, review.la_decision_on = decision, decided_on
    _meet(review_deadline(review, "R6"), decided_on, actor)
    if decision == Recommendation.AMEND:
        for rule_id in ("R7", "R8"):
            _open(review, rule_id, decided_on, actor)
        review.status, review.completed_on = Status.AMENDING, None
    else:
        verb = "keep" if decision == Recommendation.KEEP else "cease"
        why = f"The LA decided on {decided_on:%-d %B %Y} to {verb} the plan."
        for rule_id in ("R7", "R8"):
            _waive(review_deadline(review, rule_id), why, actor)
        review.status, review.completed_on = Status.COMPLETED, decided_on
    review.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"LA decision on {decided_on:%-d %B %Y}: {review.get_la_decision_display()}",
    )
    return review


@transaction.atomic
def record_amendments(
    *,
    review: AnnualReview,
    actor: User,
    parent_representations_on: date | None = None,
    amended_plan_on: date | None = None,
    names_next_school: bool = False,
) -> AnnualReview:
    """Record the parent's representations on the proposed amendments (R7) and the final amended plan (R8).

    Side effects: R7 and R8 met; with the final plan the review is completed (an R7 still open is waived:
    the representations period is over); for a phase transfer whose amended plan names the next school,
    R9 met. An audit entry.
    """
    review = _lock(review)
    _check_open(review)
    problems: list[str] = []
    if review.la_decision != Recommendation.AMEND or review.la_decision_on is None:
        problems.append("Amendments follow the LA's decision to amend the plan: record that decision first.")
    if parent_representations_on is None and amended_plan_on is None:
        problems.append("Enter the date of the parent's representations, of the final amended plan, or both.")
    for d, what in (
        (parent_representations_on, "The date of the parent's representations"),
        (amended_plan_on, "The date of the final amended plan"),
    ):
        if d is None:
            continue
        if d > _today():
            problems.append(f"{what} cannot be in the future.")
        if review.la_decision_on and d < review.la_decision_on:
            problems.append(f"{what} cannot be before the proposed amendments ({review.la_decision_on:%-d %B %Y}).")
    if names_next_school and amended_plan_on is None:
        problems.append("Enter the date of the final amended plan that names the next school.")
    if problems:
        raise ValidationError(problems)
    parts = []
    if parent_representations_on is not None:
        review.parent_representations_on = parent_representations_on
        _meet(review_deadline(review, "R7"), parent_representations_on, actor)
        parts.append(f"parent's representations {parent_representations_on:%-d %B %Y}")
    if amended_plan_on is not None:
        review.amended_plan_on = amended_plan_on
        _meet(review_deadline(review, "R8"), amended_plan_on, actor)
        r7 = review_deadline(review, "R7")
        if r7 is not None and r7.status == r7.Status.OPEN and amended_plan_on <= r7.statutory_due:
            # Regs 22(2)(c): the parent has at least 15 days to make representations before the LA finalises.
            engine.record_la_breach(
                deadline=r7,
                reason=(
                    f"Issued early: the LA finalised the amended plan on {amended_plan_on:%-d %B %Y}, before the "
                    f"parent's 15 days for representations ended ({r7.statutory_due:%-d %B %Y})."
                ),
                actor=actor,
            )
        else:
            _waive(
                r7,
                f"The final amended plan was issued on {amended_plan_on:%-d %B %Y}: no representations were recorded.",
                actor,
            )
        if names_next_school:
            _meet(review_deadline(review, "R9"), amended_plan_on, actor)
        review.status, review.completed_on = Status.COMPLETED, amended_plan_on
        parts.append(f"final amended plan {amended_plan_on:%-d %B %Y}")
    review.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary="Amendments: " + ", ".join(parts),
    )
    return review


@transaction.atomic
def cancel_review(*, review: AnnualReview, reason: str, actor: User) -> AnnualReview:
    """Cancel a review whose meeting has not been recorded (for example the plan ceased or the pupil left).

    Side effects: the review's own open deadlines waived with the reason (a first review's R1 belongs to the
    plan and stays open: the plan still needs its review); an audit entry.
    """
    review = _lock(review)
    reason = reason.strip()
    problems: list[str] = []
    if review.status not in {Status.PLANNING, Status.SCHEDULED}:
        problems.append("Only a review whose meeting has not been recorded can be cancelled.")
    if not reason:
        problems.append("Say why the review is cancelled.")
    if problems:
        raise ValidationError(problems)
    engine.cancel_for_subject(
        subject_type=SUBJECT_TYPE, subject_id=review.pk, actor=actor, reason=f"Annual review cancelled: {reason}"
    )
    review.status, review.cancelled_reason = Status.CANCELLED, reason[:300]
    review.save(update_fields=["status", "cancelled_reason", "updated_at"])
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=f"Cancelled: {reason}"
    )
    return review


def close_for_ceased_plan(*, plan: EhcPlan, actor: User, reason: str) -> int:
    """ehcp's PLAN_CEASED_HOOKS entry: every review of the plan still under way is cancelled and its open
    deadlines still to come waived with the reason (a meeting already held keeps its record; a date already
    past was missed before the plan ceased). Returns how many."""
    count = 0
    for review in (
        AnnualReview.objects.select_for_update()
        .filter(plan=plan)
        .exclude(status__in=[Status.COMPLETED, Status.CANCELLED])
    ):
        engine.cancel_for_subject(
            subject_type=SUBJECT_TYPE, subject_id=review.pk, actor=actor, reason=reason, not_due_before=plan.ceased_on
        )
        review.status, review.cancelled_reason = Status.CANCELLED, reason[:300]
        review.save(update_fields=["status", "cancelled_reason", "updated_at"])
        summary = f"Cancelled: {reason}"
        audit.record(actor=actor, action=audit.Action.CHANGE, obj=review, pupil_id=review.pupil_id, summary=summary)
        count += 1
    return count


def record_pdf_download(*, review: AnnualReview, actor: User, request: HttpRequest | None = None) -> None:
    """Every download of a review report is audited (special-category data leaving the system)."""
    audit.record(
        actor=actor,
        action=audit.Action.DOWNLOAD,
        obj=review,
        pupil_id=review.pupil_id,
        summary="Annual review report (PDF) downloaded",
        request=request,
    )


def follow_corrected_issue_date(*, plan: EhcPlan, actor: User | None) -> None:
    """ehcp's PLAN_ISSUE_DATE_HOOKS entry: a first review not yet held is due from the corrected date."""
    first = AnnualReview.objects.select_for_update().filter(plan=plan, held_on=None)
    for review in first.filter(anchor_kind=AnnualReview.AnchorKind.PLAN_ISSUED):
        review.anchor_date = plan.first_issued_on
        _open_due_deadlines(review, actor)
        review.save(update_fields=["anchor_date", "due_date", "due_rule", "updated_at"])
