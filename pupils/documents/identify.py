"""What a file is, by its bytes: PDF and images by their signatures, Office files by their structure."""

from __future__ import annotations

import zipfile
from typing import IO

from django.core.exceptions import ValidationError

from .compound_file import _identify_compound_file
from .kinds import _UNREADABLE, JPEG, PDF, PNG, FileKind, _claimed_by_name, _not_real, _refuse
from .open_xml import _identify_package

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_all(f: IO[bytes]) -> bytes:
    f.seek(0)
    data = f.read()
    f.seek(0)
    return data


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
