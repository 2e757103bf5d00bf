"""Permission cases for the data protection area: the data protection lead (Oak's inclusion lead) everywhere
in the trust; a SENCO for the subject access requests of their own school; casework roles for deleting a
document uploaded by mistake; everyone else, and every other trust, 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_scopes import scopes_disabled

from pupils.models import Destruction, LegalHold
from reports.models import SubjectAccessRequest
from tests.factories import make_pupil

from .base import CASEWORK_ROLES, Case
from .documents import make_document

LEAD = "lead@oak.test"
SENCO = "senco.acorn@oak.test"


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": make_pupil(school).pk}


def _document(demo: Any, school: Any) -> dict[str, Any]:
    document = make_document(make_pupil(school))
    return {"pupil_id": document.pupil_id, "pk": document.pk}


def make_request(school: Any) -> SubjectAccessRequest:
    pupil = make_pupil(school)
    with scopes_disabled():
        return SubjectAccessRequest.objects.create(
            trust_id=school.trust_id,
            school=school,
            pupil=pupil,
            requester_kind="parent",
            requester_name="Sam Parent",
            received_on=date(2026, 1, 5),
            recorded_by=pupil.school.trust.users.first(),
        )


def _destruction(demo: Any, school: Any) -> dict[str, Any]:
    pupil = make_pupil(school, date_of_birth=date(1980, 1, 1), leaving_date=date(1996, 7, 20))
    with scopes_disabled():
        d = Destruction.objects.create(
            trust_id=school.trust_id,
            school=school,
            pupil=pupil,
            former_pupil_id=pupil.pk,
            rule="IRMS",
            listed_on=date(2026, 1, 1),
        )
    return {"pk": d.pk}


def _hold(demo: Any, school: Any) -> dict[str, Any]:
    pupil = make_pupil(school)
    with scopes_disabled():
        hold = LegalHold.objects.create(
            trust_id=school.trust_id,
            pupil=pupil,
            kind="tribunal",
            reason="Appeal",
            placed_by=school.trust.users.first(),
        )
    return {"pk": hold.pk}


CASES = [
    Case("reports:data_protection", own={LEAD, SENCO}),
    Case("reports:data_protection_lead", own={LEAD}),
    Case("reports:destruction_sign_off", kwargs=_destruction, own={LEAD}, other_school={LEAD}),
    Case("reports:legal_hold_new", kwargs=_pupil, own={LEAD}, other_school={LEAD}),
    Case("reports:legal_hold_lift", kwargs=_hold, own={LEAD}, other_school={LEAD}, method="post", ok=(302,)),
    Case("reports:sar_new", kwargs=_pupil, own={LEAD, SENCO}, other_school={LEAD}),
    Case(
        "reports:sar_detail",
        kwargs=lambda demo, school: {"pk": make_request(school).pk},
        own={LEAD, SENCO},
        other_school={LEAD},
    ),
    Case("reports:document_delete", kwargs=_document, own=CASEWORK_ROLES, other_school={LEAD}),
]
# The export renders two PDFs: its permission and contents are tested once, in the subject access tests.
COVERED_ELSEWHERE = {"reports:sar_export": "tests/reports/test_subject_access.py"}
