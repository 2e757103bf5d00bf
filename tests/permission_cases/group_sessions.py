"""A group session: whoever may log sessions for at least one pupil in the group (casework roles of the
school, the inclusion lead, the teacher and TA of the pupils); everyone else and other trusts get 404."""

from __future__ import annotations

from typing import Any

from .base import CASEWORK_ROLES, Case
from .graduated import LEAD, TEACHING, active_cycle, provision


def _group(demo: Any, school: Any) -> dict[str, Any]:
    active_cycle(demo, school)
    return {"provision_id": provision(school).pk}


CASES: list[Case] = [
    Case("graduated:log_group_session", kwargs=_group, own=CASEWORK_ROLES | TEACHING, other_school=LEAD),
]
