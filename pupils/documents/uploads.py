"""Uploading a document to a pupil's record: the checks, a safe file name, and who is told."""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from trusts import audit
from trusts.models import Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

from ..grants import active_grant_for
from ..models import AccessGrant, Document, Pupil
from ..queries import can_view_pupil
from .identify import _read_all, identify
from .kinds import ACCEPTED_KINDS, PDF, FileKind, human_size, max_document_bytes

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
    """Refuse (ValidationError) an empty, oversize or unaccepted file; otherwise say what it is and its size.

    Codes: "empty", "too_big", "file_type" (every refusal by contents, see `identify`)."""
    size = getattr(uploaded_file, "size", None)
    if size is None:
        size = len(_read_all(uploaded_file))
    limit = max_document_bytes()
    if size == 0:
        raise ValidationError("The file is empty. Choose the file again.", code="empty")
    if size > limit:
        raise ValidationError(
            f"The file is {human_size(size, round_up=True)}. A document can be at most {human_size(limit)}: "
            "make it smaller (for example scan at a lower resolution, or save it as a PDF) and try again.",
            code="too_big",
        )
    return identify(uploaded_file, getattr(uploaded_file, "name", "") or ""), size


def may_upload(user: User, pupil: Pupil) -> bool:
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
        return reverse("pupils:record", kwargs={"pk": pupil.pk})
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
