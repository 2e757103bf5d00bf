"""graduated's part of the pupil record (pupils.record): the way to the child's SEN support."""

from __future__ import annotations

from django.urls import reverse

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from trusts.models import User


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
