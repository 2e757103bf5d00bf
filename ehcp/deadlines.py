"""The statutory deadline engine: open (or recompute), meet, waive and excuse deadlines.

Every date comes from `ehcp.rules` (the law as data); a trust's `DeadlineSetting` may only make a
date earlier (`rules.stricter`). Each function is one business action: keyword-only, in one
transaction, audited. The sweep that reminds people and marks deadlines missed is in `ehcp.sweep`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.calendar_defaults import TermDates, academic_year_of, closed_weekdays, default_terms
from trusts.models import HalfTerm, School, User

from . import rules
from .models import DEFAULT_REMINDER_DAYS, Deadline, DeadlineSetting

__all__ = [
    "SUBJECT_LINKS",
    "cancel_for_subject",
    "deadline_link",
    "internal_due_date",
    "meet_deadline",
    "open_deadline",
    "record_exception",
    "reminder_days_for",
    "setting_problems",
    "statutory_due_date",
    "waive_deadline",
]

Status = Deadline.Status
logger = logging.getLogger(__name__)

# Where a person acts on a deadline, by subject type: upper apps (reviews) add theirs in ready().
# Each callable takes the deadline and returns a URL path; the deadline's own page is the fallback.
SUBJECT_LINKS: dict[str, Callable[[Deadline], str]] = {}


def deadline_link(deadline: Deadline) -> str:
    from django.urls import reverse

    link = SUBJECT_LINKS.get(deadline.subject_type)
    if link is not None:
        try:
            return link(deadline)
        except Exception:  # a broken link builder must never hide a deadline
            logger.exception("No link for deadline %s (%s)", deadline.pk, deadline.subject_type)
    return reverse("ehcp:deadline_detail", kwargs={"pk": deadline.pk})


# Dates ------------------------------------------------------------------------------------------


def _closed_days(school: School, start: date) -> set[date]:
    """Non-school weekdays around `start` for counting school days (C1), from the school's calendar."""
    closed: set[date] = set()
    first_year = academic_year_of(start)
    for year in (first_year, first_year + 1):
        halves = list(HalfTerm.objects.filter(calendar__school=school, calendar__academic_year=year))
        terms = [TermDates(h.name, h.start, h.end) for h in halves] or default_terms(year)
        closed |= closed_weekdays(terms)
    return closed


def statutory_due_date(
    *, rule_id: str, trigger_date: date, meeting_date: date | None = None, post16: bool = False, school: School
) -> date:
    """The date the law gives. Rules counted back from a meeting (R3, R4) are anchored on the meeting."""
    rule = rules.get_rule(rule_id)
    if rule.unit == "before_meeting_weeks":
        if meeting_date is None:
            raise ValidationError(f"{rule_id} is counted back from the meeting: give the meeting date.")
        return rules.due_date(rule_id, meeting_date)
    closed = _closed_days(school, trigger_date) if rule.unit == "school_days" else frozenset()
    return rules.due_date(rule_id, trigger_date, post16=post16, closed_days=closed)


def internal_due_date(
    *, setting: DeadlineSetting | None, rule_id: str, trigger_date: date, meeting_date: date | None
) -> date | None:
    """The trust's own target for this trigger, or None. Counted like the rule: "within N weeks/days"
    of the trigger (days count the trigger as day 1), or "N weeks/days before" the meeting."""
    if setting is None or not setting.target_amount:
        return None
    rule = rules.get_rule(rule_id)
    n = setting.target_amount
    span = timedelta(weeks=n) if setting.target_unit == DeadlineSetting.Unit.WEEKS else timedelta(days=n)
    if rule.unit == "before_meeting_weeks":
        assert meeting_date is not None
        return meeting_date - span
    if setting.target_unit == DeadlineSetting.Unit.DAYS:
        return rules.add_days_counting_first(trigger_date, n)
    return trigger_date + span


# Trust settings ----------------------------------------------------------------------------------

# Rules whose date is fixed (R9) or marks the earliest day something may happen (X1) take no target.
NO_TARGET_RULES = frozenset(
    rule_id for rule_id, r in rules.RULES.items() if r.unit == "fixed_date" or r.kind != "deadline"
)


