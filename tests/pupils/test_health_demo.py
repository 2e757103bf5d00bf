"""The demo's health care plans (pupils.demo.seed_health): asthma with an inhaler (reviewed once), epilepsy
with an emergency plan due for review soon, a condition with no plan; idempotent."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from pupils import health
from pupils.demo import seed_health
from pupils.models import HealthCarePlan, MedicalCondition
from tests.factories import pupil_at

pytestmark = pytest.mark.django_db


def test_the_demo_shows_each_kind_of_plan_and_runs_once(demo) -> None:
    child = pupil_at(demo, demo.acorn)  # parent.acorn's child, in 4B
    pupil_at(demo, demo.acorn)
    pupil_at(demo, demo.acorn)
    objects = {"schools": demo.schools, "users": demo.users}
    with scopes_disabled():
        assert seed_health(objects).startswith("3 health care plan versions")
        assert seed_health(objects) == "Health care plans were already there."
        asthma = HealthCarePlan.objects.get(pupil=child, superseded_at=None)
        assert asthma.version == 2 and asthma.medications.get().name.startswith("Salbutamol")
        assert HealthCarePlan.objects.filter(pupil=child).count() == 2
        epilepsy = HealthCarePlan.objects.exclude(pupil=child).get()
        assert "Epilepsy" in [c.condition for c in epilepsy.conditions.all()]
        assert health.review_state(epilepsy) == "soon"
        assert MedicalCondition.objects.filter(health_plans=None).count() == 1
    with scope(trust=demo.oak.pk):
        assert health.remind_reviews(today=epilepsy.review_due - health.REMIND_BEFORE) == 2
