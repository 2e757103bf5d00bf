"""What the GIAS extract and onboarding tests share: the fixture files and small builders."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from django_scopes import scopes_disabled

from trusts import gias, onboarding
from trusts.models import Invitation, School

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gias"
DECEMBER = FIXTURES / "edubasealldata20261201.csv"
JANUARY = FIXTURES / "edubasealldata20270101.csv"
CODE = "TR04321"
LEAD = "lead@example.org"
TODAY = date(2026, 12, 7)
OURS = {"149101", "149102", "149103", "149105", "149106"}


def _rows(source: Path | bytes) -> tuple[list[str], list[list[str]]]:
    raw = source.read_bytes() if isinstance(source, Path) else source
    reader = csv.reader(io.StringIO(raw.decode("cp1252"), newline=""))
    header = next(reader)
    return header, list(reader)


def _csv(header: list[str], rows: list[list[str]], encoding: str = "cp1252") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def _with(source: Path | bytes, urn: str, **cells: str) -> bytes:
    """The extract with some cells of one row changed (or a copy of its first row added when `urn` is new)."""
    header, rows = _rows(source)
    at = {c: header.index(c) for c in cells}
    target = next((r for r in rows if r[0] == urn), None)
    if target is None:
        target = list(rows[0])
        target[0] = urn
        rows.append(target)
    for column, value in cells.items():
        target[at[column]] = value
    return _csv(header, rows)


def _onboard(raw: bytes | Path = DECEMBER, **kwargs):
    data = raw.read_bytes() if isinstance(raw, Path) else raw
    options = {"trust_code": CODE, "lead_email": LEAD, "actor": None, "today": TODAY} | kwargs
    return onboarding.onboard_trust(extract=gias.read_extract(data), **options)


def _schools() -> dict[str, School]:
    with scopes_disabled():
        return {s.urn: s for s in School.objects.filter(trust__gias_code=CODE)}


def _invitations() -> list[Invitation]:
    with scopes_disabled():
        return list(Invitation.objects.filter(email=LEAD))
