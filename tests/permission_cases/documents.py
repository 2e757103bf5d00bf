"""Permission cases for documents and access grants, and the builders their tests share."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from pupils.models import AccessGrant, Document, Pupil
from tests.factories import pupil_at
from trusts.models import User

from .base import CASEWORK_ROLES, EVERYONE, Case

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CASEWORK_HERE = {"lead@oak.test"}  # the only Oak role that reaches Beech's pupils

_people = itertools.count(1)


def _staff_of(school: Any) -> User:
    """Someone with casework rights at `school` (to upload and to grant)."""
    from trusts.models import Membership, Role

    with scopes_disabled():
        membership = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
        if membership is None:
            membership = (
                Membership.objects.filter(trust_id=school.trust_id, role=Role.INCLUSION_LEAD)
                .select_related("user")
                .first()
            )
    assert membership is not None
    return membership.user


def make_document(
    pupil: Pupil,
    *,
    content: bytes = PDF_BYTES,
    content_type: str = "application/pdf",
    original_name: str = "report.pdf",
    visibility: str = Document.Visibility.STAFF,
    title: str = "EP report",
    uploaded_by: User | None = None,
) -> Document:
    """A stored document, made directly (the upload service is tested on its own)."""
    with scopes_disabled():
        document = Document(
            trust_id=pupil.trust_id,
            school_id=pupil.school_id,
            pupil=pupil,
            original_name=original_name,
            content_type=content_type,
            size=len(content),
            category=Document.Category.EP_REPORT,
            visibility=visibility,
            title=title,
            uploaded_by=uploaded_by or _staff_of(pupil.school),
        )
        document.file.save(original_name, ContentFile(content), save=False)
        document.save()
    return document


def make_external_user(trust: Any, *, email: str | None = None, password: str | None = "send-demo-2026") -> User:
    n = next(_people)
    return User.objects.create_user(
        email or f"professional{n}@example.org", password, full_name=f"Dr Jo Visitor{n}", trust=trust
    )


def make_grant(
    pupil: Pupil,
    user: User,
    *,
    ends_on: date | None = None,
    kind: str = AccessGrant.Kind.EXTERNAL,
    granted_by: User | None = None,
) -> AccessGrant:
    """A grant in force (row and guardian permission), made directly."""
    with scopes_disabled():
        grant = AccessGrant.objects.create(
            trust_id=pupil.trust_id,
            school_id=pupil.school_id,
            pupil=pupil,
            user=user,
            kind=kind,
            profession="Educational psychologist" if kind == AccessGrant.Kind.EXTERNAL else "",
            reason="Assessment for the EHC needs assessment request",
            ends_on=ends_on or timezone.localdate() + timedelta(days=30),
            granted_by=granted_by or _staff_of(pupil.school),
        )
        assign_perm("pupils.view_pupil_record", user, pupil)
    return grant


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": pupil_at(demo, school).pk}


def _document(demo: Any, school: Any) -> dict[str, Any]:
    # Shared with parents, so the parent's 404 shows the portal is the only way parents will get documents.
    document = make_document(pupil_at(demo, school), visibility=Document.Visibility.PARENTS)
    return {"pupil_id": document.pupil_id, "pk": document.pk}


def _grant(demo: Any, school: Any) -> dict[str, Any]:
    pupil = pupil_at(demo, school)
    grant = make_grant(pupil, make_external_user(school.trust))
    return {"pupil_id": pupil.pk, "pk": grant.pk}


_CASEWORK = {"kwargs": _pupil, "own": CASEWORK_ROLES, "other_school": CASEWORK_HERE}

CASES: list[Case] = [
    # Documents: casework roles of the pupil's school (the lead everywhere); never teachers, TAs,
    # governors, trustees or parents (grantees are covered in tests/pupils/test_grants.py).
    Case("pupils:document_upload", **_CASEWORK),
    Case("pupils:document_download", kwargs=_document, own=CASEWORK_ROLES, other_school=CASEWORK_HERE),
    # Access grants: whoever may grant access to the pupil ("access.grant").
    Case("pupils:access_grants", **_CASEWORK),
    Case("pupils:grant_cover", **_CASEWORK),
    Case("pupils:grant_external", **_CASEWORK),
    Case(
        "pupils:revoke_access",
        kwargs=_grant,
        own=CASEWORK_ROLES,
        other_school=CASEWORK_HERE,
        method="post",
        ok=(302,),
    ),
    # Everyone signed in has the page; it lists only grants made to them.
    Case("pupils:shared_with_me", own=EVERYONE),
]

COVERED_ELSEWHERE = {
    **globals().get("COVERED_ELSEWHERE", {}),
    "pupils:contact_new": "tests/pupils/test_parent_invitations.py",
    "pupils:contact_invite": "tests/pupils/test_parent_invitations.py",
}


def _contact(demo: Any, school: Any) -> dict[str, Any]:
    from pupils.models import Contact

    pupil = pupil_at(demo, school)
    with scopes_disabled():
        contact = Contact.objects.create(trust_id=pupil.trust_id, pupil=pupil, name="Jo Ellis", relationship="mother")
    return {"pupil_id": pupil.pk, "contact_id": contact.pk}


# Large print for one parent or carer: the casework roles of the pupil's school (the parents themselves choose
# in the portal, reports:portal_large_print). No choice posted: the clear message and a redirect (302).
CASES += [
    Case(
        "pupils:contact_large_print",
        kwargs=_contact,
        own=CASEWORK_ROLES,
        other_school=CASEWORK_HERE,
        method="post",
        ok=(302,),
    )
]
