"""pupils' PUPIL_MOVED_HOOKS entry: EHC needs assessments, plans, phase transfers and every deadline follow a
pupil who moves school within the trust.

Open deadlines go back through the engine (`open_deadline`) with the new school as the responsible school,
so a date counted in school days (C1) is counted on the new school's calendar, and their reminders re-arm:
the next sweep reminds the new school's SENCO at the current stage (the sweep sends to the deadline's
school, so the old school hears nothing more). Deadlines already met or waived are history and move with
the record. C1 (records to the new school) is met by the move itself: both schools are in the trust and the
records are already there.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from pupils.models import Pupil
from trusts.models import School, User

from .deadlines import meet_deadline, open_deadline
from .models import Deadline, DraftWording, EhcPlan, NeedsAssessment, PhaseTransfer, PlanVersion, SubjectType

ACTIVE = (Deadline.Status.OPEN, Deadline.Status.MISSED)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def move_ehc_casework(
    *, pupil: Pupil, from_school: School, to_school: School, moved_on: date, actor: User | None
) -> list[str]:
    """Moves the pupil's assessments, plans, phase transfers and deadlines to `to_school` (open ones
    recomputed by the engine, reminders re-armed; an open C1 met). Returns what moved, in words."""
    now = timezone.now()
    lines: list[str] = []
    assessments = NeedsAssessment.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    if assessments:
        lines.append(f"{_plural(assessments, 'EHC needs assessment', 'EHC needs assessments')}.")
    plans = EhcPlan.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    if plans:
        lines.append(f"{_plural(plans, 'EHC plan', 'EHC plans')}.")
        naming_old = PlanVersion.objects.filter(
            plan__pupil=pupil, plan__ceased_on=None, placement__iexact=from_school.name
        ).exists()
        if naming_old:
            lines.append(
                f"The EHC plan names {from_school.name} in section I: ask the local authority to amend it to "
                f"name {to_school.name}."
            )
    PhaseTransfer.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    # The checks of their assessments' and plans' drafts; a consultation's stays with the school it consulted.
    DraftWording.objects.filter(pupil=pupil, consultation__isnull=True).update(school=to_school, updated_at=now)

    active = 0
    for d in Deadline.objects.filter(pupil=pupil, status__in=ACTIVE).order_by("due", "pk"):
        if d.rule_id == "C1" and d.subject_type == SubjectType.PUPIL:
            continue
        open_deadline(
            rule_id=d.rule_id,
            trigger_date=d.trigger_date,
            meeting_date=d.meeting_date,
            post16=d.post16,
            school=to_school,
            pupil=pupil,
            subject_type=d.subject_type,
            subject_id=d.subject_id,
            actor=actor,
        )
        active += 1
    Deadline.objects.filter(pupil=pupil, status__in=ACTIVE).update(reminder_offset_sent=None)
    if active:
        lines.append(f"{_plural(active, 'open deadline', 'open deadlines')}, now tracked by {to_school.name}.")
    for c1 in Deadline.objects.filter(pupil=pupil, rule_id="C1", subject_type=SubjectType.PUPIL, status__in=ACTIVE):
        # The records are already at the new school (it is in the trust): the transfer is done by the move.
        met_on = min(timezone.localdate(), max(moved_on, c1.trigger_date))
        Deadline.objects.filter(pk=c1.pk).update(school=to_school, updated_at=now)
        meet_deadline(deadline=c1, met_on=met_on, actor=actor)
        lines.append(f"C1 (records to the new school) met on {met_on:%d/%m/%Y}: the records moved with the pupil.")
    Deadline.objects.filter(pupil=pupil).exclude(school=to_school).update(school=to_school, updated_at=now)
    return lines
