"""Permission cases for the register pages."""

from __future__ import annotations

from tests.factories import pupil_at

from .base import CASEWORK_ROLES, Case

TEACHING = {"teacher.acorn@oak.test", "ta.acorn@oak.test"}


def _pupil(demo, school):
    return {"pk": pupil_at(demo, school).pk}


CASES = [
    Case("register:list", own=CASEWORK_ROLES),
    Case("register:census_export", own=CASEWORK_ROLES),
    Case("register:my_pupils", own=TEACHING | {"senco.acorn@oak.test"}),
    # The record: casework roles of the school (the lead everywhere), and the pupil's own teacher and TA.
    Case("pupils:record", kwargs=_pupil, own=CASEWORK_ROLES | TEACHING, other_school={"lead@oak.test"}),
    Case("register:change_status", kwargs=_pupil, own=CASEWORK_ROLES, other_school={"lead@oak.test"}),
    Case("pupils:access_log", kwargs=_pupil, own=CASEWORK_ROLES, other_school={"lead@oak.test"}),
]

# The record's old address answers a permanent redirect to its new one, which does the checking.
COVERED_ELSEWHERE = {"register:moved_record": "tests/pupils/test_record.py"}
