"""Permission cases for the cause-for-concern pages, and the builder the concern tests share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from register.concerns import raise_concern
from register.models import CauseForConcern
from tests.factories import pupil_at

from .base import CASEWORK_ROLES, Case

TEACHING = {"teacher.acorn@oak.test", "ta.acorn@oak.test"}
LEAD_ONLY = {"lead@oak.test"}  # the only Oak role that reaches Beech's concerns
# Who raises the concern a case needs, by school: the pupil's own teacher where there is one.
RAISERS = {"acorn": "teacher.acorn@oak.test", "beech": "senco.beech@oak.test", "willow": "teacher.willow@river.test"}

CONCERN_ANSWERS: dict[str, Any] = {
    "areas": ["cognition"],
    "observations": "Reading age two years below peers who started from the same point.",
    "evidence": "Termly reading assessments",
    "strategies_tried": "Pre-teaching vocabulary; phonics catch-up group",
    "strategies_effect": "Small gains, the gap is widening",
    "parents_spoken_to": True,
    "parents_view": "They have noticed the same at home",
    "pupil_view": "Reading is hard",
}


def make_concern(demo: Any, school: Any, *, pupil: Any = None, raised_by: str | None = None, **answers: Any):
    """A concern raised through the service by the pupil's teacher (or `raised_by`)."""
    pupil = pupil or pupil_at(demo, school)
    key = next(k for k, s in demo.schools.items() if s.pk == school.pk)
    actor = demo.user(raised_by or RAISERS[key])
    data = {**CONCERN_ANSWERS, "noticed_since": timezone.localdate() - timedelta(days=60), **answers}
    with scope(trust=school.trust_id):
        return raise_concern(pupil=pupil, actor=actor, **data)


def _concern(demo: Any, school: Any) -> dict[str, Any]:
    concern: CauseForConcern = make_concern(demo, school)
    return {"pk": concern.pk}


CASES: list[Case] = [
    # Teachers and TAs raise concerns about their own pupils; casework roles about any pupil of their schools.
    Case("register:concern_new", own=TEACHING | CASEWORK_ROLES),
    Case("register:my_concerns", own=TEACHING | CASEWORK_ROLES),
    Case("register:concern_queue", own=CASEWORK_ROLES),
    # One concern: casework roles of its school and the teacher who raised it (not the TA of the same class).
    Case(
        "register:concern_detail",
        kwargs=_concern,
        own=CASEWORK_ROLES | {"teacher.acorn@oak.test"},
        other_school=LEAD_ONLY,
    ),
    Case(
        "register:concern_start",
        kwargs=_concern,
        own=CASEWORK_ROLES,
        other_school=LEAD_ONLY,
        method="post",
        ok=(302,),
    ),
    Case("register:concern_triage", kwargs=_concern, own=CASEWORK_ROLES, other_school=LEAD_ONLY),
]
