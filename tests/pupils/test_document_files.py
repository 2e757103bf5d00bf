"""What a document upload is, judged by its bytes: PDFs and images by their signatures, Word files by their
real structure (an Open XML package or a Word 97-2003 compound file), macros and zip bombs refused, and a
specific message for every refusal, with nothing stored.

Every Office file here is built in the test with zipfile (or, for .doc/.xls, as a compound file) the way
Word and Excel write them; names and timestamps are fixed so the bytes are the same on every xdist worker.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from pupils import documents
from pupils.models import Document
from tests.factories import pupil_at
from tests.permission_cases.documents import PDF_BYTES, PNG_BYTES
from tests.pupils.document_builders import (
    JPEG_BYTES,
    NOT_REAL_WORD,
    SENCO,
    W_STRICT_NS,
    add,
    assert_nothing_stored,
    doc_bytes,
    docx_bytes,
    docx_parts,
    docx_with_picture,
    package,
    probe_zip,
    upload,
    word_document,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------- the finding


def test_the_probe_zip_with_content_types_and_an_empty_word_folder_is_refused(demo, settings, xml_parser) -> None:
    """The security probe: this was accepted as a Word document, because the check only read the names."""
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        add(demo, pupil, upload("letter.docx", probe_zip()))
    assert refused.value.messages == [NOT_REAL_WORD]
    assert refused.value.error_list[0].code == "file_type"
    assert_nothing_stored(demo, settings)


def test_the_upload_page_explains_the_probe_zip_and_stores_nothing(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = demo.client_for(SENCO).post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("letter.docx", probe_zip()), "title": "", "category": "other", "visibility": "staff"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert NOT_REAL_WORD in page
    assert_nothing_stored(demo, settings)


# ------------------------------------------------------------------------------- what is accepted


@pytest.mark.parametrize(
    ("name", "build", "content_type"),
    [
        pytest.param("report.pdf", lambda: PDF_BYTES, "application/pdf", id="pdf"),
        pytest.param("photo.png", lambda: PNG_BYTES, "image/png", id="png"),
        pytest.param("photo.jpg", lambda: JPEG_BYTES, "image/jpeg", id="jpeg"),
        pytest.param("letter.docx", docx_bytes, documents.DOCX.content_type, id="minimal-docx"),
        pytest.param("letter.docx", docx_with_picture, documents.DOCX.content_type, id="docx-with-a-picture"),
        pytest.param(
            "letter.docx",
            lambda: package(docx_parts(root=word_document(W_STRICT_NS))),
            documents.DOCX.content_type,
            id="strict-open-xml-docx",
        ),
        pytest.param(
            "letter.docx",
            lambda: package(docx_parts(main="word/document2.xml")),
            documents.DOCX.content_type,
            id="docx-main-part-named-by-its-relationship",
        ),
        pytest.param("old letter.doc", doc_bytes, "application/msword", id="word-97-2003"),
    ],
)
def test_accepted_files_are_typed_by_contents_and_stored_under_a_random_name(
    demo, settings, xml_parser, name, build, content_type
) -> None:
    content = build()
    pupil = pupil_at(demo, demo.acorn)
    document = add(demo, pupil, upload(name, content))
    assert document.content_type == content_type
    assert document.original_name == name
    assert document.size == len(content)
    stored = Path(document.file.path)
    assert stored.read_bytes() == content
    assert name not in document.file.name and stored.suffix == ""  # the name on disk says nothing


def test_a_pdf_renamed_docx_is_kept_as_the_pdf_it_is(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    document = add(demo, pupil, upload("report.docx", PDF_BYTES, documents.DOCX.content_type))
    assert document.content_type == "application/pdf"
    assert document.original_name == "report.docx.pdf"


def test_the_senco_adds_a_real_word_document_through_the_page(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = demo.client_for(SENCO).post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("SALT report.docx", docx_bytes()), "title": "", "category": "other", "visibility": "staff"},
    )
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        document = Document.objects.get()
    assert (document.content_type, document.original_name) == (documents.DOCX.content_type, "SALT report.docx")


def test_checks_work_on_uploads_kept_in_a_temporary_file(demo, settings) -> None:
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE reach the checks as a file on disk, not in memory."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    pupil = pupil_at(demo, demo.acorn)
    picture = random.Random(0).randbytes(200 * 1024)  # does not compress
    content = docx_bytes(**{"word/media/image1.png": PNG_BYTES + picture})
    response = demo.client_for(SENCO).post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("with photo.docx", content), "title": "", "category": "other", "visibility": "staff"},
    )
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        assert Document.objects.get().content_type == documents.DOCX.content_type
