"""Permission cases for the pupil's "All about me" (pupils.voice): the casework roles of the pupil's school
and the pupil's own teacher and teaching assistant read and complete it; the pupil's parent completes it at
home from the portal; the SENCO takes it as a review's pupil's views. Governors and trustees: never."""

from __future__ import annotations

from typing import Any

from tests.factories import pupil_at

from .base import CASEWORK_ROLES, Case
from .reviews import make_review

TEACHING = {"teacher.acorn@oak.test", "ta.acorn@oak.test"}
LEAD_ONLY = {"lead@oak.test"}  # the only Oak role that reaches Beech's pupils


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": pupil_at(demo, school).pk}


def _child(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": pupil_at(demo, school).pk}


def _review(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": make_review(demo, school).pk}


CASES: list[Case] = [
    Case("pupils:all_about_me", kwargs=_pupil, own=CASEWORK_ROLES | TEACHING, other_school=LEAD_ONLY),
    Case("pupils:all_about_me_new", kwargs=_pupil, own=CASEWORK_ROLES | TEACHING, other_school=LEAD_ONLY),
    # A parent, for their own child only (the Beech pupil is nobody's child here).
    Case("reports:portal_all_about_me", kwargs=_child, own={"parent.acorn@oak.test"}),
    # Refused (the pupil has no All about me) but reached: a redirect back to the review with the message.
    Case(
        "reviews:use_all_about_me",
        kwargs=_review,
        own=CASEWORK_ROLES,
        other_school=LEAD_ONLY,
        method="post",
        ok=(302,),
    ),
]
