"""Helpers shared by the pupil and teaching-group imports."""

from __future__ import annotations

from ..upn import InvalidUPN, validate_upn
from .files import Problem, Table


def _upn_problems(table: Table) -> tuple[dict[int, str], list[Problem]]:
    """Each row's valid UPN, and problems for invalid ones and for UPNs that appear on several rows."""
    upns: dict[int, str] = {}
    problems: list[Problem] = []
    heading = table.headings["upn"]
    for row, cells in table.rows:
        try:
            upns[row] = validate_upn(cells["upn"])
        except InvalidUPN as exc:
            problems.append(Problem(row, heading, str(exc)))
    return upns, problems


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _from(source: str) -> str:
    return f" from {source}" if source else ""
