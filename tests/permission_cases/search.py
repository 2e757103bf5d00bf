"""Pupil search: everyone who can open a pupil's record (casework roles, teachers and TAs); never governors,
trustees or parents. What each person finds is tested in tests/pupils/test_search.py."""

from __future__ import annotations

from .base import CASEWORK_ROLES, Case

CASES: list[Case] = [
    Case("pupils:search", own=CASEWORK_ROLES | {"teacher.acorn@oak.test", "ta.acorn@oak.test"}),
]
