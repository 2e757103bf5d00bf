"""Permission cases for medical conditions and individual health care plans, and the builders their tests
share. Governors and trustees never reach any of it; parents only agree to their own child's plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import HealthCarePlan, MedicalCondition, PlanMedication, Pupil
from tests.factories import pupil_at
from trusts.models import Membership, Role, User

from .base import CASEWORK_ROLES, Case

TEACHERS = {"teacher.acorn@oak.test", "ta.acorn@oak.test"}  # pupil_at puts Acorn's pupil in their group
CASEWORK_HERE = {"lead@oak.test"}


def _writer(pupil: Pupil) -> User:
    with scopes_disabled():
        m = Membership.objects.filter(school_id=pupil.school_id, role=Role.SENCO).select_related("user").first()
        if m is None:
            m = Membership.objects.filter(trust_id=pupil.trust_id, role=Role.INCLUSION_LEAD).select_related("user")[0]
    return m.user


def make_condition(pupil: Pupil, condition: str = "Asthma", **fields: Any) -> MedicalCondition:
    with scopes_disabled():
        return MedicalCondition.objects.create(
            trust_id=pupil.trust_id,
            pupil=pupil,
            condition=condition,
            **({"source": "parent", "needs_ihcp": True} | fields),
        )


def make_health_plan(
    pupil: Pupil, *, review_in: int = 200, summary: str = "Two puffs of the blue inhaler; call 999 if no better."
) -> HealthCarePlan:
    """A current plan with one condition and one medicine, made directly (the service is tested on its own)."""
    condition = make_condition(pupil)
    with scopes_disabled():
        plan = HealthCarePlan.objects.create(
            trust_id=pupil.trust_id,
            school_id=pupil.school_id,
            pupil=pupil,
            emergency_summary=summary,
            emergency_steps="Sit upright. Inhaler. Call 999 if no better.",
            review_due=timezone.localdate() + timedelta(days=review_in),
            written_by=_writer(pupil),
        )
        plan.conditions.add(condition)
        PlanMedication.objects.create(
            trust_id=pupil.trust_id,
            plan=plan,
            name="Salbutamol",
            dose="2 puffs",
            when="When wheezy",
            given_by="Pupil",
            kept_where="Classroom",
        )
    return plan


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": pupil_at(demo, school).pk}


def _condition(demo: Any, school: Any) -> dict[str, Any]:
    condition = make_condition(pupil_at(demo, school))
    return {"pupil_id": condition.pupil_id, "pk": condition.pk}


def _plan(demo: Any, school: Any) -> dict[str, Any]:
    plan = make_health_plan(pupil_at(demo, school))
    return {"pupil_id": plan.pupil_id, "pk": plan.pk}


_MANAGE = {"own": CASEWORK_ROLES, "other_school": CASEWORK_HERE}
_READ = {"own": CASEWORK_ROLES | TEACHERS, "other_school": CASEWORK_HERE}

CASES: list[Case] = [
    # Reading: the pupil's casework roles and the staff who teach the pupil; never governors or trustees.
    Case("pupils:health", kwargs=_pupil, **_READ),
    Case("pupils:health_plan", kwargs=_plan, **_READ),
    # Writing: the casework roles only.
    Case("pupils:condition_add", kwargs=_pupil, **_MANAGE),
    Case("pupils:condition_edit", kwargs=_condition, **_MANAGE),
    Case("pupils:health_plan_edit", kwargs=_pupil, **_MANAGE),
    # A parent agrees to their own child's current plan (then back to the portal).
    Case(
        "pupils:health_plan_agree",
        kwargs=_plan,
        own={"parent.acorn@oak.test"},
        method="post",
        ok=(302,),
    ),
]
