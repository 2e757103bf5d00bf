"""Documents built byte by byte for the upload tests: Open XML packages and compound files made the way
Word and Excel write them (names and timestamps fixed, so the bytes are the same on every run), hostile
variants of them, the refusal messages, and helpers to upload one.
"""

from __future__ import annotations

import functools
import io
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from pupils.documents import upload_document
from pupils.models import Document
from tests.permission_cases.documents import PNG_BYTES
from trusts.models import AuditEntry

SENCO = "senco.acorn@oak.test"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

NOT_REAL_WORD = (
    "This file is not a real Word document: it may be damaged or renamed. Save it again from Word and upload it."
)
NOT_ACCEPTED = "not a PDF, a Word document (.docx or .doc) or a PNG or JPEG image"
WORD_MACROS = "This Word document contains macros"
EXCEL_MACROS = "This Excel workbook contains macros"
TOO_BIG_UNPACKED = "This file is too big to check once it is unpacked"
EXCEL = "This is an Excel workbook, which cannot be added here"
POWERPOINT = "This is a PowerPoint presentation, which cannot be added here"
PASSWORD = "This file is protected with a password"

# ------------------------------------------------------------------------------- Open XML packages

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
EXCEL_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
POWERPOINT_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
VBA_PROJECT = "application/vnd.ms-office.vbaProject"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml"} | (
        defaults or {}
    )
    return (
        f'{XML_DECLARATION}<Types xmlns="{CT_NS}">'
        + "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults.items())
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items())
        + "</Types>"
    )


def relationships(targets: dict[str, str]) -> str:
    """A .rels part: {target: relationship type}."""
    return (
        f'{XML_DECLARATION}<Relationships xmlns="{REL_NS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{t}" Target="{target}"/>'
            for i, (target, t) in enumerate(targets.items(), 1)
        )
        + "</Relationships>"
    )


def word_document(namespace: str = W_NS, text: str = "Speech and language therapy report") -> str:
    body = f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body>"
    return f'{XML_DECLARATION}<w:document xmlns:w="{namespace}">{body}</w:document>'


