"""Who sees a pupil's documents, the documents of one record, and every download audited."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from trusts import audit
from trusts.models import User
from trusts.permissions import can, schools_where

from ..grants import active_grant_for
from ..models import AccessGrant, Document, Pupil
from ..queries import granted_pupil_ids


@transaction.atomic
def record_download(*, document: Document, actor: User, request: HttpRequest | None = None) -> None:
    """Every download of a document is written to the audit trail ("download")."""
    audit.record(
        actor=actor,
        action=audit.Action.DOWNLOAD,
        obj=document,
        pupil_id=document.pupil_id,
        summary=f"Downloaded {document.original_name}",
        request=request,
    )


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents the person may see and download: all of a pupil's documents for casework roles of the
    pupil's school and for people granted that pupil; none for teachers, TAs, governors and trustees.
    (Parents will see only documents shared with them, through `documents_shared_with_parents`.)"""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Document.objects.none()
    rule = Q(pupil_id__in=granted_pupil_ids(user))
    schools = schools_where(user, "casework.view")
    if schools:
        rule |= Q(school__in=schools)
    return Document.objects.filter(rule)


def documents_shared_with_parents(pupil: Pupil) -> QuerySet[Document]:
    """The pupil's documents a school chose to share with parents (for the parent portal)."""
    return Document.objects.filter(pupil=pupil, visibility=Document.Visibility.PARENTS).order_by("-created_at")


def documents_of(pupil: Pupil) -> list[Document]:
    """All the pupil's documents, newest first, with who uploaded them. On the record page they were read a
    moment ago for its documents section (`documents_for_record` keeps them on the Pupil object), and the
    other parts of the page (the data protection links) reuse that read."""
    cached: list[Document] | None = getattr(pupil, "_record_documents", None)
    return cached if cached is not None else _read_documents(pupil)


def _read_documents(pupil: Pupil) -> list[Document]:
    documents = list(Document.objects.filter(pupil=pupil).select_related("uploaded_by").order_by("-created_at", "-pk"))
    setattr(pupil, "_record_documents", documents)  # noqa: B010 - for documents_of, not a field
    return documents


class RecordDocuments(list[Document]):
    """The documents section of a pupil's record: the documents, and what the viewer may do."""

    def __init__(self, documents: list[Document], *, shown: bool, can_upload: bool, as_advice: bool = False) -> None:
        super().__init__(documents)
        self.shown = shown
        self.can_upload = can_upload
        self.as_advice = as_advice  # an external professional adds their advice


def documents_for_record(user: User, pupil: Pupil) -> RecordDocuments:
    """The pupil's documents for the record page, newest first (a fixed number of queries).

    `shown` is False for people who may open the record but not its documents (teachers and TAs)."""
    as_advice = False
    if can(user, "casework.view", pupil):
        can_upload = can(user, "documents.manage", pupil)
    else:
        grant = active_grant_for(user, pupil)
        if grant is None:
            return RecordDocuments([], shown=False, can_upload=False)
        can_upload = as_advice = grant.kind == AccessGrant.Kind.EXTERNAL
    return RecordDocuments(_read_documents(pupil), shown=True, can_upload=can_upload, as_advice=as_advice)
