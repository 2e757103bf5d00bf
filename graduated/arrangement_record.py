"""graduated's access arrangements on the pupil record (pupils.record): what to apply, and the way to them."""

from __future__ import annotations

from django.urls import reverse

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from trusts.models import User

from .queries.arrangements import arrangement_pupils, arrangements_of, may_manage_arrangements


def arrangements_record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    """The arrangements block for anyone who may read them (casework roles, the pupil's own teachers and
    TAs); nothing for anyone else (a governor, an external professional)."""
    managing = may_manage_arrangements(user, pupil)
    if not managing and not arrangement_pupils(user).filter(pk=pupil.pk).exists():
        return None
    arrangements = arrangements_of(pupil, include_ended=False)
    url = reverse("graduated:pupil_arrangements", args=[pupil.pk])
    return RecordPart(
        template="graduated/_arrangements_record.html",
        context={"arrangements": arrangements, "arrangements_url": url, "manage_arrangements": managing},
        links=[RecordLink("Exam access arrangements and reasonable adjustments", url)],
    )
