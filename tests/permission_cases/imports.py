"""Permission cases for the MIS import pages and the possible-leavers pages."""

from __future__ import annotations

from django.utils import timezone

from pupils import importing
from pupils.upn import make_upn
from pupils.views.imports import _token
from tests.factories import make_pupil

from .base import CASEWORK_ROLES, Case

LEAD = {"lead@oak.test"}
# Who uploaded the file waiting for its preview: a token only ever opens for its own uploader.
UPLOADER = {"acorn": "senco.acorn@oak.test", "beech": "lead@oak.test", "willow": "senco.willow@river.test"}


def _preview(demo, school):
    key = next(k for k, s in demo.schools.items() if s.pk == school.pk)
    content = (
        f"UPN,Legal Surname,Legal Forename,DOB,Gender,Year\r\n{make_upn(893, 2101, 22, 1)},Smith,Ava,14/03/2017,F,4\r\n"
    )
    name = importing.store_upload(content.encode())
    token = _token(
        name=name, school=school, kind="pupils", full=False, filename="p.csv", user_id=demo.user(UPLOADER[key]).pk
    )
    return {"token": token}


def _possible_leaver(demo, school):
    return {"pk": make_pupil(school, possible_leaver_since=timezone.localdate()).pk}


CASES = [
    Case("pupils:import", own=CASEWORK_ROLES),
    Case("pupils:import_preview", kwargs=_preview, own={UPLOADER["acorn"]}, other_school=LEAD),
    Case(
        "pupils:import_preview", kwargs=_preview, own={UPLOADER["acorn"]}, other_school=LEAD, method="post", ok=(302,)
    ),
    Case(
        "pupils:import_leavers",
        kwargs=lambda demo, school: {"school_id": school.pk},
        own=CASEWORK_ROLES,
        other_school=LEAD,
    ),
    # An empty decision re-shows the list with its error (200); a real one redirects (302).
    Case(
        "pupils:import_leaver_decide",
        kwargs=_possible_leaver,
        own=CASEWORK_ROLES,
        other_school=LEAD,
        method="post",
        ok=(200, 302),
    ),
]
