"""ehcp's part of the pupil record (pupils.record): the way to the child's EHC assessments and plans."""

from __future__ import annotations

from django.urls import reverse

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from trusts.models import User


def record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    if not manage:
        return None
    url = reverse("ehcp:pupil_ehc", args=[pupil.pk])
    return RecordPart(links=[RecordLink("EHC needs assessments and plans", url)])
