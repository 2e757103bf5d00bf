"""The support-plan review shows each outcome's evidence (scores logged, the chart) beside its judgement;
an outcome carried forward starts the next cycle from its last score."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from graduated import services
from graduated.models import Cycle
from tests.permission_cases.graduated import active_cycle, casework_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _score(demo, cycle, value: str, days_ago: int, outcome=None) -> None:
    with scope(trust=demo.oak.pk):
        services.log_delivery(
            allocation=cycle.allocations.get(),
            actor=casework_user(demo.acorn),
            session_date=max(cycle.started_on, TODAY - timedelta(days=days_ago)),
            attended=True,
            score=Decimal(value),
            outcome=outcome,
        )


def test_the_review_form_shows_the_scores_and_chart_beside_each_judgement(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    _score(demo, cycle, "55", 6)
    _score(demo, cycle, "62", 1)
    page = demo.client_for("senco.acorn@oak.test").get(reverse("graduated:review", args=[cycle.pk])).content.decode()
    evidence = page[page.index("The evidence: scores logged this cycle") : page.index("Achieved")]
    assert "Latest score <strong>62</strong>" in evidence
    assert "from a baseline of 40; the target is 80." in evidence
    assert "<svg" in evidence and "Scores for outcome 1" in evidence


def test_an_outcome_carried_forward_starts_from_its_last_score(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    senco = casework_user(demo.acorn)
    with scope(trust=demo.oak.pk):
        services.add_outcome(
            cycle=cycle, actor=senco, description="Write a sentence", baseline="Writes words",
            target="Writes a sentence", measured_by="Writing sample",
        )  # fmt: skip
        scored, unscored = list(cycle.outcomes.order_by("position", "pk"))
    _score(demo, cycle, "61", 2, outcome=scored)
    with scope(trust=demo.oak.pk):
        services.record_review(
            cycle=cycle,
            actor=senco,
            results={scored.pk: ("partly", "61 of 100"), unscored.pk: ("not", "Not yet")},
            reviewed_on=TODAY,
            next_step=Cycle.NextStep.NEW_CYCLE,
        )
        new = Cycle.objects.get(pupil=cycle.pupil, number=2)
        carried = {o.carried_from_id: o for o in new.outcomes.all()}
    moved = carried[scored.pk]
    assert moved.baseline_score == Decimal(61) and moved.target_score == Decimal(80)
    assert moved.baseline.startswith("At the end of cycle 1: 61 on Weekly word check on ")
    kept = carried[unscored.pk]
    assert (kept.baseline, kept.baseline_score) == ("Writes words", None)
