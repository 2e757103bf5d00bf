"""The demo EHC casework: plans for about 4% of pupils, an assessment with A2 open, a missed LA deadline, R9."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from ehcp.demo import seed_ehcp
from ehcp.models import Deadline, EhcPlan
from pupils.models import Pupil
from register.demo import seed_pupils_and_register
from register.models import RegisterEntry
from trusts.demo import seed_tenancy

pytestmark = pytest.mark.django_db


def test_seed_ehcp_builds_plans_assessments_and_deadlines_once() -> None:
    with scopes_disabled():
        objects = seed_tenancy()
        seed_pupils_and_register(objects)
        summary = seed_ehcp(objects)
        for school in objects["schools"].values():
            on_roll = Pupil.objects.filter(school=school, leaving_date=None).count()
            plans = EhcPlan.objects.filter(school=school)
            assert 0.02 * on_roll <= plans.count() <= 0.05 * on_roll + 1, school.name
            assert set(RegisterEntry.objects.filter(pupil__ehc_plans__in=plans).values_list("status", flat=True)) == {
                "E"
            }
            assert Deadline.objects.filter(school=school, rule_id="R1").count() == plans.count()
        acorn = objects["schools"]["acorn"]
        assert Deadline.objects.filter(school=acorn, rule_id="A2", status="open").exists()
        assert Deadline.objects.filter(school=acorn, rule_id="A1", status="missed", responsible="la").exists()
        r9s = list(Deadline.objects.filter(school=acorn, rule_id="R9").select_related("pupil"))
        assert r9s and all(d.pupil.year_group == "6" and (d.due.month, d.due.day) == (2, 14) for d in r9s)
        assert "EHC plans" in summary
        count = Deadline.objects.count()
        assert seed_ehcp(objects).startswith("0 EHC plans")
        assert Deadline.objects.count() == count
