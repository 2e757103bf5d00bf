"""Phase transfers (R9): the plan of a pupil changing phase must be amended in time (Regs 18(1), 18(2)).

A pupil changes phase when their next year group is not taught at their school: the school's year range
(`trusts.models.School.year_range`, from the trust's own range, the register's ages or the phase) says
which. So a Year 2 pupil at an infant school, Year 6 at a primary or junior school, the last year of a
middle school, Nursery 2 at a nursery school, Year 11 at an 11-16 school and the last year of a special
school by its ages all transfer; Year 6 at an all-through school does not. The dates are data in
`ehcp.rules.TRANSFER_DATES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from trusts import audit
from trusts.calendar_defaults import academic_year_of
from trusts.models import School, User
from trusts.year_groups import YEAR_GROUPS, YEAR_INDEX

from .. import rules
from ..deadlines import _setting, internal_due_date, open_deadline, statutory_due_date
from ..models import Deadline, EhcPlan, PhaseTransfer, SubjectType

FIRST_POST16_YEAR = YEAR_INDEX["12"]


@dataclass(frozen=True)
class TransferDue:
    """A pupil's coming phase transfer: the calendar year they move in, which R9 date applies, and it."""

    transfer_year: int
    kind: rules.TransferKind
    due: date

    @property
    def post16(self) -> bool:
        """Into or between post-16 institutions (the deadline engine's `post16`: 31 March, not 15 February)."""
        return self.kind != "school"

    @property
    def transfer_on(self) -> date:
        """The transfer is at the start of the next academic year: R9's trigger date."""
        return date(self.transfer_year, 9, 1)


def transfer_kind(*, year_group: str, school: School) -> rules.TransferKind | None:
    """Which R9 date applies when a pupil in `year_group` finishes the year at `school`, or None when their
    next year group is still taught there (or the school's range is not known, or the year group is not one).

    Moving on from Year 11 or later is "post16" (reg 18(1): secondary school to a post-16 institution, a
    school sixth form or special school included); moving on from Year 12 or later at a post-16 institution
    itself is "between_post16" (reg 18(2)); every other move is "school" (reg 18(1)).
    """
    found = school.year_range()
    if found is None or year_group not in YEAR_INDEX:
        return None
    here = YEAR_INDEX[year_group]
    if here < YEAR_INDEX[found[1]]:
        return None
    if here >= FIRST_POST16_YEAR and school.phase == School.Phase.POST16:
        return "between_post16"
    if here + 1 >= FIRST_POST16_YEAR:
        return "post16"
    return "school"


def transfer_due(*, year_group: str, school: School, today: date) -> TransferDue | None:
    """The transfer of a pupil now in `year_group` at `school` at the end of this academic year, if any."""
    kind = transfer_kind(year_group=year_group, school=school)
    if kind is None:
        return None
    transfer_year = academic_year_of(today) + 1
    return TransferDue(transfer_year, kind, rules.transfer_date_due(kind, date(transfer_year, 9, 1)))


def leaving_year_groups(school: School) -> list[str]:
    """The year groups whose pupils leave `school` at the end of the year: its last, and any recorded above
    it (a pupil kept on the roll past the school's range still has to move). Empty when the range is unknown."""
    found = school.year_range()
    if found is None:
        return []
    return [code for code, _label in YEAR_GROUPS[YEAR_INDEX[found[1]] :]]


@transaction.atomic
def open_phase_transfer(*, plan: EhcPlan, actor: User | None, today: date | None = None) -> PhaseTransfer | None:
    """The plan's phase transfer for this year, opened if needed (see `_open_phase_transfer`)."""
    return _open_phase_transfer(plan=plan, actor=actor, today=today)[0]


def _open_phase_transfer(
    *, plan: EhcPlan, actor: User | None, today: date | None = None
) -> tuple[PhaseTransfer | None, bool]:
    """Open R9 for a pupil with a plan whose next year group leaves their school (`transfer_kind`): the LA
    must amend the plan naming the next school or institution by the `rules.TRANSFER_DATES` date.

    Nothing happens for a pupil staying in their school's range, for a ceased plan, or for a plan first
    issued after that date (it already names the placement). Idempotent: one transfer per plan and year.
    """
    today = today or timezone.localdate()
    pupil = plan.pupil
    due = transfer_due(year_group=pupil.year_group, school=pupil.school, today=today)
    if due is None or plan.ceased_on is not None or plan.first_issued_on > due.due:
        return None, False
    transfer, created = PhaseTransfer.objects.get_or_create(
        plan=plan,
        transfer_year=due.transfer_year,
        defaults={
            "trust_id": plan.trust_id,
            "school_id": plan.school_id,
            "pupil": pupil,
            "from_year": pupil.year_group,
            "post16": due.post16,
        },
    )
    if created:
        open_deadline(
            rule_id="R9",
            trigger_date=due.transfer_on,
            school=plan.school,
            pupil=pupil,
            subject_type=SubjectType.PHASE_TRANSFER,
            subject_id=transfer.pk,
            actor=actor,
            post16=due.post16,
        )
        audit.record(actor=actor, action=audit.Action.CREATE, obj=transfer, pupil_id=pupil.pk)
    return transfer, created


