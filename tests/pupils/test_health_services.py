"""Recording medical conditions and writing individual health care plans (pupils.health)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from pupils import health
from pupils.models import HealthCarePlan, MedicalCondition, PlanMedication
from tests.factories import pupil_at
from tests.permission_cases.health import make_condition
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db

INHALER = health.Medication(
    name="Salbutamol", dose="2 puffs", when="When wheezy", given_by="Pupil", kept_where="Classroom box"
)


def _plan_args(demo: Any, pupil: Any, condition: MedicalCondition, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "pupil": pupil,
        "actor": demo.user("senco.acorn@oak.test"),
        "condition_ids": [condition.pk],
        "emergency_summary": "Two puffs of the blue inhaler; 999 if no better.",
        "emergency_steps": "Sit upright.\nInhaler.\nCall 999.",
        "review_due": today + timedelta(days=200),
        "medications": [INHALER],
        "training": [health.Training("Tom Brennan", "Inhaler use", today - timedelta(days=3))],
    } | overrides


def test_a_condition_is_recorded_and_audited_and_bad_input_writes_nothing(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as refused:
            health.record_condition(
                pupil=pupil,
                actor=senco,
                condition="x" * 151,
                source="nowhere",
                details="y" * 2001,
                noted_on=timezone.localdate() + timedelta(days=1),
            )
        assert set(refused.value.message_dict) == {"condition", "source", "details", "noted_on"}
        assert not MedicalCondition.objects.exists()
        row = health.record_condition(pupil=pupil, actor=senco, condition=" Asthma ", source="gp")
        assert row.condition == "Asthma" and row.recorded_by == senco
        assert AuditEntry.objects.filter(object_type="pupils.MedicalCondition", action="create").count() == 1
        with pytest.raises(ValidationError, match="SENCO, headteacher or inclusion lead"):
            health.record_condition(
                pupil=pupil, actor=demo.user("teacher.acorn@oak.test"), condition="Epilepsy", source="gp"
            )
        ended = health.change_condition(
            condition_row=row, actor=senco, condition="Asthma", source="gp", ended_on=timezone.localdate()
        )
        assert ended.ended_on == timezone.localdate()


def test_every_problem_with_a_plan_is_told_at_once_and_nothing_is_written(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    other = pupil_at(demo, demo.acorn)
    condition, not_theirs = make_condition(pupil), make_condition(other)
    today = timezone.localdate()
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as refused:
            health.write_plan(
                **_plan_args(
                    demo,
                    pupil,
                    condition,
                    condition_ids=[not_theirs.pk],
                    emergency_steps="  ",
                    emergency_summary="z" * 301,
                    review_due=today - timedelta(days=1),
                    triggers="t" * 4001,
                    parent_agreed_by="Jo Ellis",
                    professional_name="Nurse Ann",
                    medications=[health.Medication("Old pen", "1", "", "", "", expires_on=today - timedelta(1))],
                )
            )
        problems = refused.value.message_dict
        assert problems["emergency_steps"] == ["Enter what to do in an emergency, step by step."]
        assert problems["review_due"] == ["The review date must be in the future."]
        assert problems["conditions"] == ["Choose only conditions recorded for this pupil."]
        assert "300 characters or fewer" in problems["emergency_summary"][0]
        assert "4000 characters" in problems["triggers"][0]
        assert problems["parent_agreed_on"] == ["Enter the date the parent or carer agreed the plan."]
        assert set(problems) >= {"professional_role", "professional_agreed_on"}
        assert any("past its expiry date" in m for m in problems["__all__"])
        assert any("Medicine 1: enter when it is given" in m for m in problems["__all__"])
        with pytest.raises(ValidationError) as too_far:
            health.write_plan(**_plan_args(demo, pupil, condition, review_due=today + timedelta(days=366)))
        assert "at least once a year" in too_far.value.message_dict["review_due"][0]
        assert not HealthCarePlan.objects.exists() and not PlanMedication.objects.exists()


def test_a_review_writes_a_new_version_and_keeps_the_old_one(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    condition = make_condition(pupil, needs_ihcp=False)
    with scope(trust=demo.oak.pk):
        first = health.write_plan(**_plan_args(demo, pupil, condition, parent_agreed_by=""))
        second = health.write_plan(
            **_plan_args(demo, pupil, condition, emergency_summary="Changed after the review.", medications=[])
        )
        first.refresh_from_db()
        assert (first.version, second.version) == (1, 2)
        assert first.superseded_at is not None and second.current
        assert health.current_plan(pupil) == second
        assert first.medications.count() == 1 and second.medications.count() == 0  # the old version unchanged
        assert first.emergency_summary != second.emergency_summary
        assert [p.version for p in health.plan_versions(pupil)] == [2, 1]
        condition.refresh_from_db()
        assert condition.needs_ihcp
        summaries = list(
            AuditEntry.objects.filter(object_type="pupils.HealthCarePlan")
            .order_by("id")
            .values_list("summary", "action")
        )
        assert [a for _, a in summaries] == ["create", "change", "create"]


def test_a_parent_agrees_to_the_current_plan_only(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)  # the child of parent.acorn
    condition = make_condition(pupil)
    parent = demo.user("parent.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        first = health.write_plan(**_plan_args(demo, pupil, condition))
        second = health.write_plan(**_plan_args(demo, pupil, condition))
        first.refresh_from_db()
        with pytest.raises(ValidationError, match="replaced by a newer one"):
            health.confirm_parent_agreement(plan=first, parent=parent)
        with pytest.raises(ValidationError, match="Only the child's parent"):
            health.confirm_parent_agreement(plan=second, parent=demo.user("teacher.acorn@oak.test"))
        agreed = health.confirm_parent_agreement(plan=second, parent=parent)
        assert agreed.parent_agreed_user == parent and agreed.parent_agreed_on == timezone.localdate()
        assert agreed.parent_agreed_by


def test_a_subject_access_export_holds_the_conditions_and_every_version_of_the_plan(demo) -> None:
    from pupils.retention import pupils_own_rows

    pupil = pupil_at(demo, demo.acorn)
    condition = make_condition(pupil)
    with scope(trust=demo.oak.pk):
        health.write_plan(**_plan_args(demo, pupil, condition))
        health.write_plan(**_plan_args(demo, pupil, condition))
        rows = pupils_own_rows(pupil)
    plans = next(v for k, v in rows.items() if "health care plan" in k.lower())
    assert sorted(p["version"] for p in plans) == [1, 2]
    assert any(r["condition"] == "Asthma" for k, v in rows.items() for r in v if "condition" in k.lower())
    assert sum(len(v) for k, v in rows.items() if "medication" in k.lower()) == 2
