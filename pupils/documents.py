"""Documents on a pupil's record: what may be uploaded, who may see them, and every download audited.

A file is accepted for what its bytes are, never for its name or the browser's content type: a renamed
program is refused, and a PNG called "report.pdf" is kept as the PNG it is (and downloads as .png).
PDFs and images are known by their signatures; Word files by their real structure (`identify`): a .docx
must be an Open XML package whose main part is a Word document, a .doc a compound file with a Word stream.
Macros are refused, and so are zip bombs, judged from the zip's directory before anything is unpacked.
Every refusal says what the file is and what to do (the name only chooses the words, never the decision).
Files are stored under random names (`models.document_path`) and only ever served by a checked view.
"""

from __future__ import annotations

import importlib
import io
import logging
import lzma
import math
import os
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree

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

try:
    _defused: Any = importlib.import_module("defusedxml.ElementTree")
except ImportError:  # until defusedxml is a dependency: the standard parser, DTDs refused first (`_parse_xml`)
    _defused = None

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

# Zip bombs: a real document has tens of parts and unpacks to a few times its size. These are far beyond
# any document (a 10 MB .docx of text unpacks to about 100 MB), and are judged from the zip's directory.
OFFICE_MAX_PARTS = 2000
OFFICE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_XML_PART_MAX_BYTES = 1024 * 1024  # [Content_Types].xml and _rels/.rels: a few KB in real files
_MAIN_PART_HEAD_BYTES = 64 * 1024  # only the start of the main part is read, to find its first element


