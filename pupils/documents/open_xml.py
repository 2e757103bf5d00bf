"""Open XML (.docx, .xlsx, .pptx): what a zip package really is, read as Word itself opens one."""

from __future__ import annotations

import importlib
import io
import posixpath
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

from .kinds import (
    _MACRO_TYPE_PREFIXES,
    _OFFICE,
    _UNREADABLE,
    OFFICE_MAX_PARTS,
    OFFICE_MAX_UNPACKED_BYTES,
    FileKind,
    _macros,
    _Malformed,
    _not_real,
    _Office,
    _other_office,
    _refuse,
    _too_big_unpacked,
    logger,
)

try:
    _defused: Any = importlib.import_module("defusedxml.ElementTree")
except ImportError:  # until defusedxml is a dependency: the standard parser, DTDs refused first (`_parse_xml`)
    _defused = None
_XML_PART_MAX_BYTES = 1024 * 1024  # [Content_Types].xml and _rels/.rels: a few KB in real files
_MAIN_PART_HEAD_BYTES = 64 * 1024  # only the start of the main part is read, to find its first element
_VBA_PROJECT_TYPE = "application/vnd.ms-office.vbaproject"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT_RELATIONSHIPS = {  # compared lower-cased
    "http://schemas.openxmlformats.org/officedocument/2006/relationships/officedocument",
    "http://purl.oclc.org/ooxml/officedocument/relationships/officedocument",
}


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
