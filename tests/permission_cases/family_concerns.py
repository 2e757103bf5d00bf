"""Permission cases for concerns from families: only the child's own parent may raise one in the portal."""

from __future__ import annotations

from typing import Any

from tests.factories import pupil_at

from .base import Case


def _child(demo: Any, school: Any) -> dict[str, Any]:
    # At Acorn the pupil is parent.acorn's child; Beech's pupil has no parent among the roles (404 to all).
    return {"pk": pupil_at(demo, school).pk}


CASES = [
    Case("reports:portal_concern_new", kwargs=_child, own={"parent.acorn@oak.test"}),
    Case("reports:portal_concern_new", kwargs=_child, own={"parent.acorn@oak.test"}, method="post"),
]
