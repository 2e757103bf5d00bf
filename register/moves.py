"""pupils' PUPIL_MOVED_HOOKS entry: the SEN register entry, its history and causes for concern follow a
pupil who moves school within the trust (the new school's SENCO sees and carries on the record)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from pupils.models import Pupil
from trusts.models import School, User

from .models import CauseForConcern, RegisterChange, RegisterEntry


def move_register(
    *, pupil: Pupil, from_school: School, to_school: School, moved_on: date, actor: User | None
) -> list[str]:
    """Moves every register row of the pupil to `to_school`; the history rows keep their dates and who made
    them (the audit log keeps which school did). Returns what moved, in words."""
    lines: list[str] = []
    now = timezone.now()
    entry = RegisterEntry.objects.filter(pupil=pupil).first()
    if entry is not None:
        RegisterEntry.objects.filter(pk=entry.pk).update(school=to_school, updated_at=now)
        lines.append(f"SEN register: {entry.get_status_display()} since {entry.since:%d/%m/%Y}.")
    history = RegisterChange.objects.filter(pupil=pupil).update(school=to_school)
    if history:
        lines.append(f"{history} register history {'entry' if history == 1 else 'entries'}.")
    concerns = CauseForConcern.objects.filter(pupil=pupil).update(school=to_school, updated_at=now)
    if concerns:
        lines.append(f"{concerns} {'cause' if concerns == 1 else 'causes'} for concern.")
    return lines