@functools.cache
def _shortest_statutory_span(rule_id: str) -> int:
    """The fewest days from trigger to statutory date over four years of triggers (months vary)."""
    start = date(2024, 1, 1)
    return min(
        (rules.due_date(rule_id, start + timedelta(days=i)) - (start + timedelta(days=i))).days for i in range(1461)
    )


def setting_problems(
    *, rule_id: str, target_amount: int | None, target_unit: str, reminder_days: list[int]
) -> list[str]:
    """What is wrong with a trust's setting for a rule, in plain words (empty when it is fine).

    A target may only make a date earlier than the law's, for every possible trigger date.
    """
    problems: list[str] = []
    if rule_id not in rules.RULES:
        return [f"There is no deadline rule {rule_id}."]
    rule = rules.get_rule(rule_id)
    if target_amount:
        unit_days = 7 if target_unit == DeadlineSetting.Unit.WEEKS else 1
        if target_unit not in DeadlineSetting.Unit.values:
            problems.append("Choose weeks or days for the target.")
        elif rule_id in NO_TARGET_RULES:
            problems.append(f"{rule_id} has a date fixed by law ({rule.wording}): set reminders instead of a target.")
        elif rule.unit == "before_meeting_weeks":
            if target_amount * unit_days < rule.limit * 7:
                problems.append(
                    f"The law says {rule.wording}: a target of {target_amount} {target_unit} before the meeting "
                    f"would be later. Choose at least {rule.limit} weeks ({rule.limit * 7} days)."
                )
        else:
            # Days count the trigger as day 1, like the law's 15-day limits; closures only make C1 later.
            span = target_amount * 7 if unit_days == 7 else target_amount - 1
            if span > _shortest_statutory_span(rule_id):
                problems.append(
                    f"The law says {rule.wording}: a target of {target_amount} {target_unit} would be later than "
                    "the law allows on some dates. A target can only be stricter than the law."
                )
    seen: set[int] = set()
    for day in reminder_days:
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 365:
            problems.append(f"Reminders are whole numbers of days from 0 to 365 before the date, not {day!r}.")
        elif day in seen:
            problems.append(f"The reminder {day} days before is listed twice.")
        else:
            seen.add(day)
    if len(reminder_days) > 6:
        problems.append("Choose at most 6 reminders.")
    return problems


def _setting(trust_id: int, rule_id: str) -> DeadlineSetting | None:
    return DeadlineSetting.objects.filter(trust_id=trust_id, rule_id=rule_id).first()


def reminder_days_for(setting: DeadlineSetting | None) -> tuple[int, ...]:
    """Days before the due date to remind, largest first (the default is 14, 7 and 1 days)."""
    if setting is None or not setting.reminder_days:
        return DEFAULT_REMINDER_DAYS
    return setting.reminders


# Actions ------------------------------------------------------------------------------------------


def _check_actor(actor: User | None, school: School) -> None:
    if actor is not None and actor.trust_id != school.trust_id:
        raise ValidationError("You cannot record deadlines for another trust's school.")


