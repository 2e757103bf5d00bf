"""Permission cases for the EHC pages (deadlines, assessments, plans, consultations), and their builders.

Only casework roles (SENCO, headteacher, inclusion lead) reach any of them: never parents, governors,
trustees, teachers or teaching assistants.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import consultations, services, wording
from ehcp import deadlines as engine
from ehcp.models import Consultation, Deadline, DraftWording, EhcPlan, NeedsAssessment
from pupils.models import Pupil
from register.models import RegisterEntry
from tests.factories import pupil_at
from trusts.models import Membership, Role, User

from .base import CASEWORK_ROLES, Case

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LEAD_ONLY = {"lead@oak.test"}


def casework_user(school: Any) -> User:
    """The school's SENCO (or the trust's inclusion lead) to act in builders."""
    with scopes_disabled():
        m = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first() or (
            Membership.objects.filter(trust_id=school.trust_id, role=Role.INCLUSION_LEAD).select_related("user").first()
        )
    assert m is not None
    return m.user


def k_pupil(demo: Any, school: Any, need: str = "ASD", **fields: Any) -> Pupil:
    """A pupil on SEN support (K) with a primary need, ready for an EHC plan."""
    pupil = pupil_at(demo, school, **fields)
    with scopes_disabled():
        RegisterEntry.objects.create(
            trust_id=school.trust_id,
            school=school,
            pupil=pupil,
            status="K",
            since=date(2023, 9, 1),
            primary_need=need,
        )
    return pupil


def make_plan(demo: Any, school: Any, *, issued_on: date | None = None, pdf: bool = False, **fields: Any) -> EhcPlan:
    pupil = k_pupil(demo, school, **fields)
    with scope(trust=school.trust_id):
        return services.issue_plan(
            pupil=pupil,
            issued_on=issued_on or timezone.localdate() - timedelta(days=30),
            local_authority=school.local_authority,
            placement=school.name,
            sections={"section_b": "Autism; needs a predictable day"},
            outcomes=[
                services.OutcomeInput(
                    text="Asks for help when stuck",
                    provision=[services.ProvisionInput("Social communication group", "weekly", "SENCO", None)],
                )
            ],
            pdf=SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf") if pdf else None,
            actor=casework_user(school),
        )


def make_assessment(demo: Any, school: Any, *, received: date | None = None) -> NeedsAssessment:
    pupil = k_pupil(demo, school)
    with scope(trust=school.trust_id):
        return services.request_assessment(
            pupil=pupil,
            requested_by="school",
            request_received_on=received or timezone.localdate() - timedelta(days=10),
            actor=casework_user(school),
        )


def make_deadline(demo: Any, school: Any, *, rule_id: str = "A2", trigger: date | None = None) -> Deadline:
    pupil = pupil_at(demo, school)
    with scope(trust=school.trust_id):
        return engine.open_deadline(
            rule_id=rule_id,
            trigger_date=trigger or timezone.localdate() - timedelta(days=10),
            school=school,
            pupil=pupil,
            subject_type="needs_assessment",
            subject_id=10_000_000 + pupil.pk,
            actor=None,
        )


_children = itertools.count(1)


def make_consultation(demo: Any, school: Any, *, child_name: str = "") -> Consultation:
    """A consultation from the school's LA about a child not yet on roll, consulted 3 days ago (A5 open)."""
    child_name = child_name or f"Sam Newcomer {next(_children)}"
    with scope(trust=school.trust_id):
        return consultations.record_consultation(
            school=school,
            local_authority=school.local_authority or "Oakshire",
            consulted_on=timezone.localdate() - timedelta(days=3),
            child_name=child_name,
            child_date_of_birth=date(2021, 5, 4),
            draft=SimpleUploadedFile("draft.pdf", PDF_BYTES, content_type="application/pdf"),
            actor=casework_user(school),
        )


def make_wording(demo: Any, school: Any) -> DraftWording:
    """A consultation's draft with the demo's vague wording pasted in."""
    from ehcp.wording_demo import VAGUE_DRAFT

    c = make_consultation(demo, school)
    with scope(trust=school.trust_id):
        return wording.record_wording(
            subject=c, received_on=c.consulted_on, sections=VAGUE_DRAFT, actor=casework_user(school)
        )


