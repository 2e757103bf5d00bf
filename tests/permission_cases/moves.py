"""Permission cases for recording a move within the trust: the casework roles of the pupil's school only
(the trust's inclusion lead everywhere); everyone else, and every other trust, gets 404."""

from __future__ import annotations

from typing import Any

from tests.factories import pupil_at

from .base import CASEWORK_ROLES, Case


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": pupil_at(demo, school).pk}


CASES: list[Case] = [
    Case("pupils:move", kwargs=_pupil, own=CASEWORK_ROLES, other_school={"lead@oak.test"}),
]