@transaction.atomic
def open_deadline(
    *,
    rule_id: str,
    trigger_date: date,
    school: School,
    pupil: Pupil | None,
    subject_type: str,
    subject_id: int,
    actor: User | None,
    meeting_date: date | None = None,
    post16: bool = False,
) -> Deadline:
    """Create the deadline for (subject, rule), or recompute it when the triggering date is corrected.

    Side effects: one Deadline row created or updated; an audit entry. A recomputed date re-arms the
    reminders (they are keyed by the due date, so none is sent twice for the same date). A missed
    deadline whose corrected date is today or later opens again. Met and waived deadlines keep their status.
    Raises ValidationError (unknown rule, a trigger before the rule took effect, a missing meeting date).
    `pupil` is None only for a child not yet on roll (A5 on a consultation, `ehcp.consultations`).
    """
    if rule_id not in rules.RULES:
        raise ValidationError(f"There is no deadline rule {rule_id!r}.")
    rule = rules.get_rule(rule_id)
    if pupil is not None and pupil.trust_id != school.trust_id:
        raise ValidationError("The pupil and the school belong to different trusts.")
    _check_actor(actor, school)
    if not subject_type or len(subject_type) > 40:
        raise ValidationError("Say what the deadline is about (a subject type of up to 40 characters).")
    anchor = meeting_date if rule.unit == "before_meeting_weeks" and meeting_date else trigger_date
    if anchor < rule.effective_from:
        raise ValidationError(
            f"{rule_id} ({rule.source}) applies from {rule.effective_from:%-d %B %Y}; "
            f"{anchor:%-d %B %Y} is before that."
        )
    statutory = statutory_due_date(
        rule_id=rule_id, trigger_date=trigger_date, meeting_date=meeting_date, post16=post16, school=school
    )
    internal = internal_due_date(
        setting=_setting(school.trust_id, rule_id),
        rule_id=rule_id,
        trigger_date=trigger_date,
        meeting_date=meeting_date,
    )
    if internal is not None and internal >= statutory:
        internal = None  # a target that is not stricter is no target (and is never allowed to loosen)
    due = rules.stricter(statutory, internal)

    deadline = (
        Deadline.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id)
        .first()
    )
    if deadline is None:
        deadline = Deadline.objects.create(
            trust_id=school.trust_id,
            school=school,
            pupil=pupil,
            rule_id=rule_id,
            subject_type=subject_type,
            subject_id=subject_id,
            trigger_date=trigger_date,
            meeting_date=meeting_date,
            post16=post16,
            statutory_due=statutory,
            internal_due=internal,
            due=due,
            responsible=rule.who,
        )
        audit.record(
            actor=actor,
            action=audit.Action.CREATE,
            obj=deadline,
            pupil_id=pupil.pk if pupil else None,
            summary=f"Deadline {rule_id} opened: {rule.action} by {due:%-d %B %Y}",
        )
        return deadline

    if deadline.trust_id != school.trust_id:
        raise ValidationError("That subject belongs to another trust.")
    old_due = deadline.due
    deadline.school, deadline.pupil = school, pupil
    deadline.trigger_date, deadline.meeting_date, deadline.post16 = trigger_date, meeting_date, post16
    deadline.statutory_due, deadline.internal_due, deadline.due = statutory, internal, due
    if due != old_due:
        deadline.reminder_offset_sent = None
        if deadline.status == Status.MISSED and due >= timezone.localdate():
            deadline.status = Status.OPEN
    deadline.save()
    if due != old_due:
        audit.record(
            actor=actor,
            action=audit.Action.CHANGE,
            obj=deadline,
            pupil_id=pupil.pk if pupil else None,
            summary=f"Deadline {rule_id} recomputed: {old_due:%-d %B %Y} → {due:%-d %B %Y}",
        )
    return deadline


@transaction.atomic
def meet_deadline(*, deadline: Deadline, met_on: date, actor: User | None) -> Deadline:
    """Record that the action was done on `met_on` (on time or late: `met_late` says which).

    Side effects: status met, met_on set; an audit entry. A waived deadline cannot be met; a date in the
    future or before the trigger is refused (rules dated before their trigger, R3, R4 and R9, may be met before it).
    """
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status == Status.WAIVED:
        raise ValidationError(f"This deadline was waived ({deadline.waived_reason}): it cannot be met.")
    if met_on > timezone.localdate():
        raise ValidationError("The date it was done cannot be in the future.")
    # Rules whose date comes before their trigger (R3/R4 before the meeting, R9 before the transfer)
    # are rightly met before the trigger.
    counts_forward = deadline.rule.unit not in {"before_meeting_weeks", "fixed_date"}
    if counts_forward and met_on < deadline.trigger_date:
        raise ValidationError(
            f"The date it was done ({met_on:%-d %B %Y}) is before the trigger ({deadline.trigger_date:%-d %B %Y})."
        )
    deadline.status, deadline.met_on = Status.MET, met_on
    deadline.save(update_fields=["status", "met_on", "updated_at"])
    when = "late" if deadline.met_late else "on time"
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=deadline,
        pupil_id=deadline.pupil_id,
        summary=f"Deadline {deadline.rule_id} met {when} on {met_on:%-d %B %Y}",
    )
    return deadline


