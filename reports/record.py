"""reports' part of the pupil record (pupils.record): the EHC needs-assessment evidence pack."""

from __future__ import annotations

from django.urls import reverse

from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from trusts.models import User


def record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    if not manage:
        return None
    url = reverse("reports:evidence_pack", args=[pupil.pk])
    return RecordPart(links=[RecordLink("Download the evidence pack for an EHC needs assessment (PDF)", url)])
