"""Permission cases for exam access arrangements, and the builders their tests share.

The SENCO, headteacher and inclusion lead record them and keep the school's list; a pupil's own teacher and
teaching assistant read them; governors, trustees and parents reach none of these pages (parents read
their own child's in the portal).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from graduated import services
from graduated.models import AccessArrangement
from pupils.models import Pupil
from tests.factories import pupil_at

from .base import CASEWORK_ROLES, Case
from .graduated import LEAD, TEACHING, casework_user

Kind = AccessArrangement.Kind
Status = AccessArrangement.Status


def evidence(**overrides: Any) -> dict[str, Any]:
    """A complete granted arrangement's fields (a colour overlay: no Form 8 needed), with overrides."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "kind": Kind.COLOUR_OVERLAY,
        "status": Status.GRANTED,
        "normal_way_of_working": "Uses a yellow overlay for all reading in class since Year 3.",
        "assessor_name": "Sam Hughes",
        "assessor_qualification": "Specialist teacher, Level 7 assessment qualification",
        "granted_on": today - timedelta(days=30),
        "review_on": today + timedelta(days=300),
    }
    values.update(overrides)
    return values


def arrangement_for(pupil: Pupil, **overrides: Any) -> AccessArrangement:
    with scope(trust=pupil.trust_id):
        return services.record_arrangement(pupil=pupil, actor=casework_user(pupil.school), **evidence(**overrides))


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": pupil_at(demo, school).pk}


def _arrangement(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": arrangement_for(pupil_at(demo, school)).pk}


CASES: list[Case] = [
    Case("graduated:arrangements", own=CASEWORK_ROLES),
    Case("graduated:arrangements_csv", own=CASEWORK_ROLES),
    Case("graduated:pupil_arrangements", kwargs=_pupil, own=CASEWORK_ROLES | TEACHING, other_school=LEAD),
    Case("graduated:arrangement_new", kwargs=_pupil, own=CASEWORK_ROLES, other_school=LEAD),
    Case("graduated:arrangement_edit", kwargs=_arrangement, own=CASEWORK_ROLES, other_school=LEAD),
]
