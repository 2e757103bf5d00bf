"""Documents on a pupil's record: what may be uploaded, who may see them, and every download audited.

A file is accepted for what its bytes are, never for its name or the browser's content type: a renamed
program is refused, and a PNG called "report.pdf" is kept as the PNG it is (and downloads as .png).
Files are stored under random names (`models.document_path`) and only ever served by a checked view.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from trusts import audit
from trusts.models import Membership, Role, User
from trusts.permissions import can, schools_where
from trusts.services import notify

from .grants import active_grant_for
from .models import AccessGrant, Document, Pupil
from .queries import can_view_pupil, granted_pupil_ids

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # 10 MB; settings.DOCUMENT_MAX_BYTES overrides it


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first is the one a download gets when the name says otherwise


PDF = FileKind("PDF", "application/pdf", (".pdf",))
DOCX = FileKind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
DOC = FileKind("Word 97-2003 document", "application/msword", (".doc",))
PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
ACCEPTED_KINDS = (PDF, DOCX, DOC, PNG, JPEG)
ACCEPT_ATTRIBUTE = ",".join(ext for kind in ACCEPTED_KINDS for ext in kind.extensions)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An OLE2 container is also what .xls, .ppt and .msi installers are; a Word file has this stream.
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def max_document_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _read_all(f: IO[bytes]) -> bytes:
    f.seek(0)
    data = f.read()
    f.seek(0)
    return data


def sniff_kind(f: IO[bytes]) -> FileKind | None:
    """What the file is, judged by its contents; None for anything we do not keep."""
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_OLE2_MAGIC):
        return DOC if _WORD_STREAM in _read_all(f) else None
    if head.startswith(b"PK\x03\x04"):
        try:
            # Only the zip's directory is read, never its contents: no risk from a "zip bomb".
            with zipfile.ZipFile(f) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            f.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return DOCX
    return None


_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def clean_file_name(name: str, kind: FileKind) -> str:
    """The name a person gave the file, made safe to show and to offer back on download:
    no folders or control characters, at most 200 characters, and an extension that matches the contents."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip(" .") or "document"
    stem, ext = os.path.splitext(name)
    if ext.lower() not in kind.extensions:
        stem, ext = name, kind.extensions[0]
    return stem[: 200 - len(ext)] + ext


def download_name(document: Document) -> str:
    """The original name, with the extension of what the file really is (see `clean_file_name`)."""
    kind = next((k for k in ACCEPTED_KINDS if k.content_type == document.content_type), PDF)
    return clean_file_name(document.original_name, kind)


def check_upload(uploaded_file: Any) -> tuple[FileKind, int]:
    """Refuse (ValidationError) an empty, oversize or unaccepted file; otherwise say what it is and its size."""
    size = getattr(uploaded_file, "size", None)
    if size is None:
        size = len(_read_all(uploaded_file))
    limit = max_document_bytes()
    if size == 0:
        raise ValidationError("The file is empty. Choose the file again.", code="empty")
    if size > limit:
        raise ValidationError(
            f"The file is {human_size(size)}. A document can be at most {human_size(limit)}: "
            "make it smaller (for example scan at a lower resolution, or save it as a PDF) and try again.",
            code="too_big",
        )
    kind = sniff_kind(uploaded_file)
    if kind is None:
        raise ValidationError(
            "This file is not a PDF, a Word document (.docx or .doc) or a PNG or JPEG image, so it "
            "cannot be added. We check what is inside the file, not its name. Save it as a PDF and try again.",
            code="file_type",
        )
    return kind, size


def may_upload(user: Any, pupil: Pupil) -> bool:
    """Casework roles of the pupil's school, and an external professional with an active grant."""
    if can(user, "documents.manage", pupil):
        return True
    grant = active_grant_for(user, pupil)
    return grant is not None and grant.kind == AccessGrant.Kind.EXTERNAL


@transaction.atomic
def upload_document(
    *,
    pupil: Pupil,
    uploaded_file: Any,
    category: str,
    visibility: str,
    title: str,
    actor: User,
    concern_id: int | None = None,
) -> Document:
    """Check and keep one file on the pupil's record; audited ("create").

    Casework roles of the pupil's school choose the category and visibility. An external professional's
    upload is always professional advice, for staff only, and the school's SENCOs are notified of it.
    A teacher or TA may add evidence only to a concern they raise about a pupil they can see (`concern_id`
    set): it is kept as cause-for-concern evidence, for staff only (they will not see it afterwards).
    Raises PermissionDenied if `actor` may not upload here, ValidationError (nothing stored) for a bad
    file, category or visibility.
    """
    from_external = False
    if can(actor, "documents.manage", pupil):
        pass
    elif concern_id is not None and can(actor, "concern.raise", pupil) and can_view_pupil(actor, pupil):
        category, visibility = Document.Category.CONCERN, Document.Visibility.STAFF
    else:
        grant = active_grant_for(actor, pupil)
        if grant is None or grant.kind != AccessGrant.Kind.EXTERNAL:
            raise PermissionDenied("You cannot add documents to this pupil's record.")
        from_external = True
        category, visibility = Document.Category.ADVICE, Document.Visibility.STAFF
    if category not in Document.Category.values:
        raise ValidationError("Choose what kind of document this is.", code="category")
    if visibility not in Document.Visibility.values:
        raise ValidationError("Choose who may see this document.", code="visibility")
    kind, size = check_upload(uploaded_file)
    original_name = clean_file_name(getattr(uploaded_file, "name", "") or "document", kind)
    title = " ".join((title or "").split())[:200] or os.path.splitext(original_name)[0]
    document = Document(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        original_name=original_name,
        content_type=kind.content_type,
        size=size,
        category=category,
        visibility=visibility,
        title=title,
        uploaded_by=actor,
        concern_id=concern_id,
    )
    uploaded_file.seek(0)
    document.file.save(original_name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            document.save()
            audit.record(
                actor=actor,
                action=audit.Action.CREATE,
                obj=document,
                pupil_id=pupil.pk,
                summary=f"Document added: {title} ({kind.label})",
            )
    except Exception:
        document.file.delete(save=False)
        raise
    if from_external:
        _tell_sencos_about_advice(document=document, actor=actor)
    return document


def _record_link(pupil: Pupil) -> str:
    try:
        return reverse("register:pupil_record", kwargs={"pk": pupil.pk})
    except NoReverseMatch:
        return ""


def _tell_sencos_about_advice(*, document: Document, actor: User) -> None:
    sencos = User.objects.filter(
        pk__in=Membership.objects.filter(school_id=document.school_id, role=Role.SENCO).values("user_id")
    )
    for senco in sencos:
        notify(
            recipient=senco,
            kind="document.advice",
            text=f"{actor.full_name or actor.email} added advice for {document.pupil}: {document.title}",
            link=_record_link(document.pupil),
        )


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


def documents_visible_to(user: Any) -> QuerySet[Document]:
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


class RecordDocuments(list[Document]):
    """The documents section of a pupil's record: the documents, and what the viewer may do."""

    def __init__(self, documents: list[Document], *, shown: bool, can_upload: bool, as_advice: bool = False) -> None:
        super().__init__(documents)
        self.shown = shown
        self.can_upload = can_upload
        self.as_advice = as_advice  # an external professional adds their advice


def documents_for_record(user: Any, pupil: Pupil) -> RecordDocuments:
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
    documents = list(Document.objects.filter(pupil=pupil).select_related("uploaded_by").order_by("-created_at", "-pk"))
    return RecordDocuments(documents, shown=True, can_upload=can_upload, as_advice=as_advice)