def package(parts: dict[str, str | bytes], *, folders: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            archive.writestr(zipfile.ZipInfo(folder, date_time=(2026, 1, 1, 0, 0, 0)), b"")
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx_parts(main: str = "word/document.xml", root: str | None = None) -> dict[str, str | bytes]:
    """The three parts Word needs: content types, the package relationships and the main document."""
    return {
        "[Content_Types].xml": content_types({f"/{main}": WORD_MAIN}),
        "_rels/.rels": relationships({main: OFFICE_DOCUMENT}),
        main: root if root is not None else word_document(),
    }


def docx_bytes(**extra: str | bytes) -> bytes:
    return package(docx_parts() | extra)


def docx_with_picture() -> bytes:
    parts = docx_parts()
    parts["[Content_Types].xml"] = content_types({"/word/document.xml": WORD_MAIN}, {"png": "image/png"})
    return package(
        parts
        | {
            "word/_rels/document.xml.rels": relationships(
                {"media/image1.png": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"}
            ),
            "word/media/image1.png": PNG_BYTES,
        }
    )


def xlsx_bytes(main_type: str = EXCEL_MAIN, **extra: str | bytes) -> bytes:
    ssml = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return package(
        {
            "[Content_Types].xml": content_types(
                {
                    "/xl/workbook.xml": main_type,
                    "/xl/worksheets/sheet1.xml": f"{EXCEL_MAIN.removesuffix('.sheet.main+xml')}.worksheet+xml",
                },
                {"bin": VBA_PROJECT} if "xl/vbaProject.bin" in extra else None,
            ),
            "_rels/.rels": relationships({"xl/workbook.xml": OFFICE_DOCUMENT}),
            "xl/workbook.xml": f'{XML_DECLARATION}<workbook xmlns="{ssml}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Pupils" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": relationships({"worksheets/sheet1.xml": f"{rel}/worksheet"}),
            "xl/worksheets/sheet1.xml": f'{XML_DECLARATION}<worksheet xmlns="{ssml}"><sheetData/></worksheet>',
        }
        | extra
    )


def pptx_bytes() -> bytes:
    pml = "http://schemas.openxmlformats.org/presentationml/2006/main"
    return package(
        {
            "[Content_Types].xml": content_types({"/ppt/presentation.xml": POWERPOINT_MAIN}),
            "_rels/.rels": relationships({"ppt/presentation.xml": OFFICE_DOCUMENT}),
            "ppt/presentation.xml": f'{XML_DECLARATION}<p:presentation xmlns:p="{pml}">'
            '<p:sldSz cx="9144000" cy="6858000"/></p:presentation>',
        }
    )


def docm_bytes() -> bytes:
    """A macro-enabled Word document as Word saves one: its own main type and word/vbaProject.bin."""
    return package(
        {
            "[Content_Types].xml": content_types({"/word/document.xml": WORD_MACRO_MAIN}, {"bin": VBA_PROJECT}),
            "_rels/.rels": relationships({"word/document.xml": OFFICE_DOCUMENT}),
            "word/document.xml": word_document(),
            "word/_rels/document.xml.rels": relationships(
                {"vbaProject.bin": "http://schemas.microsoft.com/office/2006/relationships/vbaProject"}
            ),
            "word/vbaProject.bin": compound_file({"PROJECT": b'ID="{00000000}"', "VBA": {"dir": b"\x01"}}),
        }
    )


def probe_zip() -> bytes:
    """The security probe's file: [Content_Types].xml and an empty word/ folder, nothing else."""
    return package({"[Content_Types].xml": "<Types/>"}, folders=("word/",))


@functools.cache
def zip_bomb() -> bytes:
    """A real Word document carrying a part of 201 MB of zeros: about 200 KB once compressed (built once)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in docx_parts().items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("word/media/image1.png", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = b"\x00" * (1024 * 1024)
        with archive.open(info, "w") as part:
            for _ in range(201):
                part.write(chunk)
    return buffer.getvalue()


def zip_declaring_a_huge_part() -> bytes:
    """A small zip whose directory claims a 4 GB part (as a crafted bomb's does): we go by what it declares."""
    data = bytearray(docx_bytes(**{"word/media/image1.png": b"\x00" * 100}))
    entry = data.rfind(b"word/media/image1.png") - 46  # its entry in the central directory (the last mention)
    assert data[entry : entry + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, entry + 24, 0xFFFFFFF0)  # the uncompressed size it declares
    return bytes(data)


def zip_of_many_parts() -> bytes:
    return docx_bytes(**{f"word/media/image{i}.png": b"" for i in range(2001)})


def zip_with_two_parts_of_one_name() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate; that is the point
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in docx_parts().items():
                archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
            archive.writestr(zipfile.ZipInfo("word/document.xml", date_time=(2026, 1, 1, 0, 0, 0)), "<html/>")
    return buffer.getvalue()


def billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE Types [{entities}]><Types xmlns="{CT_NS}">&lol9;</Types>'


def external_entity() -> str:
    return (
        f'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<Types xmlns="{CT_NS}"><Override PartName="/word/document.xml" ContentType="&x;"/></Types>'
    )


# ------------------------------------------------------------------- compound files (.doc, .xls)

STORAGE, STREAM, ROOT = 1, 2, 5
END_OF_CHAIN, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(tree: dict[str, Any]) -> bytes:
    """A version 3 compound file (MS-CFB) with 512-byte sectors: one FAT sector, then the directory.

    `tree` maps names to bytes (a stream; its contents are not stored, only its directory entry) or to a
    dict (a storage holding more entries). Siblings are chained through their right pointers."""
    entries: list[list[Any]] = [["Root Entry", ROOT, NO_STREAM, NO_STREAM, NO_STREAM]]

    def add(children: dict[str, Any]) -> int:
        first = NO_STREAM
        previous: list[Any] | None = None
        for name, value in children.items():
            index = len(entries)
            entry = [name, STORAGE if isinstance(value, dict) else STREAM, NO_STREAM, NO_STREAM, NO_STREAM]
            entries.append(entry)
            if previous is None:
                first = index
            else:
                previous[3] = index
            previous = entry
            if isinstance(value, dict):
                entry[4] = add(value)
        return first

    entries[0][4] = add(tree)
    while len(entries) % 4:
        entries.append(["", 0, NO_STREAM, NO_STREAM, NO_STREAM])
    directory = b""
    for name, kind, left, right, child in entries:
        encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        directory += (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", END_OF_CHAIN if kind != STORAGE else 0, 0)
        )
    directory_sectors = len(directory) // 512
    fat = [FAT_SECTOR] + [s + 2 for s in range(directory_sectors - 1)] + [END_OF_CHAIN]
    fat += [FREE] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<109I", 0, *([FREE] * 108))
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory


def ole2_bytes(*streams: str) -> bytes:
    return compound_file(dict.fromkeys(streams, b""))


def doc_bytes() -> bytes:
    """The streams Word 97-2003 writes."""
    return compound_file({"WordDocument": b"", "1Table": b"", "\x05SummaryInformation": b"", "CompObj": b""})


def doc_with_macros() -> bytes:
    return compound_file(
        {"WordDocument": b"", "1Table": b"", "Macros": {"VBA": {"_VBA_PROJECT": b"", "dir": b""}, "PROJECT": b""}}
    )


def password_protected_docx() -> bytes:
    """Word keeps an encrypted .docx in a compound file: EncryptionInfo and EncryptedPackage streams."""
    return compound_file({"EncryptionInfo": b"", "EncryptedPackage": b"", "\x06DataSpaces": {"Version": b""}})


# ---------------------------------------------------------------------------------------- helpers


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def add(demo: Any, pupil: Any, file: SimpleUploadedFile) -> Document:
    with scope(trust=pupil.trust_id):
        return upload_document(
            pupil=pupil, uploaded_file=file, actor=demo.user(SENCO), category="ep_report", visibility="staff", title=""
        )


def assert_nothing_stored(demo: Any, settings: Any) -> None:
    with scope(trust=demo.oak.pk):
        assert not Document.objects.exists()
        assert not AuditEntry.objects.filter(action="create").exists()
    assert stored_files(settings) == []
