"""pupils' PUPIL_MOVED_HOOKS entry: support cycles, their provision, delivery logs and parent meetings follow
a pupil who moves school within the trust.

Provision is per school (each school's catalogue, staff and costs). An allocation in an open cycle to the
old school's provision moves to the new school's provision of the same name when it has one that is still
running; otherwise it stays with the old school's provision and so ends at the move: it no longer counts in
either school's provision map (`counted_allocations` counts only a pupil's current school), and the new
SENCO is told which provision to plan again. Allocations of reviewed cycles are history and stay as they were.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from pupils.models import Pupil
from trusts.models import School, User

from .models import Allocation, Cycle, DeliveryLog, ParentMeeting, Provision
from .queries._common import OPEN


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def move_support(
    *, pupil: Pupil, from_school: School, to_school: School, moved_on: date, actor: User | None
) -> list[str]:
    """Moves the pupil's cycles, delivery logs and parent meetings to `to_school`, and the open cycles'
    provision as above. Returns what moved and what to plan again, in words."""
    now = timezone.now()
    lines: list[str] = []
    cycles = Cycle.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    if cycles:
        open_cycles = Cycle.objects.filter(pupil=pupil, status__in=OPEN).count()
        lines.append(f"{_plural(cycles, 'support cycle', 'support cycles')} ({open_cycles} open).")
    running = {
        p.name.casefold(): p
        for p in Provision.objects.filter(school=to_school).filter(Q(end_date=None) | Q(end_date__gte=moved_on))
    }
    matched: list[str] = []
    ended: list[str] = []
    allocations = Allocation.objects.filter(
        cycle__pupil=pupil, cycle__status__in=OPEN, provision__school=from_school
    ).select_related("provision")
    for allocation in allocations:
        same = running.get(allocation.provision.name.casefold())
        if same is None:
            ended.append(allocation.provision.name)
            continue
        allocation.provision, allocation.school = same, to_school
        allocation.save(update_fields=["provision", "school", "updated_at"])
        matched.append(same.name)
    if matched:
        lines.append(f"Provision carried on at {to_school.name} (same name in its catalogue): {', '.join(matched)}.")
    if ended:
        lines.append(
            f"Provision to plan again at {to_school.name} (ended at {from_school.name} on the move): "
            f"{', '.join(ended)}."
        )
    deliveries = DeliveryLog.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    meetings = ParentMeeting.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    if deliveries or meetings:
        lines.append(
            f"{_plural(deliveries, 'session logged', 'sessions logged')}, "
            f"{_plural(meetings, 'parent meeting', 'parent meetings')}."
        )
    return lines
