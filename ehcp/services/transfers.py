"""Phase transfers (R9): the plan of a pupil moving school phase must be amended in time (Regs 18(1))."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from trusts import audit
from trusts.calendar_defaults import academic_year_of
from trusts.models import User

from .. import rules
from ..deadlines import open_deadline
from ..models import EhcPlan, PhaseTransfer, SubjectType

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
