"""Leavers (C1): a pupil on the SEN register who leaves opens the transfer of their records."""

from __future__ import annotations

from datetime import date

from pupils.models import Pupil
from register.models import SenStatus
from register.services import current_entry
from trusts.models import User

from ..deadlines import open_deadline
from ..models import Deadline, SubjectType


def open_records_transfer(*, pupil: Pupil, left_on: date, actor: User | None) -> Deadline | None:
    """pupils' PUPIL_LEFT_HOOKS entry: a pupil on the SEN register (K or E) who leaves opens C1, the common
    transfer file and SEN records to the new school within 15 school days (Education (Pupil Information)
    Regulations 2005, reg 9). Met on the deadline's page when sent. A corrected leaving date recomputes it.
    Nothing for a pupil not on the register (the MIS sends their file)."""
    entry = current_entry(pupil)
    if entry.pk is None or entry.status not in (SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN):
        return None
    return open_deadline(
        rule_id="C1",
        trigger_date=left_on,
        school=pupil.school,
        pupil=pupil,
        subject_type=SubjectType.PUPIL,
        subject_id=pupil.pk,
        actor=actor,
    )
