"""Permission cases for the common transfer file (register) and the SEN file pack (reports)."""

from __future__ import annotations

from django.utils import timezone

from tests.factories import pupil_at

from .base import CASEWORK_ROLES, Case


def _leaver(demo, school):
    return {"pk": pupil_at(demo, school, leaving_date=timezone.localdate()).pk}


CASES = [
    # A leaver's CTF: whoever may change the pupil's register (their school's casework roles, the lead).
    Case("register:ctf_send", kwargs=_leaver, own=CASEWORK_ROLES, other_school={"lead@oak.test"}),
    # The import picks a school where the person may change the register.
    Case("register:ctf_import", own=CASEWORK_ROLES),
]
# A PDF per role is slow: the pack's roles, other schools and other trusts are tested there.
COVERED_ELSEWHERE = {"reports:sen_file_pack": "tests/reports/test_sen_file_pack.py"}
