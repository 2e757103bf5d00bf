"""The shape of a permission-matrix case; each app's cases live in a module beside this one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = [
    "lead@oak.test",
    "trustee@oak.test",
    "head.acorn@oak.test",
    "senco.acorn@oak.test",
    "teacher.acorn@oak.test",
    "ta.acorn@oak.test",
    "governor.acorn@oak.test",
    "parent.acorn@oak.test",
]
CASEWORK_ROLES = {"lead@oak.test", "head.acorn@oak.test", "senco.acorn@oak.test"}
EVERYONE = set(ROLES)


@dataclass
class Case:
    name: str
    # URL kwargs for a school ("own" = Acorn, "other" = Beech, "foreign" = Willow); None: no kwargs.
    kwargs: Callable[[Any, Any], dict[str, Any]] | None = None
    own: set[str] = field(default_factory=set)  # roles answered 200 at Acorn (or with no school)
    other_school: set[str] = field(default_factory=set)  # roles answered 200 at Beech
    method: str = "get"
    ok: tuple[int, ...] = (200,)
    # A page for anyone, signed in or not (a school's published report): anonymous visitors get it where `own`
    # does, and another trust's people too (it is public), instead of being sent to sign in.
    public: bool = False
