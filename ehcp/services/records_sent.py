"""C1 met when the common transfer file is sent (register's CTF_SENT_HOOKS)."""

from __future__ import annotations

from datetime import date

from pupils.models import Pupil
from trusts.models import User

from ..deadlines import meet_deadline
from ..models import Deadline, SubjectType
from .leavers import open_records_transfer


def meet_records_transfer(*, pupil: Pupil, sent_on: date, actor: User | None) -> Deadline | None:
    """register's CTF_SENT_HOOKS entry: sending a leaver's CTF meets C1 (Education (Pupil Information)
    (England) Regulations 2005, reg 9: the CTF and SEN records to the new school within 15 school days).

    A pupil marked as leaving whose leaving date is not recorded yet has no C1: it is opened from the day
    the file is sent and met at once, and a later leaving date recomputes it without reopening it (the
    engine keeps a met deadline met). Nothing for a pupil not on the register (open_records_transfer)."""
    deadline = Deadline.objects.filter(rule_id="C1", subject_type=SubjectType.PUPIL, subject_id=pupil.pk).first()
    if deadline is None or deadline.trigger_date > sent_on:
        # Sent before the recorded leaving date (or before any): C1 counts from the sending.
        deadline = open_records_transfer(pupil=pupil, left_on=sent_on, actor=actor)
    if deadline is None or deadline.status in (Deadline.Status.MET, Deadline.Status.WAIVED):
        return deadline
    return meet_deadline(deadline=deadline, met_on=sent_on, actor=actor)