def ensure_phase_transfers(*, today: date) -> int:
    """Open R9 for every active plan of a pupil in their school's leaving year (run by the sweep, per trust).

    One query for the schools and one for the plans, whatever the number of schools: the leaving year of
    each school is a condition of the plans' query.
    """
    transfer_year = academic_year_of(today) + 1
    leaving = Q()
    for school in School.objects.all():
        years = leaving_year_groups(school)
        if years:
            leaving |= Q(pupil__school_id=school.pk, pupil__year_group__in=years)
    if not leaving:
        return 0
    plans = (
        EhcPlan.objects.filter(leaving, ceased_on=None, pupil__leaving_date=None)
        .exclude(phase_transfers__transfer_year=transfer_year)
        .select_related("pupil__school", "school")
    )
    chosen = list(plans)
    try:
        with transaction.atomic():
            return _open_in_bulk(chosen, today=today)
    except IntegrityError:
        # Someone opened some of them meanwhile (a second sweep, a SENCO's page): one at a time, each idempotent.
        # Only transfers opened now count: one that already existed is not news.
        return sum(1 for plan in chosen if _open_phase_transfer(plan=plan, actor=None, today=today)[1])


def _open_in_bulk(plans: list[EhcPlan], *, today: date) -> int:
    """`_open_phase_transfer` for many plans at once, as the catch-up sweep needs it (thousands across a trust):
    the same rows (each transfer, its R9 deadline with the trust's own target, an audit entry for each) in one
    INSERT per table rather than eleven queries a plan. Refused as a whole (IntegrityError) if any transfer
    exists already, so the caller can go one by one."""
    rule = rules.get_rule("R9")
    due_of = {}
    for plan in plans:
        due = transfer_due(year_group=plan.pupil.year_group, school=plan.pupil.school, today=today)
        if due is not None and plan.ceased_on is None and plan.first_issued_on <= due.due:
            if due.transfer_on >= rule.effective_from:
                due_of[plan.pk] = due
    chosen = [plan for plan in plans if plan.pk in due_of]
    if not chosen:
        return 0
    transfers = PhaseTransfer.objects.bulk_create(
        [
            PhaseTransfer(
                trust_id=plan.trust_id,
                school_id=plan.school_id,
                pupil=plan.pupil,
                plan=plan,
                from_year=plan.pupil.year_group,
                transfer_year=due_of[plan.pk].transfer_year,
                post16=due_of[plan.pk].post16,
            )
            for plan in chosen
        ],
        batch_size=1000,
    )
    settings = {trust_id: _setting(trust_id, "R9") for trust_id in {plan.trust_id for plan in chosen}}
    deadlines = []
    for plan, transfer in zip(chosen, transfers, strict=True):
        due = due_of[plan.pk]
        statutory = statutory_due_date(
            rule_id="R9", trigger_date=due.transfer_on, post16=due.post16, school=plan.school
        )
        internal = internal_due_date(
            setting=settings[plan.trust_id], rule_id="R9", trigger_date=due.transfer_on, meeting_date=None
        )
        if internal is not None and internal >= statutory:
            internal = None  # as open_deadline: a target that is not stricter is no target
        deadlines.append(
            Deadline(
                trust_id=plan.trust_id,
                school_id=plan.school_id,
                pupil=plan.pupil,
                rule_id="R9",
                subject_type=SubjectType.PHASE_TRANSFER,
                subject_id=transfer.pk,
                trigger_date=due.transfer_on,
                post16=due.post16,
                statutory_due=statutory,
                internal_due=internal,
                due=rules.stricter(statutory, internal),
                responsible=rule.who,
            )
        )
    Deadline.objects.bulk_create(deadlines, batch_size=1000)
    entries: list[tuple[Any, int | None, str]] = [(t, t.pupil_id, "") for t in transfers]
    entries += [(d, d.pupil_id, f"Deadline R9 opened: {rule.action} by {d.due:%-d %B %Y}") for d in deadlines]
    audit.record_many(actor=None, action=audit.Action.CREATE, entries=entries)
    return len(transfers)
