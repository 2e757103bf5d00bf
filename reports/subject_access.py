"""Subject access requests: recording one, its one-month deadline, the export, third-party review, sending.

A parent (for their child) or a former pupil asks for a copy of what is held (UK GDPR art. 15). The SENCO of
the child's school or the trust's data protection lead records the request; the deadline engine tracks the
reply (rule S1 in `ehcp.rules`: the same day next month; S2 when extended by two months for a complex
request, art. 12(3)), so it is in the deadlines list and the sweep's reminders. The export is a zip of every
app's records as JSON (`pupils.retention.SUBJECT_ACCESS_EXPORTERS`), readable PDFs (the record, and the
evidence pack's renderer), the documents, and the access log. Third-party information is ticked off on the
request's checklist before the reply can be recorded as sent.

In `reports` because the export reads every app; the request's deadline goes through `ehcp.deadlines`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ehcp import deadlines
from ehcp.models import Deadline
from graduated.queries import evidence_for_pupil
from pupils.models import Document, Pupil
from pupils.retention import SUBJECT_ACCESS_EXPORTERS
from register.models import CauseForConcern
from register.queries import register_history
from trusts import audit
from trusts.models import AuditEntry, Role, School, User
from trusts.pdf import render_pdf
from trusts.permissions import DATA_PROTECTION, can, schools_where

from .models import SubjectAccessRequest

SUBJECT_TYPE = "subject_access"
# Documents that usually come from, or are about, other people: checked before release (ICO: third-party data).
THIRD_PARTY_CATEGORIES = frozenset(
    {
        Document.Category.EP_REPORT,
        Document.Category.MEDICAL,
        Document.Category.ADVICE,
        Document.Category.LA_CORRESPONDENCE,
    }
)
NOTES_KEY = "notes"


# Who records and answers subject access requests besides the data protection lead (a school's SENCO).
SUBJECT_ACCESS = "subject_access.handle"


def handles_requests_at(user: User, school: School) -> bool:
    """The data protection lead (any school of the trust) or a SENCO of this school."""
    return can(user, DATA_PROTECTION, school) or can(user, SUBJECT_ACCESS, school)


def requests_visible_to(user: User) -> QuerySet[SubjectAccessRequest]:
    base = SubjectAccessRequest.objects.select_related("pupil", "school")
    if can(user, DATA_PROTECTION):
        return base
    return base.filter(school__in=schools_where(user, SUBJECT_ACCESS))


def open_deadline_of(request: SubjectAccessRequest) -> Deadline | None:
    return (
        Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=request.pk)
        .exclude(status=Deadline.Status.WAIVED)
        .order_by("-due")
        .first()
    )


# Recording ----------------------------------------------------------------------------------------------------


@transaction.atomic
def record_request(
    *, pupil: Pupil, requester_kind: str, requester_name: str, received_on: date, actor: User
) -> SubjectAccessRequest:
    """Record a request and open its deadline (S1, one calendar month). Side effects: the request; the
    deadline (with the sweep's reminders); an audit entry. Every problem is reported at once."""
    problems = []
    if not handles_requests_at(actor, pupil.school):
        problems.append("Only the pupil's SENCO or the trust's data protection lead can record this request.")
    if requester_kind not in SubjectAccessRequest.Requester.values:
        problems.append("Say who asked: a parent for their child, or the pupil or former pupil.")
    if not requester_name.strip():
        problems.append("Give the name of the person who asked.")
    if received_on > timezone.localdate():
        problems.append("The date the request was received cannot be in the future.")
    if problems:
        raise ValidationError(problems)
    sar = SubjectAccessRequest.objects.create(
        trust_id=pupil.trust_id,
        school=pupil.school,
        pupil=pupil,
        requester_kind=requester_kind,
        requester_name=requester_name.strip()[:150],
        received_on=received_on,
        recorded_by=actor,
    )
    deadlines.open_deadline(
        rule_id="S1",
        trigger_date=received_on,
        school=pupil.school,
        pupil=pupil,
        subject_type=SUBJECT_TYPE,
        subject_id=sar.pk,
        actor=actor,
    )
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=sar, pupil_id=pupil.pk, summary="Subject access request recorded"
    )
    return sar


@transaction.atomic
def extend_request(*, request: SubjectAccessRequest, reason: str, actor: User, today: date | None = None) -> Deadline:
    """Extend by two months for a complex request (art. 12(3)): allowed within the first month, with the
    reason (the person must be told why). Side effects: S1 waived with the reason, S2 opened; an audit entry."""
    today = today or timezone.localdate()
    reason = reason.strip()
    current = open_deadline_of(request)
    if request.sent_on is not None:
        raise ValidationError("This request has been answered: it cannot be extended.")
    if request.extended_on is not None or current is None or current.rule_id != "S1":
        raise ValidationError("This request has already been extended once (the law allows two more months).")
    if not reason:
        raise ValidationError("Say why the request is complex (and tell the person within the first month).")
    if today > current.due:
        raise ValidationError(
            f"An extension must be made within the first month (by {current.due:%-d %B %Y}): it is too late now."
        )
    deadlines.waive_deadline(deadline=current, reason=f"Extended under UK GDPR art. 12(3): {reason}", actor=actor)
    extended = deadlines.open_deadline(
        rule_id="S2",
        trigger_date=request.received_on,
        school=request.school,
        pupil=request.pupil,
        subject_type=SUBJECT_TYPE,
        subject_id=request.pk,
        actor=actor,
    )
    request.extended_on, request.extension_reason = today, reason[:300]
    request.save(update_fields=["extended_on", "extension_reason", "updated_at"])
    return extended


# Third-party information -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    detail: str


