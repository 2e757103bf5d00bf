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
    links = [RecordLink("Download the evidence pack for an EHC needs assessment (PDF)", url)]
    if pupil.leaving_date or pupil.possible_leaver_since:
        # For the next school, beside the CTF (register:ctf_send).
        for kind, label in (("pdf", "PDF"), ("zip", "zip with the documents")):
            url = reverse("reports:sen_file_pack", args=[pupil.pk, kind])
            links.append(RecordLink(f"Download the SEN file pack for the next school ({label})", url))
    return RecordPart(links=links)