def max_document_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def human_size(size: int, *, round_up: bool = False) -> str:
    """1 KB, 2.5 MB. `round_up` for a file over a limit, so 10 MB and a byte shows as 10.1 MB, not 10 MB."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    megabytes = math.ceil(size * 10 / (1024 * 1024)) / 10 if round_up else size / (1024 * 1024)
    return f"{megabytes:.1f}".removesuffix(".0") + " MB"


def _read_all(f: IO[bytes]) -> bytes:
    f.seek(0)
    data = f.read()
    f.seek(0)
    return data


# ------------------------------------------------------------------------ what a file is, by its bytes


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
_VBA_PROJECT_TYPE = "application/vnd.ms-office.vbaproject"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT_RELATIONSHIPS = {  # compared lower-cased
    "http://schemas.openxmlformats.org/officedocument/2006/relationships/officedocument",
    "http://purl.oclc.org/ooxml/officedocument/relationships/officedocument",
}
# Where a compound file keeps its macros (Word: Macros/VBA; Excel: _VBA_PROJECT_CUR/VBA).
_VBA_STORAGES = {"macros", "vba", "_vba_project_cur", "_vba_project"}


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


def identify(f: IO[bytes], name: str = "") -> FileKind:
    """What the file is, judged by its contents; ValidationError (code "file_type") with a message for the
    person uploading if we do not keep it. `name` only chooses the words of a refusal."""
    claimed = _claimed_by_name(name)
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
        return _identify_compound_file(_read_all(f), claimed)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(f) as archive:
                return _identify_package(archive, claimed)
        except _UNREADABLE as exc:
            raise _refuse(_not_real(claimed)) from exc
        finally:
            f.seek(0)
    raise _refuse(_not_real(claimed))


def sniff_kind(f: IO[bytes]) -> FileKind | None:
    """What the file is, judged by its contents; None for anything we do not keep (see `identify`)."""
    try:
        return identify(f)
    except ValidationError:
        return None


# Open XML (.docx, .xlsx, .pptx): a zip whose [Content_Types].xml gives each part's type, _rels/.rels
# names the main part, and the main part is the application's XML. This is how Word itself opens one.


def _identify_package(archive: zipfile.ZipFile, claimed: _Office | None) -> FileKind:
    infos = archive.infolist()
    parts = {info.filename.lower(): info for info in infos}
    office = next((o for o in _OFFICE if any(n.startswith(o.folder) for n in parts)), None) or claimed
    # Judged from the directory alone: nothing is unpacked from a zip bomb.
    if len(infos) > OFFICE_MAX_PARTS or sum(info.file_size for info in infos) > OFFICE_MAX_UNPACKED_BYTES:
        raise _refuse(_too_big_unpacked(office))
    if any(posixpath.basename(n) == "vbaproject.bin" for n in parts):
        raise _refuse(_macros(office))
    try:
        if len(parts) != len(infos):
            raise _Malformed("two parts with one name")  # which one would Word read?
        defaults, overrides = _content_types(_read_part(archive, parts, "[content_types].xml"))
        for content_type in [*defaults.values(), *overrides.values()]:
            if content_type == _VBA_PROJECT_TYPE or "macroenabled" in content_type:
                prefix = next((p for p in _MACRO_TYPE_PREFIXES if content_type.startswith(p)), "")
                raise _refuse(_macros(_MACRO_TYPE_PREFIXES.get(prefix, office)))
        main = _main_part(_read_part(archive, parts, "_rels/.rels"))
        content_type = overrides.get(main) or defaults.get(posixpath.splitext(main)[1].lstrip("."), "")
        found = next((o for o in _OFFICE if o.main_type == content_type), None)
        if found is None:
            raise _Malformed(f"main part {main} is {content_type!r}")
        office = found
        info = parts.get(main.lstrip("/"))
        if not main.startswith(f"/{office.folder}") or info is None or info.is_dir():
            raise _Malformed(f"no main part {main}")
        if _first_element(archive, info) not in office.roots:
            raise _Malformed(f"{main} is not a {office.name}")
    except _UNREADABLE as exc:
        logger.info("Refused an upload that is not a real %s: %s", office.name if office else "file", exc)
        raise _refuse(_not_real(office)) from exc
    if office.kind is None:
        raise _refuse(_other_office(office))
    return office.kind


def _read_part(archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], name: str) -> bytes:
    info = parts.get(name)
    if info is None or info.is_dir():
        raise _Malformed(f"no {name}")
    if info.file_size > _XML_PART_MAX_BYTES:
        raise _Malformed(f"{name} is {info.file_size} bytes")
    with archive.open(info) as part:
        return part.read(_XML_PART_MAX_BYTES + 1)  # zipfile stops at the declared size and checks the CRC


def _content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """{extension: type} and {part name: type}, lower-cased (both are case-insensitive)."""
    root = _parse_xml(data)
    if root.tag != f"{_CONTENT_TYPES_NS}Types":
        raise _Malformed(f"[Content_Types].xml is {root.tag}")
    defaults, overrides = {}, {}
    for child in root:
        content_type = (child.get("ContentType") or "").strip().lower()
        if child.tag == f"{_CONTENT_TYPES_NS}Default":
            defaults[(child.get("Extension") or "").lower()] = content_type
        elif child.tag == f"{_CONTENT_TYPES_NS}Override":
            overrides[(child.get("PartName") or "").lower()] = content_type
    return defaults, overrides


def _main_part(data: bytes) -> str:
    """The part the package relationships name as the office document, as a part name ("/word/document.xml")."""
    root = _parse_xml(data)
    if root.tag != f"{_RELATIONSHIPS_NS}Relationships":
        raise _Malformed(f"_rels/.rels is {root.tag}")
    targets = [
        child.get("Target") or ""
        for child in root
        if child.tag == f"{_RELATIONSHIPS_NS}Relationship"
        and (child.get("Type") or "").lower() in _OFFICE_DOCUMENT_RELATIONSHIPS
        and (child.get("TargetMode") or "Internal") == "Internal"
    ]
    if len(targets) != 1:
        raise _Malformed(f"{len(targets)} office documents")
    return posixpath.normpath("/" + targets[0].lstrip("/")).lower()


def _first_element(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """The tag of the part's first element, from at most its first 64 KB (a main part can be large)."""
    with archive.open(info) as part:
        head = part.read(_MAIN_PART_HEAD_BYTES)
    if _defused is not None:
        events = _defused.iterparse(io.BytesIO(head), events=("start",), forbid_dtd=True)
        for _event, element in events:
            return str(element.tag)
        raise _Malformed("no element")
    _refuse_dtd(head)
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(events=("start",))
    parser.feed(head)
    for event in parser.read_events():
        element = event[-1] if isinstance(event, tuple) else None
        if isinstance(element, ElementTree.Element):
            return str(element.tag)
    raise _Malformed("no element")


def _parse_xml(data: bytes) -> ElementTree.Element:
    """A small package part (size checked by `_read_part`), parsed with no DTD, so no entities at all."""
    if _defused is not None:
        return _defused.fromstring(data, forbid_dtd=True)
    _refuse_dtd(data)
    return ElementTree.fromstring(data)  # noqa: S314 - no DTD (refused above), at most 1 MB


_XML_ENCODING = re.compile(r"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']""")