def third_party_items(request: SubjectAccessRequest) -> list[ChecklistItem]:
    """What to review before release: documents from external professionals (or uploaded by someone outside
    the school's staff), and the free-text notes, which may name other people."""
    items = []
    for doc in request.pupil.documents.select_related("uploaded_by").order_by("created_at"):
        external = not doc.uploaded_by.memberships.filter(trust_id=request.trust_id).exclude(role=Role.PARENT).exists()
        if doc.category in THIRD_PARTY_CATEGORIES or external:
            who = "uploaded by someone outside the school's staff" if external else doc.get_category_display().lower()
            items.append(
                ChecklistItem(
                    f"document:{doc.pk}",
                    f"Document “{doc.title}”",
                    f"From another professional ({who}): ask them, or remove what is about other people.",
                )
            )
    items.append(
        ChecklistItem(
            NOTES_KEY,
            "Notes about other people",
            "Concerns, support cycle notes, review records and contacts can name other children, parents or "
            "staff: remove or redact them unless the person agreed or it is reasonable to release.",
        )
    )
    return items


@transaction.atomic
def record_review(*, request: SubjectAccessRequest, keys: list[str], actor: User) -> SubjectAccessRequest:
    """Tick off the checklist items reviewed (unknown keys are ignored). Side effects: the list; an audit entry."""
    valid = {item.key for item in third_party_items(request)}
    request.reviewed = sorted(set(keys) & valid)
    request.save(update_fields=["reviewed", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=request,
        pupil_id=request.pupil_id,
        summary=f"Third-party review: {len(request.reviewed)} of {len(valid)} items checked",
    )
    return request


@transaction.atomic
def mark_sent(*, request: SubjectAccessRequest, sent_on: date, actor: User) -> SubjectAccessRequest:
    """Record the reply as sent on `sent_on`; its deadline is met (on time or late). Refused while any
    third-party item is unreviewed, for a date in the future or before the request, or twice."""
    problems = []
    if request.sent_on is not None:
        problems.append(f"This request was already answered on {request.sent_on:%-d %B %Y}.")
    unreviewed = [i.label for i in third_party_items(request) if i.key not in request.reviewed]
    if unreviewed:
        problems.append("Review the third-party information first: " + "; ".join(unreviewed) + ".")
    if sent_on > timezone.localdate():
        problems.append("The date it was sent cannot be in the future.")
    if sent_on < request.received_on:
        problems.append("The date it was sent cannot be before the request was received.")
    if problems:
        raise ValidationError(problems)
    request.sent_on = sent_on
    request.save(update_fields=["sent_on", "updated_at"])
    deadline = open_deadline_of(request)
    if deadline is not None and deadline.status != Deadline.Status.MET:
        deadlines.meet_deadline(deadline=deadline, met_on=sent_on, actor=actor)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=request,
        pupil_id=request.pupil_id,
        summary=f"Subject access reply sent on {sent_on:%-d %B %Y}",
    )
    return request


# The export ---------------------------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(" .")[:100] or "document"


def access_log(pupil: Pupil) -> list[dict[str, Any]]:
    """Who opened or changed the child's record, when (the audit trail's entries about them)."""
    return [
        {
            "at": e.at.isoformat(),
            "who": e.actor_name,
            "action": e.get_action_display(),
            "what": e.object_type,
            "summary": e.summary,
        }
        for e in AuditEntry.objects.filter(pupil_id=pupil.pk).order_by("at", "id")
    ]


def export_records(pupil: Pupil) -> dict[str, list[dict[str, Any]]]:
    records: dict[str, list[dict[str, Any]]] = {}
    for exporter in SUBJECT_ACCESS_EXPORTERS:
        for kind, rows in exporter(pupil).items():
            records.setdefault(kind, []).extend(rows)
    return records


def build_export(*, request: SubjectAccessRequest, actor: User) -> bytes:
    """The zip sent in reply: records.json, record.pdf (every record, readable), evidence-pack.pdf, the
    documents and access-log.json. Side effects: an audit entry (export). Built on demand, never stored, so
    no extra copy of the child's data is kept."""
    pupil = request.pupil
    records = export_records(pupil)
    log = access_log(pupil)
    generated = timezone.now()
    record_pdf = render_pdf(
        template="reports/subject_access_pdf.html",
        context={"pupil": pupil, "records": records, "log": log, "generated": generated, "request": request},
        title=f"Subject access: the record held about {pupil.display_name}",
    )
    evidence = evidence_for_pupil(pupil)
    evidence |= {
        "entry": getattr(pupil, "register_entry", None),
        "history": list(register_history(pupil)),
        "concerns": list(CauseForConcern.objects.filter(pupil=pupil).order_by("created_at")),
        "generated": generated,
        "prepared_by": actor,
    }
    evidence_pdf = render_pdf(
        template="reports/evidence_pack.html",
        context=evidence,
        title=f"SEN support and evidence – {pupil.display_name}",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.json", json.dumps(records, indent=2, sort_keys=True, default=str))
        archive.writestr("access-log.json", json.dumps(log, indent=2))
        archive.writestr("record.pdf", record_pdf)
        archive.writestr("evidence-pack.pdf", evidence_pdf)
        for doc in pupil.documents.order_by("pk"):
            try:
                with doc.file.open("rb") as handle:
                    archive.writestr(f"documents/{doc.pk} {_safe_name(doc.original_name)}", handle.read())
            except FileNotFoundError:
                archive.writestr(
                    f"documents/{doc.pk} MISSING.txt", f"The file of “{doc.title}” is missing from storage."
                )
    audit.record(
        actor=actor,
        action=audit.Action.EXPORT,
        obj=request,
        pupil_id=pupil.pk,
        summary="Subject access export built",
    )
    return buffer.getvalue()
