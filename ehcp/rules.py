"""Statutory deadline rules for EHC casework, as data, and the date arithmetic behind them.

Every rule of domain.md's "Statutory deadlines" table is a ``Rule`` in ``RULES`` with its source
and the date it took effect, so a change in law is a data change. Each due date is the *last day
on which the action is still on time* (or, for X1, the first day on which it is allowed). Where a
text is ambiguous we take the earlier, safer date (domain.md).

Pure Python, no Django imports: models and services store and display what this module computes.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from trusts.dates import add_months

Unit = Literal["weeks", "days", "months", "calendar_months", "before_meeting_weeks", "fixed_date", "school_days"]
Who = Literal["la", "school", "parent", "headteacher"]
# "deadline": the due date is the last day on time. "earliest": the first day the action is allowed.
Kind = Literal["deadline", "earliest"]

# Exception kinds (SEND Regs 2014 reg 10(4) for A1, A3, A6, X2; reg 8(2) for A2). Each is recorded with
# a reason and evidence, and compliance is reported both with and without them, as the DfE does.
HOLIDAY = "holiday"  # advice asked from 1 week before a 4+ week closure until 1 week before it reopens
PERSONAL_CIRCUMSTANCES = "personal_circumstances"  # exceptional personal (or, A2, family) circumstances
FAMILY_AWAY = "family_away"  # the child and parent, or the young person, away from the area 4+ weeks
MISSED_APPOINTMENT = "missed_appointment"  # A2 only: the child or parent missed an appointment

EXCEPTION_LABELS: dict[str, str] = {
    HOLIDAY: "School closed for 4 weeks or more (holiday)",
    PERSONAL_CIRCUMSTANCES: "Exceptional personal circumstances",
    FAMILY_AWAY: "Family away from the area for 4 weeks or more",
    MISSED_APPOINTMENT: "Missed appointment",
}

_LA_ASSESSMENT_EXCEPTIONS = frozenset({HOLIDAY, PERSONAL_CIRCUMSTANCES, FAMILY_AWAY})
# Regs 8(2): no holiday exception for advice.
_ADVICE_EXCEPTIONS = frozenset({PERSONAL_CIRCUMSTANCES, FAMILY_AWAY, MISSED_APPOINTMENT})
_NONE: frozenset[str] = frozenset()

_SEND_REGS_IN_FORCE = date(2014, 9, 1)  # CFA 2014 Part 3 and SEND Regs 2014
_CODE_2015_IN_FORCE = date(2015, 4, 1)  # SEND Code of Practice 0-25 (January 2015)
_PUPIL_INFO_REGS_IN_FORCE = date(2005, 7, 8)  # Education (Pupil Information) (England) Regs 2005, reg 1
_GDPR_IN_FORCE = date(2018, 5, 25)  # GDPR art. 12(3) (the UK GDPR since 1 January 2021); DPA 2018


@dataclass(frozen=True)
class Rule:
    """One statutory time limit: when ``trigger`` happens, ``who`` must do ``action`` within ``limit``."""

    id: str
    trigger: str
    action: str
    limit: int
    unit: Unit
    who: Who
    source: str
    effective_from: date
    exceptions: frozenset[str]
    wording: str = ""  # the rule's words, shown beside the date
    kind: Kind = "deadline"


def _rule(
    id: str,
    trigger: str,
    action: str,
    limit: int,
    unit: Unit,
    who: Who,
    source: str,
    wording: str,
    *,
    effective_from: date = _SEND_REGS_IN_FORCE,
    exceptions: frozenset[str] = _NONE,
    kind: Kind = "deadline",
) -> Rule:
    return Rule(id, trigger, action, limit, unit, who, source, effective_from, exceptions, wording, kind)


# fmt: off
RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in [
        # Needs assessment and the first plan
        _rule(
            "A1", "Request for an EHC needs assessment received", "LA decides whether to assess",
            6, "weeks", "la", "SEND Regulations 2014, reg 5",
            "within 6 weeks of receiving the request", exceptions=_LA_ASSESSMENT_EXCEPTIONS,
        ),
        _rule(
            "A2", "LA's request for advice or information received", "School (or other body) responds",
            6, "weeks", "school", "SEND Regulations 2014, reg 8; trust policies",
            "within 6 weeks of the LA's request", exceptions=_ADVICE_EXCEPTIONS,
        ),
        _rule(
            "A3", "Request for an EHC needs assessment received",
            "LA gives notice that no plan will be issued after the assessment",
            16, "weeks", "la", "SEND Regulations 2014, reg 10",
            "within 16 weeks of receiving the request", exceptions=_LA_ASSESSMENT_EXCEPTIONS,
        ),
        _rule(
            "A4", "Draft EHC plan served", "Parent comments and asks for a school to be named",
            15, "days", "parent", "SEND Regulations 2014, reg 13(1)",
            "within 15 days of the draft plan being served",
        ),
        _rule(
            "A5", "LA consults the school it proposes to name", "School replies",
            15, "days", "school", "SEND Code of Practice 2015, para 9.83; trust policies",
            "within 15 days of being consulted", effective_from=_CODE_2015_IN_FORCE,
        ),
        _rule(
            "A6", "Request for an EHC needs assessment received", "LA issues the final EHC plan",
            20, "weeks", "la", "SEND Regulations 2014, reg 13(2)",
            "within 20 weeks of receiving the request", exceptions=_LA_ASSESSMENT_EXCEPTIONS,
        ),
        # Reviews: no exceptions to annual review limits.
        _rule(
            "R1", "EHC plan issued or last reviewed",
            "Annual review completed (the LA's duty; the school hosts the meeting)",
            12, "months", "la",
            "Children and Families Act 2014, s.44; SEND Code of Practice 2015, para 9.166",
            "within 12 months of the plan being issued or last reviewed",
        ),
        _rule(
            "R2", "EHC plan for a child under 5 issued or last reviewed", "Review",
            # "Every 3 to 6 months": the earlier, safer date (domain.md), so a review is never flagged late.
            3, "months", "la", "SEND Code of Practice 2015, para 9.178",
            "at least every 3 to 6 months for a child under 5", effective_from=_CODE_2015_IN_FORCE,
        ),
        _rule(
            "R3", "Annual review meeting", "Invitations sent",
            2, "before_meeting_weeks", "school", "SEND Regulations 2014, regs 20(3) and 21(3)",
            "at least 2 weeks before the meeting",
        ),
        _rule(
            "R4", "Annual review meeting", "Advice gathered and circulated to invitees",
            2, "before_meeting_weeks", "school", "SEND Regulations 2014, regs 20(4) and 21(4)",
            "at least 2 weeks before the meeting",
        ),
        _rule(
            "R5", "Annual review meeting", "Report sent to the LA and everyone invited",
            2, "weeks", "headteacher", "SEND Regulations 2014, reg 21(7)",
            "within 2 weeks of the meeting",
        ),
        _rule(
            "R6", "Annual review meeting",
            "LA decides to keep, amend or cease the plan (with any proposed amendments)",
            4, "weeks", "la", "SEND Regulations 2014, reg 20; Devon [2022] EWHC 493",
            "within 4 weeks of the meeting",
        ),
        _rule(
            "R7", "Proposed amendments sent", "Parent makes representations",
            15, "days", "parent", "SEND Regulations 2014, reg 22(2)",
            "at least 15 days to make representations",
        ),
        _rule(
            "R8", "Proposed amendments sent", "LA issues the final amended plan",
            8, "weeks", "la", "SEND Regulations 2014, reg 22(3)",
            "within 8 weeks of sending the proposed amendments",
        ),
        _rule(
            "R9", "Transfer between phases (the pupil's next year group is not taught at their school)",
            "LA issues the amended plan naming the new school or post-16 institution",
            0, "fixed_date", "la", "SEND Regulations 2014, regs 2(1), 18(1) and 18(2)",
            "before 15 February of the calendar year of the transfer (before 31 March for a move into "
            "post-16; between post-16 institutions, at least 5 months before the transfer)",
        ),
        # Re-assessment
        _rule(
            "X1", "Last EHC needs assessment", "Earliest re-assessment, unless needs have changed",
            6, "months", "la", "SEND Regulations 2014, reg 24; trust policies",
            "not within 6 months of the last assessment unless needs have changed", kind="earliest",
        ),
        _rule(
            "X2", "Notice to re-assess", "LA issues the final plan",
            14, "weeks", "la", "SEND Regulations 2014, reg 27",
            "within 14 weeks of the notice to re-assess", exceptions=_LA_ASSESSMENT_EXCEPTIONS,
        ),
        # Records
        _rule(
            "C1", "Pupil leaves", "Common transfer file and records sent to the new school",
            15, "school_days", "school", "Education (Pupil Information) (England) Regulations 2005, reg 9",
            "within 15 school days of the pupil leaving", effective_from=_PUPIL_INFO_REGS_IN_FORCE,
        ),
        # Data protection: a subject access request (a parent for their child, or a former pupil).
        _rule(
            "S1", "Subject access request received", "Trust sends the copy of the data held",
            1, "calendar_months", "school", "UK GDPR art. 12(3) and 15; ICO guidance on the right of access",
            "within one month of receiving the request (the same day next month)",
            effective_from=_GDPR_IN_FORCE,
        ),
        _rule(
            "S2", "Complex or numerous subject access request received (extended)",
            "Trust sends the copy of the data held",
            3, "calendar_months", "school", "UK GDPR art. 12(3): extended by two further months",
            "within three months of receiving the request, when it is complex and the person was told "
            "within the first month", effective_from=_GDPR_IN_FORCE,
        ),
    ]
}
# fmt: on


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError naming the id if there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"There is no deadline rule {rule_id!r}; known rules are {', '.join(RULES)}.") from None


def allowed_exceptions(rule_id: str) -> frozenset[str]:
    """The exception kinds that may be recorded against this rule (empty for most)."""
    return get_rule(rule_id).exceptions


# Date arithmetic -----------------------------------------------------------------------------


def add_weeks(d: date, n: int) -> date:
    """*N weeks after X* = X + 7N days (6 weeks from Mon 4 May 2026 is Mon 15 June 2026)."""
    return d + timedelta(weeks=n)


def add_days_counting_first(d: date, n: int) -> date:
    """*Within N days*, counting the day served or received as day 1: X + N - 1.

    Served 10 March 2026, 15 days: the last day on time is 24 March 2026.
    """
    if n < 1:
        raise ValueError(f"A period counted in days must be at least 1 day, not {n}.")
    return d + timedelta(days=n - 1)


def annual_review_due(anchor: date) -> date:
    """*Within 12 months* of the plan's issue or last review: anchor + 12 months - 1 day.

    Issued 15 June 2025: review by 14 June 2026. An anchor of 29 February 2024 has no
    29 February 2025, so 12 months clamps to 28 February 2025 and the review is due by
    27 February 2025 -- the earlier, safer of the two readings (the other being "1 March 2025
    minus a day" = 28 February). A 1 March 2024 anchor gives 28 February 2025, so due dates never
    go backwards as the anchor moves forward.
    """
    return add_months(anchor, 12) - timedelta(days=1)


def before_meeting(meeting: date, weeks: int = 2) -> date:
    """*At least N weeks before a meeting*: on or before meeting - 7N days."""
    return meeting - timedelta(weeks=weeks)


TransferKind = Literal["school", "post16", "between_post16"]


@dataclass(frozen=True)
class TransferDate:
    """When the plan of a pupil changing phase must be amended: the last day on time is `before`'s day
    minus one in the calendar year of the transfer, and, where `months_before` is set, no later than that
    many months before the transfer itself (whichever is earlier)."""

    kind: TransferKind
    label: str
    before: tuple[int, int]  # (month, day): "before 15 February" is (2, 15)
    months_before: int | None
    source: str
    wording: str


# R9's three cases, as data. "Transfer between phases" is defined by reg 2(1): early years to school, infant to
# junior, primary to middle, primary or middle to secondary, secondary to a post-16 institution.
TRANSFER_DATES: dict[str, TransferDate] = {
    t.kind: t
    for t in [
        TransferDate(
            "school",
            "into a school",
            (2, 15),
            None,
            "SEND Regulations 2014, reg 18(1)",
            "before 15 February in the calendar year of the transfer",
        ),
        TransferDate(
            "post16",
            "from school into post-16",
            (3, 31),
            None,
            "SEND Regulations 2014, reg 18(1)",
            "before 31 March in the calendar year of the transfer",
        ),
        # Reg 18(2) counts back from the transfer; the Code asks for 31 March when the move is at the start
        # of the academic year, as it nearly always is: the earlier of the two.
        TransferDate(
            "between_post16",
            "between post-16 institutions",
            (3, 31),
            5,
            "SEND Regulations 2014, reg 18(2); SEND Code of Practice 2015, chapter 9",
            "at least 5 months before the transfer (and normally before 31 March for a September move)",
        ),
    ]
}


def transfer_date_due(kind: TransferKind, transfer_on: date) -> date:
    """The last day the amended plan is on time for a transfer of `kind` on `transfer_on`.

    A September 2027 transfer: into school 14 February 2027, into post-16 30 March 2027, between post-16
    institutions 30 March 2027 (five months before 1 September is 1 April, later than 30 March).
    """
    rule = TRANSFER_DATES[kind]
    month, day = rule.before
    due = date(transfer_on.year, month, day) - timedelta(days=1)
    if rule.months_before is not None:
        due = min(due, add_months(transfer_on, -rule.months_before))
    return due


def phase_transfer_due(transfer_year: int, post16: bool) -> date:
    """Regs 18(1): amend the plan *before 15 February* of the transfer year, i.e. by 14 February;
    for a move into post-16 education *before 31 March*, i.e. by 30 March (a September transfer)."""
    return transfer_date_due("post16" if post16 else "school", date(transfer_year, 9, 1))


def subject_access_due(received: date, months: int = 1) -> date:
    """UK GDPR art. 12(3), as the ICO counts it: from the day the request is received to the same day
    ``months`` later; with no such day, the last day of that month.

    Received 3 September 2026: due by 3 October 2026. Received 31 January 2027: due by 28 February 2027.
    Extended (3 months): received 3 September 2026, due by 3 December 2026.
    """
    return add_months(received, months)


def is_school_day(d: date, closed_days: AbstractSet[date] = frozenset()) -> bool:
    """A weekday that is not in ``closed_days`` (holidays, bank holidays, training days)."""
    return d.weekday() < 5 and d not in closed_days


def add_school_days(start: date, n: int, closed_days: AbstractSet[date] = frozenset()) -> date:
    """The ``n``-th school day after ``start`` (``start`` itself not counted).

    Weekends and ``closed_days`` are skipped. ``closed_days`` must cover the whole span, e.g.
    the school's holidays from ``trusts.calendar_defaults.closed_weekdays``.
    """
    if n < 0:
        raise ValueError(f"Cannot add a negative number of school days ({n}).")
    d = start
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        if is_school_day(d, closed_days):
            counted += 1
    return d


def stricter(statutory: date, internal: date | None) -> date:
    """The earlier of the statutory date and a trust's internal target.

    A trust target can make a deadline earlier but never later than the law allows.
    """
    if internal is None:
        return statutory
    return min(statutory, internal)


def due_date(
    rule_id: str,
    trigger_date: date,
    *,
    post16: bool = False,
    closed_days: AbstractSet[date] = frozenset(),
) -> date:
    """The date a rule gives for a trigger on ``trigger_date``.

    For most rules it is the last day on which the action is on time. For R3/R4 the trigger is
    the meeting date and the result is on or before it. For R9 the trigger is the date of the
    transfer (its calendar year is the transfer year) and ``post16`` picks 31 March. For X1
    (``kind == "earliest"``) it is the first day a re-assessment may be carried out. For C1,
    ``closed_days`` lists the school's non-school weekdays.
    """
    rule = get_rule(rule_id)
    match rule.unit:
        case "weeks":
            return add_weeks(trigger_date, rule.limit)
        case "days":
            return add_days_counting_first(trigger_date, rule.limit)
        case "before_meeting_weeks":
            return before_meeting(trigger_date, rule.limit)
        case "fixed_date":
            # R9: the trigger is the day of the transfer. A move between post-16 institutions is stored as a
            # post-16 one: for a transfer on 1 September both give 30 March (`transfer_date_due`).
            return transfer_date_due("between_post16" if post16 else "school", trigger_date)
        case "months":
            later = add_months(trigger_date, rule.limit)
            # "Not within 6 months" (X1) ends on the same day number 6 months later; "within
            # N months" (R1, R2) is treated like the annual review: the day before.
            return later if rule.kind == "earliest" else later - timedelta(days=1)
        case "calendar_months":
            return subject_access_due(trigger_date, rule.limit)
        case "school_days":
            # Counting the day the pupil leaves as day 1 when it is a school day: the earlier,
            # safer reading, as for the calendar-day limits.
            return add_school_days(trigger_date - timedelta(days=1), rule.limit, closed_days)
    raise ValueError(f"Rule {rule.id} has an unknown unit {rule.unit!r}.")  # pragma: no cover