def _consultation(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": make_consultation(demo, school).pk}


def _version_pk(demo: Any, school: Any) -> dict[str, Any]:
    plan = make_plan(demo, school, pdf=True)
    with scopes_disabled():
        return {"pk": plan.versions.get().pk}


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": pupil_at(demo, school).pk}


OBJECT = {"own": CASEWORK_ROLES, "other_school": LEAD_ONLY}

CASES: list[Case] = [
    Case("ehcp:deadlines", own=CASEWORK_ROLES),
    Case("ehcp:deadline_list", own=CASEWORK_ROLES),
    Case("ehcp:deadline_csv", own=CASEWORK_ROLES),
    Case("ehcp:deadline_detail", kwargs=lambda demo, school: {"pk": make_deadline(demo, school).pk}, **OBJECT),
    Case("ehcp:settings", own=LEAD_ONLY),
    Case("ehcp:calendar_feed_settings", own=CASEWORK_ROLES),
    Case("ehcp:assessments", own=CASEWORK_ROLES),
    Case("ehcp:assessment_detail", kwargs=lambda demo, school: {"pk": make_assessment(demo, school).pk}, **OBJECT),
    Case(
        "ehcp:assessment_event",
        kwargs=lambda demo, school: {"pk": make_assessment(demo, school).pk, "event": "decision"},
        **OBJECT,
    ),
    Case("ehcp:pupil_ehc", kwargs=_pupil, **OBJECT),
    Case("ehcp:assessment_new", kwargs=_pupil, **OBJECT),
    Case("ehcp:plan_new", kwargs=_pupil, **OBJECT),
    Case("ehcp:plans", own=CASEWORK_ROLES),
    Case("ehcp:plan_detail", kwargs=lambda demo, school: {"pk": make_plan(demo, school).pk}, **OBJECT),
    Case("ehcp:plan_amend", kwargs=lambda demo, school: {"pk": make_plan(demo, school).pk}, **OBJECT),
    Case("ehcp:plan_cease", kwargs=lambda demo, school: {"pk": make_plan(demo, school).pk}, **OBJECT),
    Case("ehcp:plan_issue_date", kwargs=lambda demo, school: {"pk": make_plan(demo, school).pk}, **OBJECT),
    Case("ehcp:version_pdf", kwargs=_version_pk, **OBJECT),
    Case("ehcp:version_pdf_upload", kwargs=_version_pk, **OBJECT),
    Case("ehcp:version_outcome_add", kwargs=_version_pk, **OBJECT),
    Case("ehcp:version_provision_add", kwargs=_version_pk, **OBJECT),
    Case("ehcp:consultations", own=CASEWORK_ROLES),
    Case("ehcp:consultation_new", own=CASEWORK_ROLES),
    Case("ehcp:consultation_detail", kwargs=_consultation, **OBJECT),
    Case("ehcp:consultation_draft", kwargs=_consultation, **OBJECT),
    Case("ehcp:consultation_reply", kwargs=_consultation, **OBJECT),
    Case("ehcp:consultation_outcome", kwargs=_consultation, **OBJECT),
    Case("ehcp:consultation_link", kwargs=_consultation, **OBJECT),
    Case(
        "ehcp:wording_new",
        kwargs=lambda demo, school: {"kind": "consultation", **_consultation(demo, school)},
        **OBJECT,
    ),
    Case(
        "ehcp:wording_new",
        kwargs=lambda demo, school: {"kind": "plan", "pk": make_plan(demo, school).pk},
        **OBJECT,
    ),
    Case("ehcp:wording_detail", kwargs=lambda demo, school: {"pk": make_wording(demo, school).pk}, **OBJECT),
    Case("ehcp:wording_edit", kwargs=lambda demo, school: {"pk": make_wording(demo, school).pk}, **OBJECT),
]

COVERED_ELSEWHERE = {
    # Reached without a session, by its secret address only: tests/ehcp/test_calendar_feed.py.
    "ehcp:calendar_feed": "tests/ehcp/test_calendar_feed.py",
    # Trust-wide (no school in the URL): tests/ehcp/test_deadline_views.py checks every role.
    "ehcp:setting_edit": "tests/ehcp/test_deadline_views.py",
}
