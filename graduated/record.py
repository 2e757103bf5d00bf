"""graduated's parts of the pupil record (pupils.record): the way to the child's SEN support, and their access
arrangements."""

from __future__ import annotations

from django.urls import reverse

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from trusts.models import User

from .queries.arrangements import arrangement_pupils, arrangements_of, may_manage_arrangements


def record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart:
    url = reverse("graduated:pupil", args=[pupil.pk])
    links = [RecordLink("SEN support: plans, provision and progress", url)]
    if manage:
        # The parents list on the record says who asked for large print (pupils.Contact.large_print).
        pdf = reverse("graduated:plan_pdf", args=[pupil.pk])
        links += [
            RecordLink("Support plan for parents (PDF)", pdf),
            RecordLink("Support plan for parents in large print (PDF)", f"{pdf}?print=large"),
        ]
    return RecordPart(links=links)


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
