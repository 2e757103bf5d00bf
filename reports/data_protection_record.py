"""The data protection links on the pupil record (pupils.record), and where a subject access deadline is
acted on (ehcp.deadlines.SUBJECT_LINKS)."""

from __future__ import annotations

from django.urls import reverse

from ehcp.models import Deadline
from pupils.documents import documents_of
from pupils.models import Pupil
from pupils.record import RecordLink, RecordPart
from trusts.models import User
from trusts.permissions import DATA_PROTECTION, can

from .subject_access import handles_requests_at


def record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    links = []
    if handles_requests_at(user, pupil.school):
        links.append(RecordLink("Record a subject access request", reverse("reports:sar_new", args=[pupil.pk])))
    if can(user, DATA_PROTECTION, pupil):
        links.append(
            RecordLink("Place a legal hold on this record", reverse("reports:legal_hold_new", args=[pupil.pk]))
        )
    if manage and can(user, "documents.manage", pupil):
        for doc in documents_of(pupil):
            url = reverse("reports:document_delete", args=[pupil.pk, doc.pk])
            links.append(RecordLink(f"Delete “{doc.title}” (uploaded by mistake)", url))
    return RecordPart(links=links) if links else None


def subject_access_link(deadline: Deadline) -> str:
    return reverse("reports:sar_detail", kwargs={"pk": deadline.subject_id})
