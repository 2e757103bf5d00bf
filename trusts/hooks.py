"""Hooks: how a lower app lets the apps above it take part in one of its rules without importing them.

A lower app declares a `Hooks` list where its rule needs help from above (`register` cannot know about EHC
plans, so `ehcp` tells it whether a pupil has one). The apps above append to it in `AppConfig.ready()`.
A hook that a rule depends on is `required`: if nothing filled it, the rule would quietly stop applying (a
pupil recorded as E with no plan; a grantee exempt from MFA), so a system check (send.E004) refuses to
start instead. Pages are not rules: home pages and navigation live in `reports` and read the apps below
directly, with no hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

DECLARED: list[Hooks[Any]] = []


class Hooks(list[F]):
    """A list of callables with a name, the rule that depends on it and the apps that fill it."""

    def __init__(self, name: str, *, rule: str, filled_by: str, required: bool = True) -> None:
        super().__init__()
        self.name = name
        self.rule = rule
        self.filled_by = filled_by
        self.required = required
        DECLARED.append(self)

    def add(self, fn: F) -> F:
        """Append once (ready() may run more than once in tests); usable as a decorator."""
        if fn not in self:
            self.append(fn)
        return fn

    def __repr__(self) -> str:
        return f"<Hooks {self.name}: {len(self)}>"

    # Hooks compare by identity: two registries with the same contents are still two registries.
    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other
