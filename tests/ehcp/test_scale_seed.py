"""The benchmark trust's EHC casework (bulk inserts) looks like the engine's own rows."""

from __future__ import annotations

import io
import random

import pytest
from django_scopes import scopes_disabled

from ehcp import rules
from ehcp.models import Deadline, EhcPlan, NeedsAssessment
from register.models import RegisterEntry

pytestmark = pytest.mark.django_db


def test_seed_scale_gives_every_e_pupil_a_plan_and_rule_dated_deadlines() -> None:
    from reports.management.commands.seed_scale import seed

    with scopes_disabled():
        seed(1, 200, random.Random(5), io.StringIO())
        e_pupils = set(RegisterEntry.objects.filter(status="E").values_list("pupil_id", flat=True))
        assert e_pupils
        assert set(EhcPlan.objects.values_list("pupil_id", flat=True)) == e_pupils
        assert NeedsAssessment.objects.count() > len(e_pupils)
        for d in Deadline.objects.exclude(subject_type="annual_review"):
            assert d.due == d.statutory_due == rules.due_date(d.rule_id, d.trigger_date), d.rule_id
            assert d.responsible == rules.get_rule(d.rule_id).who
            assert (d.status == "met") == (d.met_on is not None)
        assert Deadline.objects.filter(rule_id="R1", subject_type="ehc_plan").count() == len(e_pupils)
