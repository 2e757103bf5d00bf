"""Office 97-2003 (.doc, .xls, .ppt): what a compound file (MS-CFB) really is, from its directory."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .kinds import (
    _OFFICE,
    _UNREADABLE,
    DOC,
    WORD,
    FileKind,
    _macros,
    _Malformed,
    _not_real,
    _Office,
    _other_office,
    _password_protected,
    _refuse,
    logger,
)

# Where a compound file keeps its macros (Word: Macros/VBA; Excel: _VBA_PROJECT_CUR/VBA).
_VBA_STORAGES = {"macros", "vba", "_vba_project_cur", "_vba_project"}


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
