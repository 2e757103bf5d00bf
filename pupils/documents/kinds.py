"""The kinds of file a pupil's record accepts, their size limits, and the words of every refusal."""

from __future__ import annotations

import logging
import lzma
import math
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger("pupils.documents")  # the name it had before the module became a package

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

# Zip bombs: a real document has tens of parts and unpacks to a few times its size. These are far beyond
# any document (a 10 MB .docx of text unpacks to about 100 MB), and are judged from the zip's directory.
OFFICE_MAX_PARTS = 2000
OFFICE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def max_document_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def human_size(size: int, *, round_up: bool = False) -> str:
    """1 KB, 2.5 MB. `round_up` for a file over a limit, so 10 MB and a byte shows as 10.1 MB, not 10 MB."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    megabytes = math.ceil(size * 10 / (1024 * 1024)) / 10 if round_up else size / (1024 * 1024)
    return f"{megabytes:.1f}".removesuffix(".0") + " MB"


@dataclass(frozen=True)
class _Office:
    """The files of one Office application: how to recognise them, and what to tell the person."""

    name: str  # "Word document"
    app: str  # "Word"
    save_as: str  # what to save a refused file as
    folder: str  # the folder of its parts in an Open XML package
    main_type: str  # the content type of the main part, declared in [Content_Types].xml
    roots: frozenset[str]  # the main part's first element (transitional and strict Open XML)
    streams: frozenset[str]  # a stream at the top of its Office 97-2003 compound file
    extensions: tuple[str, ...]  # names that claim it (for the wording of a refusal, never the decision)
    kind: FileKind | None  # what a real Open XML file is kept as; None: recognised but not accepted


def _roots(local: str, transitional: str, strict: str) -> frozenset[str]:
    return frozenset({f"{{{transitional}}}{local}", f"{{{strict}}}{local}"})


WORD = _Office(
    "Word document",
    "Word",
    "a Word Document (.docx) or a PDF",
    "word/",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    _roots(
        "document",
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    ),
    frozenset({"worddocument"}),
    (".docx", ".doc", ".docm", ".dotx", ".dotm", ".dot"),
    DOCX,
)
EXCEL = _Office(
    "Excel workbook",
    "Excel",
    "a PDF",
    "xl/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    _roots(
        "workbook",
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    frozenset({"workbook", "book"}),
    (".xlsx", ".xls", ".xlsm", ".xltx", ".xltm", ".xlsb"),
    None,
)
POWERPOINT = _Office(
    "PowerPoint presentation",
    "PowerPoint",
    "a PDF",
    "ppt/",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    _roots(
        "presentation",
        "http://schemas.openxmlformats.org/presentationml/2006/main",
        "http://purl.oclc.org/ooxml/presentationml/main",
    ),
    frozenset({"powerpoint document"}),
    (".pptx", ".ppt", ".pptm", ".ppsx", ".ppsm", ".potx"),
    None,
)
_OFFICE = (WORD, EXCEL, POWERPOINT)
_MACRO_TYPE_PREFIXES = {  # macro-enabled main types, e.g. application/vnd.ms-word.document.macroEnabled.main+xml
    "application/vnd.ms-word.": WORD,
    "application/vnd.ms-excel.": EXCEL,
    "application/vnd.ms-powerpoint.": POWERPOINT,
}


def _not_accepted() -> str:
    return (
        "This file is not a PDF, a Word document (.docx or .doc) or a PNG or JPEG image, so it "
        "cannot be added. We check what is inside the file, not its name. Save it as a PDF and try again."
    )


def _not_real(office: _Office | None) -> str:
    if office is None or office.kind is None:
        return _not_accepted()
    return (
        f"This file is not a real {office.name}: it may be damaged or renamed. "
        f"Save it again from {office.app} and upload it."
    )


def _other_office(office: _Office) -> str:
    return (
        f"This is {'an' if office.name[0] in 'AEIOU' else 'a'} {office.name}, which cannot be added here: "
        f"documents must be PDFs, Word documents or PNG or JPEG images. In {office.app}, choose File, "
        "Save As, save it as a PDF, and upload the PDF."
    )


def _macros(office: _Office | None) -> str:
    what, app, save_as = (office.name, office.app, office.save_as) if office else ("file", "the program", "a PDF")
    return (
        f"This {what} contains macros (programs that run when it is opened), so it cannot be added. "
        f"In {app}, choose File, Save As, save it as {save_as}, and upload that."
    )


def _too_big_unpacked(office: _Office | None) -> str:
    fix = f"save it again from {office.app}, or save it as a PDF," if office else "save it as a PDF"
    return (
        f"This file is too big to check once it is unpacked (more than {human_size(OFFICE_MAX_UNPACKED_BYTES)} "
        f"or {OFFICE_MAX_PARTS:,} parts), so it cannot be added. It may be damaged: {fix} and upload that."
    )


def _password_protected() -> str:
    return (
        "This file is protected with a password, so we cannot check what is inside it. Open it, remove the "
        "password (File, Info, Protect Document, Encrypt with Password, and delete the password), save it "
        "and upload it again."
    )


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="file_type")


class _Malformed(Exception):
    """The file is not what its structure claims (a message is chosen by the caller)."""


# Anything a hostile or damaged zip, compound file or XML part can raise while it is read.
_UNREADABLE = (
    _Malformed,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,  # also defusedxml's refusals of DTDs and entities
    RuntimeError,  # an encrypted zip part
    NotImplementedError,  # an unknown compression method
    KeyError,
    SyntaxError,  # ElementTree.ParseError
    struct.error,
    zlib.error,
    lzma.LZMAError,
)


def _claimed_by_name(name: str) -> _Office | None:
    extension = os.path.splitext(name or "")[1].lower()
    return next((office for office in _OFFICE if extension in office.extensions), None)
