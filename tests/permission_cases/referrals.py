"""Permission cases for referrals to outside agencies, and the builders the referral tests share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from register import referral_steps as steps
from register import referrals
from register.models import Referral
from tests.factories import link_parent, make_pupil, pupil_at
from trusts.models import Membership, Role, User

from .base import CASEWORK_ROLES, Case

LEAD_ONLY = {"lead@oak.test"}  # the only Oak role that reaches Beech's referrals
PARENT = "parent.acorn@oak.test"


def staff_of(school: Any) -> User:
    """The school's SENCO (River's Willow has one too), else the trust's inclusion lead."""
    with scopes_disabled():
        m = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
        m = m or Membership.objects.filter(trust_id=school.trust_id, role=Role.INCLUSION_LEAD).first()
    assert m is not None
    return m.user


def make_referral(demo: Any, school: Any, *, pupil: Any = None, to: str = "", agency: str = "salt") -> Referral:
    """A referral through the services, taken as far as `to`: "" (waiting for consent), "consent",
    "referred", "accepted" (response), "appointment"."""
    pupil = pupil or pupil_at(demo, school)
    actor = staff_of(school)
    today = timezone.localdate()
    with scope(trust=school.trust_id):
        referral = referrals.create_referral(pupil=pupil, actor=actor, agency=agency, reason="Speech sounds unclear")
        stages = ["consent", "referred", "accepted", "appointment"]
        wanted = stages[: stages.index(to) + 1] if to else []
        if "consent" in wanted:
            contact = pupil.contacts.first() or link_parent(pupil, actor, "carer")
            referrals.record_consent(
                referral=referral,
                actor=actor,
                contact=contact,
                given_on=today - timedelta(days=60),
                how="writing",
                purposes=["sharing", "assessment"],
            )
        if "referred" in wanted:
            steps.mark_referred(referral=referral, actor=actor, referred_on=today - timedelta(days=50))
        if "accepted" in wanted:
            steps.record_response(
                referral=referral, actor=actor, response="accepted", response_on=today - timedelta(days=20)
            )
        if "appointment" in wanted:
            steps.add_appointment(referral=referral, actor=actor, on=today + timedelta(days=5))
        referral.refresh_from_db()
    return referral


def _referral(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": make_referral(demo, school, to="consent").pk}


def _step(step: str):
    def kwargs(demo: Any, school: Any) -> dict[str, Any]:
        return {"pk": make_referral(demo, school, to="referred").pk, "step": step}

    return kwargs


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": pupil_at(demo, school).pk}


def _parents_referral(demo: Any, school: Any) -> dict[str, Any]:
    # At Acorn the pupil is parent.acorn's child; at Beech nobody in ROLES is their parent.
    pupil = pupil_at(demo, school) if school.pk != demo.beech.pk else make_pupil(school)
    return {"pk": make_referral(demo, school, pupil=pupil, to="consent").pk}


CASES: list[Case] = [
    # The school's list and its CSV: casework roles (the lead chooses the school with ?school=).
    Case("register:referral_list", own=CASEWORK_ROLES),
    Case("register:referral_export", own=CASEWORK_ROLES),
    # One pupil's referral, and each step: casework roles of the pupil's school; never teachers, TAs,
    # governors, trustees or parents (the parent reads their child's referrals in the portal).
    Case("register:referral_new", kwargs=_pupil, own=CASEWORK_ROLES, other_school=LEAD_ONLY),
    Case("register:referral_detail", kwargs=_referral, own=CASEWORK_ROLES, other_school=LEAD_ONLY),
    Case("register:referral_step", kwargs=_step("response"), own=CASEWORK_ROLES, other_school=LEAD_ONLY),
    # A parent says no from the portal: only the child's own parent.
    Case("reports:portal_referral_withdraw", kwargs=_parents_referral, own={PARENT}),
]