def _refuse_dtd(data: bytes) -> None:
    """Without defusedxml: refuse a DTD (entities live there; Open XML parts never have one), in any
    encoding the standard parser would read the part in."""
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        text = data.decode(encoding, errors="ignore")
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise _Malformed("a DTD")
        declared = _XML_ENCODING.match(text.lstrip("\ufeff"))
        if declared and declared.group(1).lower().replace("_", "-") not in {"utf-8", "utf8", "utf-16", "utf16"}:
            raise _Malformed(f"encoding {declared.group(1)}")


# Office 97-2003 (.doc, .xls, .ppt; also .msi installers): a compound file (MS-CFB), a small file system
# whose directory is found through its allocation table. Its top-level streams say what it is.

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_END_OF_CHAIN, _NO_ENTRY = 0xFFFFFFFE, 0xFFFFFFFF


@dataclass(frozen=True)
class _Entry:
    name: str  # lower-cased: names in a compound file are case-insensitive
    kind: int
    left: int
    right: int
    child: int


def _identify_compound_file(data: bytes, claimed: _Office | None) -> FileKind:
    try:
        entries = _compound_directory(data)
    except _UNREADABLE as exc:
        logger.info("Refused an upload that is not a real compound file: %s", exc)
        raise _refuse(_not_real(claimed)) from exc
    top = {entry.name: entry.kind for entry in _children(entries, 0)}
    if top.get("encryptedpackage") == _STREAM:
        raise _refuse(_password_protected())
    office = next((o for o in _OFFICE if any(top.get(s) == _STREAM for s in o.streams)), None)
    if office is None:
        raise _refuse(_not_real(claimed))
    if any(e.kind in (_STORAGE, _STREAM) and e.name in _VBA_STORAGES for e in entries):
        raise _refuse(_macros(office))
    if office is not WORD:
        raise _refuse(_other_office(office))
    return DOC


def _compound_directory(data: bytes) -> list[_Entry]:
    """Every directory entry of a compound file, read through its FAT; _Malformed if it is not one.
    Each sector is read at most once, so a damaged or hostile file costs no more than its size."""
    if len(data) < 512:
        raise _Malformed("shorter than a header")
    major, byte_order, shift = struct.unpack_from("<HHH", data, 26)
    if byte_order != 0xFFFE or (major, shift) not in {(3, 9), (4, 12)}:
        raise _Malformed("not a compound file header")
    size = 1 << shift
    sectors = -(-len(data) // size) - 1  # the header takes the first sector's place; the last may be short
    fat_count, first_directory = struct.unpack_from("<II", data, 44)
    first_difat, difat_count = struct.unpack_from("<II", data, 68)
    if fat_count > sectors:
        raise _Malformed("more FAT sectors than sectors")

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise _Malformed(f"sector {number} of {sectors}")
        return data[(number + 1) * size : (number + 2) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    number, seen = first_difat, set()
    for _ in range(difat_count):
        if number in seen:
            raise _Malformed("a loop in the DIFAT")
        seen.add(number)
        values = struct.unpack_from(f"<{size // 4}I", sector(number))
        fat_sectors += values[:-1]
        number = values[-1]
    fat_sectors = fat_sectors[:fat_count]

    def next_sector(number: int) -> int:
        index, offset = divmod(number, size // 4)
        if index >= len(fat_sectors):
            raise _Malformed(f"sector {number} is not in the FAT")
        return int(struct.unpack_from("<I", sector(fat_sectors[index]), offset * 4)[0])

    entries: list[_Entry] = []
    number, seen = first_directory, set()
    while number != _END_OF_CHAIN:
        if number in seen:
            raise _Malformed("a loop in the directory")
        seen.add(number)
        block = sector(number)
        if len(block) < size:
            raise _Malformed("the directory is cut short")
        for at in range(0, size, 128):
            name_length, kind = struct.unpack_from("<HB", block, at + 64)
            left, right, child = struct.unpack_from("<III", block, at + 68)
            name = block[at : at + max(0, min(name_length, 64) - 2)].decode("utf-16-le", errors="replace")
            entries.append(_Entry(name.lower(), kind, left, right, child))
        number = next_sector(number)
    if not entries or entries[0].kind != _ROOT:
        raise _Malformed("no root entry")
    return entries


def _children(entries: list[_Entry], parent: int) -> list[_Entry]:
    """The entries directly inside `parent` (a storage's children form a tree through left and right)."""
    found, stack, seen = [], [entries[parent].child], set()
    while stack:
        index = stack.pop()
        if index == _NO_ENTRY or index >= len(entries) or index in seen:
            continue
        seen.add(index)
        entry = entries[index]
        found.append(entry)
        stack += [entry.left, entry.right]
    return found


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
