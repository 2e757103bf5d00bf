"""What a document upload is refused for, judged by its bytes: files of other kinds, fake or hostile Office
files, macros and zip bombs, each with a specific message and nothing stored.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pupils import documents
from tests.factories import pupil_at
from tests.pupils.document_builders import (
    EXCEL,
    EXCEL_MACRO_MAIN,
    EXCEL_MACROS,
    EXE_BYTES,
    JPEG_BYTES,
    NOT_ACCEPTED,
    NOT_REAL_WORD,
    PASSWORD,
    POWERPOINT,
    SENCO,
    TOO_BIG_UNPACKED,
    WORD_MACROS,
    add,
    assert_nothing_stored,
    billion_laughs,
    content_types,
    doc_with_macros,
    docm_bytes,
    docx_bytes,
    docx_parts,
    external_entity,
    ole2_bytes,
    package,
    password_protected_docx,
    pptx_bytes,
    probe_zip,
    upload,
    word_document,
    xlsx_bytes,
    zip_bomb,
    zip_declaring_a_huge_part,
    zip_of_many_parts,
    zip_with_two_parts_of_one_name,
)

pytestmark = pytest.mark.django_db


# -------------------------------------------------------------------------------- what is refused


def _refused(name: str, build: Callable[[], bytes], message: str, id: str) -> Any:
    return pytest.param(name, build, message, id=id)


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        # Renamed files: the message follows what the name claims, the decision what the bytes are.
        _refused("setup.pdf", lambda: EXE_BYTES, NOT_ACCEPTED, "exe-named-pdf"),
        _refused("report.docx", lambda: EXE_BYTES, NOT_REAL_WORD, "exe-named-docx"),
        _refused("notes.pdf", lambda: b"just some text, not a PDF", NOT_ACCEPTED, "text-named-pdf"),
        _refused("page.png", lambda: b"<html><script>alert(1)</script></html>", NOT_ACCEPTED, "html-named-png"),
        _refused("photos.zip", lambda: package({"a.jpg": JPEG_BYTES}), NOT_ACCEPTED, "plain-zip"),
        _refused("letter.docx", lambda: b"PK\x03\x04" + b"\x00" * 200, NOT_REAL_WORD, "damaged-zip-named-docx"),
        _refused("file.bin", lambda: b"PK\x03\x04" + b"\x00" * 200, NOT_ACCEPTED, "damaged-zip"),
        # Zips that look like Word documents from their names, but are not.
        _refused("letter.docx", probe_zip, NOT_REAL_WORD, "probe-content-types-and-empty-word-folder"),
        _refused(
            "letter.docx",
            lambda: package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
            NOT_REAL_WORD,
            "names-only-no-real-content-types",
        ),
        _refused(
            "letter.docx",
            lambda: package({k: v for k, v in docx_parts().items() if k != "word/document.xml"}),
            NOT_REAL_WORD,
            "declared-main-part-missing",
        ),
        _refused(
            "letter.docx",
            lambda: package({k: v for k, v in docx_parts().items() if k != "_rels/.rels"}),
            NOT_REAL_WORD,
            "no-package-relationships",
        ),
        _refused(
            "letter.docx",
            lambda: package(docx_parts(root="<html><body>Not Word</body></html>")),
            NOT_REAL_WORD,
            "main-part-is-not-a-word-document",
        ),
        _refused(
            "letter.docx",
            lambda: package(docx_parts(root="not xml at all")),
            NOT_REAL_WORD,
            "main-part-is-not-xml",
        ),
        _refused(
            "letter.docx",
            lambda: package(
                docx_parts() | {"[Content_Types].xml": content_types({"/word/document.xml": "application/xml"})}
            ),
            NOT_REAL_WORD,
            "main-part-content-type-not-declared",
        ),
        _refused(
            "letter.docx",
            lambda: package(docx_parts() | {"[Content_Types].xml": billion_laughs()}),
            NOT_REAL_WORD,
            "content-types-billion-laughs",
        ),
        _refused(
            "letter.docx",
            lambda: package(docx_parts() | {"[Content_Types].xml": external_entity()}),
            NOT_REAL_WORD,
            "content-types-external-entity",
        ),
        _refused(
            "letter.docx",
            lambda: package(docx_parts() | {"[Content_Types].xml": content_types({}) + " " * (1024 * 1024)}),
            NOT_REAL_WORD,
            "content-types-over-1-mb",
        ),
        _refused("letter.docx", zip_with_two_parts_of_one_name, NOT_REAL_WORD, "two-parts-of-one-name"),
        # Zip bombs: refused from the zip's directory, without unpacking anything.
        _refused("letter.docx", zip_bomb, TOO_BIG_UNPACKED, "zip-bomb-201-mb-of-zeros"),
        _refused("letter.docx", zip_declaring_a_huge_part, TOO_BIG_UNPACKED, "zip-declaring-a-4-gb-part"),
        _refused("letter.docx", zip_of_many_parts, TOO_BIG_UNPACKED, "zip-of-2001-parts"),
        # Macros, whatever the file is called.
        _refused("letter.docm", docm_bytes, WORD_MACROS, "docm"),
        _refused("letter.docx", docm_bytes, WORD_MACROS, "docm-renamed-docx"),
        _refused(
            "letter.docx", lambda: docx_bytes(**{"word/vbaProject.bin": b"\xd0\xcf"}), WORD_MACROS, "docx-with-vba"
        ),
        _refused(
            "sheet.xlsm",
            lambda: xlsx_bytes(EXCEL_MACRO_MAIN, **{"xl/vbaProject.bin": b"\xd0\xcf"}),
            EXCEL_MACROS,
            "xlsm",
        ),
        _refused("old letter.doc", doc_with_macros, WORD_MACROS, "doc-with-macros"),
        # Real Office files of other kinds, and ones we cannot look inside.
        _refused("pupils.xlsx", xlsx_bytes, EXCEL, "real-xlsx"),
        _refused("pupils.docx", xlsx_bytes, EXCEL, "real-xlsx-named-docx"),
        _refused("annual review.pptx", pptx_bytes, POWERPOINT, "real-pptx"),
        _refused("pupils.xls", lambda: ole2_bytes("Workbook"), EXCEL, "excel-97-2003"),
        _refused("letter.docx", password_protected_docx, PASSWORD, "password-protected-docx"),
        _refused("installer.doc", lambda: ole2_bytes("\x05SummaryInformation"), NOT_REAL_WORD, "msi-named-doc"),
        _refused("installer.msi", lambda: ole2_bytes("\x05SummaryInformation"), NOT_ACCEPTED, "msi"),
        _refused(
            "old letter.doc",
            lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600,
            NOT_REAL_WORD,
            "damaged-compound-file",
        ),
        _refused(
            "old letter.doc",
            lambda: ole2_bytes("WordDocument")[:520],
            NOT_REAL_WORD,
            "compound-file-cut-short",
        ),
    ],
)
def test_other_files_are_refused_with_a_specific_message_and_nothing_is_stored(
    demo, settings, xml_parser, name, build, message
) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        add(demo, pupil, upload(name, build(), documents.DOCX.content_type))
    assert len(refused.value.messages) == 1
    assert message in refused.value.messages[0]
    assert refused.value.error_list[0].code == "file_type"
    assert_nothing_stored(demo, settings)


def test_refusal_messages_say_what_to_do(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    cases = {
        "letter.docm": (docm_bytes(), "save it as a Word Document (.docx) or a PDF"),
        "pupils.xlsx": (xlsx_bytes(), "save it as a PDF"),
        "letter.docx": (zip_bomb(), "save it again from Word, or save it as a PDF"),
        "locked.docx": (password_protected_docx(), "remove the password"),
    }
    for name, (content, advice) in cases.items():
        with pytest.raises(ValidationError) as refused:
            add(demo, pupil, upload(name, content))
        assert advice in refused.value.messages[0], name


def test_the_upload_page_explains_a_macro_enabled_document(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = demo.client_for(SENCO).post(
        reverse("pupils:document_upload", args=[pupil.pk]),
        {"file": upload("plan.docm", docm_bytes()), "title": "", "category": "other", "visibility": "staff"},
    )
    assert response.status_code == 200
    assert WORD_MACROS in response.content.decode()
    assert_nothing_stored(demo, settings)


def test_a_zip_bomb_is_judged_from_its_directory_without_unpacking(demo, monkeypatch) -> None:
    bomb = zip_bomb()
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(ValidationError, match=TOO_BIG_UNPACKED):
        documents.check_upload(upload("letter.docx", bomb))
    assert opened == []


def test_only_the_start_of_the_main_part_is_read(monkeypatch) -> None:
    """A Word document's main part can be large: only its first element is parsed (bounded read)."""
    body = "".join(f"<w:p><w:r><w:t>{random.Random(i).random()}</w:t></w:r></w:p>" for i in range(20000))
    content = package(docx_parts(root=word_document(text="x").replace("<w:p>", body + "<w:p>", 1)))
    reads: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def spy(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        reads.append(n)
        return real_read(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    assert documents.check_upload(upload("long.docx", content))[0] == documents.DOCX
    assert reads and all(0 < n <= 1024 * 1024 + 1 for n in reads)
