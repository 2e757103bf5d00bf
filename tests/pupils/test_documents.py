"""Documents on a pupil's record: type checked by contents, size limit, nothing stored on refusal,
permission-checked and audited downloads, who sees what, and constant queries for the record section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from pupils.documents import (
    documents_for_record,
    documents_shared_with_parents,
    documents_visible_to,
    upload_document,
)
from pupils.models import Document
from tests.factories import make_pupil, pupil_at
from tests.permission_cases.documents import (
    PDF_BYTES,
    PNG_BYTES,
    make_document,
    make_external_user,
    make_grant,
)
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

SENCO = "senco.acorn@oak.test"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def add(demo: Any, pupil: Any, file: SimpleUploadedFile, email: str = SENCO, **fields: Any) -> Document:
    values = {"category": "ep_report", "visibility": "staff", "title": "EP report"} | fields
    with scope(trust=pupil.trust_id):
        return upload_document(pupil=pupil, uploaded_file=file, actor=demo.user(email), **values)


# -------------------------------------------------------------------------------- what is accepted
# (File types, the structure of Office files, macros and zip bombs: tests/pupils/test_document_files.py.)


def test_png_named_pdf_is_kept_as_a_png_and_downloads_as_png(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = add(demo, pupil, upload("scan.pdf", PNG_BYTES, content_type="application/pdf"))
    assert document.content_type == "image/png"
    assert document.original_name == "scan.pdf.png"
    response = demo.client_for(SENCO).get(reverse("pupils:document_download", args=[pupil.pk, document.pk]))
    assert response["Content-Type"] == "image/png"
    assert 'filename="scan.pdf.png"' in response["Content-Disposition"]


def test_file_over_the_default_limit_of_10_mb_is_refused_and_nothing_is_stored(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    big = PDF_BYTES + b"\x00" * (10 * 1024 * 1024 + 1 - len(PDF_BYTES))
    with pytest.raises(ValidationError) as refused:
        add(demo, pupil, upload("huge.pdf", big))
    # Rounded up, so it never reads as "The file is 10 MB. A document can be at most 10 MB".
    assert refused.value.messages[0].startswith("The file is 10.1 MB. A document can be at most 10 MB")
    assert stored_files(settings) == []
    exactly = PDF_BYTES + b"\x00" * (10 * 1024 * 1024 - len(PDF_BYTES))
    assert add(demo, pupil, upload("limit.pdf", exactly)).size == 10 * 1024 * 1024


def test_size_limit_comes_from_settings(demo, settings) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        add(demo, pupil, upload("small.pdf", PDF_BYTES + b"\x00" * 1024))
    assert refused.value.messages[0].startswith("The file is 2 KB. A document can be at most 1 KB")
    assert stored_files(settings) == []


def test_empty_file_is_refused(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError, match="The file is empty"):
        add(demo, pupil, upload("empty.pdf", b""))


def test_odd_file_names_are_cleaned(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = add(demo, pupil, upload('..\\..\\C:\\evil"\r\nname.pdf', PDF_BYTES))
    assert document.original_name == "evil_name.pdf"


def test_blank_title_uses_the_file_name(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    assert add(demo, pupil, upload("Speech therapy plan.pdf", PDF_BYTES), title="  ").title == ("Speech therapy plan")


def test_unknown_category_or_visibility_is_refused(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError, match="what kind of document"):
        add(demo, pupil, upload("a.pdf", PDF_BYTES), category="secret")
    with pytest.raises(ValidationError, match="who may see"):
        add(demo, pupil, upload("a.pdf", PDF_BYTES), visibility="everyone")


def test_upload_is_audited_and_keeps_the_concern_link(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = add(demo, pupil, upload("a.pdf", PDF_BYTES), concern_id=42, category="concern")
    assert document.concern_id == 42
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.get(action="create", object_id=str(document.pk))
    assert entry.pupil_id == pupil.pk and entry.actor == demo.user(SENCO)


# ------------------------------------------------------------------------------------ who uploads


@pytest.mark.parametrize(
    "email", ["teacher.acorn@oak.test", "ta.acorn@oak.test", "governor.acorn@oak.test", "parent.acorn@oak.test"]
)
def test_people_without_casework_rights_cannot_upload(demo, settings, email) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(PermissionDenied):
        add(demo, pupil, upload("a.pdf", PDF_BYTES), email=email)
    response = demo.client_for(email).post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("a.pdf", PDF_BYTES), "category": "other", "visibility": "staff"},
    )
    assert response.status_code == 404
    assert stored_files(settings) == []


def test_senco_uploads_through_the_page(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for(SENCO)
    assert client.get(reverse("pupils:document_upload", args=[pupil.pk])).status_code == 200
    response = client.post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("plan.pdf", PDF_BYTES), "title": "Support plan", "category": "other", "visibility": "parents"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:record", args=[pupil.pk])
    with scope(trust=demo.oak.pk):
        document = Document.objects.get()
    assert (document.title, document.visibility, document.category) == ("Support plan", "parents", "other")


def test_upload_page_explains_a_refused_file_and_stores_nothing(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = demo.client_for(SENCO).post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("virus.pdf", EXE_BYTES), "title": "", "category": "other", "visibility": "staff"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "We check what is inside the file, not its name" in page
    assert stored_files(settings) == []


def test_upload_page_asks_for_a_file_and_choices(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = demo.client_for(SENCO).post(reverse("pupils:document_upload", args=[pupil.pk]), {"title": "x"})
    page = response.content.decode()
    assert "Choose a file to add." in page
    assert "Choose what kind of document this is." in page


def test_external_professional_adds_advice_for_staff_only_and_the_senco_is_told(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    make_grant(pupil, professional)
    client = signed_in(professional)
    page = client.get(reverse("pupils:document_upload", args=[pupil.pk])).content.decode()
    assert "Add your advice" in page and "Who may see it?" not in page
    response = client.post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        # Whatever is posted, an external upload is advice for staff.
        {"file": upload("advice.pdf", PDF_BYTES), "title": "EP advice", "category": "medical", "visibility": "parents"},
    )
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        document = Document.objects.get()
        assert (document.category, document.visibility) == ("advice", "staff")
        assert document.uploaded_by == professional
        note = Notification.objects.get(kind="document.advice")
    assert note.recipient == demo.user(SENCO)


def test_teacher_may_attach_evidence_to_a_concern_about_their_own_pupil_but_not_see_it(demo) -> None:
    pupil, not_theirs = pupil_at(demo, demo.acorn), make_pupil(demo.acorn)
    teacher = "teacher.acorn@oak.test"
    document = add(demo, pupil, upload("work.jpg", JPEG_BYTES), email=teacher, concern_id=7, visibility="parents")
    assert (document.category, document.visibility, document.concern_id) == ("concern", "staff", 7)
    with scope(trust=demo.oak.pk):
        assert not documents_for_record(demo.user(teacher), pupil).shown
    with pytest.raises(PermissionDenied):
        add(demo, not_theirs, upload("work.jpg", JPEG_BYTES), email=teacher, concern_id=8)
    with pytest.raises(PermissionDenied):
        add(demo, pupil, upload("work.jpg", JPEG_BYTES), email="governor.acorn@oak.test", concern_id=9)


def test_cover_teacher_grant_does_not_allow_uploads(demo) -> None:
    pupil = make_pupil(demo.acorn)
    teacher = demo.user("teacher.acorn@oak.test")
    make_grant(pupil, teacher, kind="cover")
    with pytest.raises(PermissionDenied):
        add(demo, pupil, upload("a.pdf", PDF_BYTES), email="teacher.acorn@oak.test")


# ------------------------------------------------------------------------------------- downloads


def test_download_is_an_attachment_with_the_original_name_and_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = make_document(pupil, original_name='EP report – Zoë\'s "final".pdf')
    response = demo.client_for(SENCO).get(reverse("pupils:document_download", args=[pupil.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    # Quotes never reach the header; other characters are percent-encoded (RFC 6266).
    assert disposition == "attachment; filename*=utf-8''EP%20report%20%E2%80%93%20Zo%C3%AB%27s%20_final_.pdf"
    assert "\n" not in disposition and "\r" not in disposition
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.get(action="download")
    assert (entry.pupil_id, entry.object_id, entry.actor) == (pupil.pk, str(document.pk), demo.user(SENCO))


def test_every_download_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = make_document(pupil)
    client = demo.client_for("head.acorn@oak.test")
    for _ in range(2):
        client.get(reverse("pupils:document_download", args=[pupil.pk, document.pk]))
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="download", pupil_id=pupil.pk).count() == 2


@pytest.mark.parametrize(
    ("email", "school"),
    [
        ("teacher.acorn@oak.test", "acorn"),  # the pupil's own teacher
        ("ta.acorn@oak.test", "acorn"),
        ("governor.acorn@oak.test", "acorn"),
        ("trustee@oak.test", "acorn"),
        ("parent.acorn@oak.test", "acorn"),  # even for a document shared with parents
        ("senco.beech@oak.test", "acorn"),  # another school of the trust
        ("senco.acorn@oak.test", "beech"),
        ("lead@river.test", "acorn"),  # another trust
        ("senco.willow@river.test", "acorn"),
    ],
)
def test_download_by_anyone_without_casework_rights_is_404_and_not_audited(demo, email, school) -> None:
    pupil = pupil_at(demo, demo.schools[school])
    document = make_document(pupil, visibility="parents")
    response = demo.client_for(email).get(reverse("pupils:document_download", args=[pupil.pk, document.pk]))
    assert response.status_code == 404
    with scope(trust=demo.oak.pk):
        assert not AuditEntry.objects.filter(action="download").exists()


def test_document_of_another_pupil_is_404_under_this_pupils_address(demo) -> None:
    pupil, other = pupil_at(demo, demo.acorn), pupil_at(demo, demo.acorn)
    document = make_document(other)
    response = demo.client_for(SENCO).get(reverse("pupils:document_download", args=[pupil.pk, document.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("pupil_id", [0, 2**62, 2**64])
def test_a_junk_pupil_id_in_the_address_is_404(demo, pupil_id) -> None:
    """2**64 is too big for the database: it used to answer 500 (OverflowError) instead of 404."""
    document = make_document(pupil_at(demo, demo.acorn))
    client = demo.client_for(SENCO)
    client.raise_request_exception = False
    response = client.get(reverse("pupils:document_download", args=[pupil_id, document.pk]))
    assert response.status_code == 404


def test_missing_file_answers_404(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = make_document(pupil)
    Path(document.file.path).unlink()
    response = demo.client_for(SENCO).get(reverse("pupils:document_download", args=[pupil.pk, document.pk]))
    assert response.status_code == 404


# ----------------------------------------------------------------------------------- who sees what


def test_teachers_see_no_documents_on_the_record(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    make_document(pupil)
    teacher = demo.user("teacher.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        section = documents_for_record(teacher, pupil)
        assert list(section) == [] and not section.shown and not section.can_upload
        assert not documents_visible_to(teacher).exists()
        html = render_to_string("pupils/_documents_section.html", {"pupil": pupil, "documents": section})
    assert "seen by the SENCO and the headteacher" in html
    assert "download" not in html


def test_casework_roles_see_every_document_and_may_upload(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    make_document(pupil, title="EP report")
    make_document(pupil, title="Letter home", visibility="parents")
    with scope(trust=demo.oak.pk):
        section = documents_for_record(demo.user(SENCO), pupil)
        html = render_to_string("pupils/_documents_section.html", {"pupil": pupil, "documents": section})
    assert section.shown and section.can_upload and len(section) == 2
    assert "Letter home" in html and "Shared with parents" in html
    assert reverse("pupils:document_upload", args=[pupil.pk]) in html


def test_grantee_sees_the_granted_pupils_documents_until_the_grant_ends(demo) -> None:
    pupil, other = pupil_at(demo, demo.acorn), pupil_at(demo, demo.acorn)
    mine, not_mine = make_document(pupil), make_document(other)
    professional = make_external_user(demo.oak)
    grant = make_grant(pupil, professional)
    client = signed_in(professional)
    with scope(trust=demo.oak.pk):
        assert list(documents_visible_to(professional)) == [mine]
        section = documents_for_record(professional, pupil)
    assert section.shown and section.can_upload and section.as_advice
    assert client.get(reverse("pupils:document_download", args=[pupil.pk, mine.pk])).status_code == 200
    assert client.get(reverse("pupils:document_download", args=[other.pk, not_mine.pk])).status_code == 404
    from pupils.grants import revoke_access

    with scope(trust=demo.oak.pk):
        revoke_access(grant=grant, actor=demo.user(SENCO))
    assert client.get(reverse("pupils:document_download", args=[pupil.pk, mine.pk])).status_code == 404


def test_documents_shared_with_parents_lists_only_those(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    make_document(pupil, title="Staff note")
    shared = make_document(pupil, title="Letter home", visibility="parents")
    with scope(trust=demo.oak.pk):
        assert list(documents_shared_with_parents(pupil)) == [shared]


@pytest.mark.parametrize("email", [SENCO, "external"])
def test_record_documents_section_uses_a_fixed_number_of_queries(demo, email) -> None:
    pupil = pupil_at(demo, demo.acorn)
    if email == "external":
        user = make_external_user(demo.oak)
        make_grant(pupil, user)
    else:
        user = demo.user(email)
    counts = []
    for total in (1, 4):
        while len(counts) < 2 and _count(demo, pupil) < total:
            make_document(pupil)
        fresh = type(user).objects.get(pk=user.pk)  # no cached memberships
        with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as queries:
            section = documents_for_record(fresh, pupil)
            render_to_string("pupils/_documents_section.html", {"pupil": pupil, "documents": section})
        assert len(section) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _count(demo: Any, pupil: Any) -> int:
    with scope(trust=demo.oak.pk):
        return Document.objects.filter(pupil=pupil).count()