@transaction.atomic
def waive_deadline(*, deadline: Deadline, reason: str, actor: User | None) -> Deadline:
    """The deadline no longer applies (e.g. the LA decided not to assess, so no plan is due).

    Side effects: status waived with the reason; an audit entry. A met deadline cannot be waived.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why this deadline no longer applies.")
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status == Status.MET:
        raise ValidationError("This deadline has been met: it cannot be waived.")
    deadline.status, deadline.waived_reason = Status.WAIVED, reason[:300]
    deadline.save(update_fields=["status", "waived_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=deadline,
        pupil_id=deadline.pupil_id,
        summary=f"Deadline {deadline.rule_id} waived: {reason}",
    )
    return deadline


@transaction.atomic
def record_la_breach(*, deadline: Deadline, reason: str, actor: User | None) -> Deadline:
    """The LA acted before a window the law gives the parent or school had ended (e.g. a final plan issued
    inside the parent's 15 days, Regs 13(1)). The deadline no longer binds them and is kept, visibly, as the
    LA's breach (`la_breach`), never silently waived. Side effects: status waived with the reason; an audit
    entry. A deadline already met stays met (they acted in time)."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status == Status.MET:
        return deadline
    deadline.status, deadline.la_breach, deadline.waived_reason = Status.WAIVED, True, reason.strip()[:300]
    deadline.save(update_fields=["status", "la_breach", "waived_reason", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=deadline,
        pupil_id=deadline.pupil_id,
        summary=f"Deadline {deadline.rule_id}: LA breach. {reason}"[:300],
    )
    return deadline


@transaction.atomic
def record_exception(*, deadline: Deadline, kind: str, evidence: str, actor: User | None) -> Deadline:
    """Record an exception to the time limit (Regs 10(4) for A1, A3, A6, X2; reg 8(2) for A2).

    The date stays as the law gives it; compliance is reported both with and without exceptions.
    Refuses kinds the rule does not allow (no holiday exception for A2, none for annual reviews).
    """
    rule = deadline.rule
    allowed = rules.allowed_exceptions(deadline.rule_id)
    if not allowed:
        raise ValidationError(f"{rule.id} ({rule.source}) has no exceptions: the time limit always applies.")
    if kind not in allowed:
        label = rules.EXCEPTION_LABELS.get(kind, kind or "no exception")
        choices = ", ".join(sorted(rules.EXCEPTION_LABELS[k].lower() for k in allowed))
        raise ValidationError(f"“{label}” is not an exception to {rule.id} ({rule.source}). It allows: {choices}.")
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError("Describe the evidence for the exception (what happened and when).")
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    deadline.exception_kind, deadline.exception_evidence = kind, evidence
    deadline.save(update_fields=["exception_kind", "exception_evidence", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=deadline,
        pupil_id=deadline.pupil_id,
        summary=f"Exception to {rule.id} recorded: {rules.EXCEPTION_LABELS[kind]}",
    )
    return deadline


@transaction.atomic
def cancel_for_subject(
    *, subject_type: str, subject_id: int, actor: User | None, reason: str = "", not_due_before: date | None = None
) -> int:
    """Waive every open deadline of a subject (e.g. an assessment withdrawn); returns how many.

    Met and missed deadlines stay as they are: they are history. With `not_due_before`, an open deadline
    whose date had already passed by then is left for the sweep to mark missed: it was missed before.
    """
    reason = reason.strip() or f"The {subject_type.replace('_', ' ')} was withdrawn or closed."
    count = 0
    deadlines = Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id, status=Status.OPEN)
    if not_due_before is not None:
        deadlines = deadlines.filter(due__gte=not_due_before)
    for deadline in deadlines:
        waive_deadline(deadline=deadline, reason=reason, actor=actor)
        count += 1
    return count
