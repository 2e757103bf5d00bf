"""Provision impact on the provision map and in its CSV: entry and latest scores, pupils improving towards
their target (either direction), cost per point of progress; this school year only; one query."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from graduated import queries, services
from graduated.models import DeliveryLog
from tests.permission_cases.graduated import active_cycle, casework_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _log(demo: Any, cycle: Any, score: str, days_ago: int) -> None:
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        services.log_delivery(
            allocation=allocation,
            actor=casework_user(demo.acorn),
            session_date=max(TODAY - timedelta(days=days_ago), cycle.started_on),
            attended=True,
            score=Decimal(score),
        )


def _impact(demo: Any) -> Any:
    with scope(trust=demo.oak.pk):
        pmap = queries.provision_map(demo.acorn)
        (row,) = pmap.rows
        return row, queries.provision_impact(pmap.rows, today=TODAY).get(row.provision.pk, queries.NO_EVIDENCE)


def test_entry_latest_improving_and_cost_per_point(demo) -> None:
    rising, falling = active_cycle(demo, demo.acorn), active_cycle(demo, demo.acorn)  # baseline 40, target 80
    _log(demo, rising, "50", 10)
    _log(demo, rising, "60", 2)
    _log(demo, falling, "35", 3)
    row, impact = _impact(demo)
    assert (impact.measured, impact.improving, impact.improving_percent) == (2, 1, 50)
    assert (impact.entry_mean, impact.latest_mean, impact.points) == (Decimal("40.0"), Decimal("47.5"), Decimal(20))
    assert impact.cost_per_point == (row.cost_per_pupil * 2 / 20).quantize(Decimal("0.01"))


def test_a_lower_is_better_target_and_no_baseline_number(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scopes_disabled():
        cycle.outcomes.update(baseline_score=None, target_score=Decimal(2))
    _log(demo, cycle, "10", 9)
    _log(demo, cycle, "6", 1)
    _, impact = _impact(demo)
    # No baseline number: the first score (10) is the entry; the target (2) is below, so 10 → 6 is progress.
    assert (impact.entry_mean, impact.latest_mean, impact.improving, impact.points) == (
        Decimal("10.0"), Decimal("6.0"), 1, Decimal(4)
    )  # fmt: skip


def test_scores_of_last_school_year_do_not_count(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    _log(demo, cycle, "70", 0)
    with scopes_disabled():
        DeliveryLog.objects.update(session_date=TODAY - timedelta(days=400))
    _, impact = _impact(demo)
    assert impact.measured == 0


def test_the_map_and_the_csv_show_the_impact(demo, django_assert_max_num_queries) -> None:
    cycle = active_cycle(demo, demo.acorn)
    _log(demo, cycle, "60", 1)
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("graduated:provision_map")).content.decode()
    assert "Impact this school year" in page
    assert "1 (100%)" in page and "1 of 1" in page
    with django_assert_max_num_queries(12):
        response = client.get(reverse("graduated:provision_impact_csv"))
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[4:10] == [
        "Pupils with scores", "Average entry score", "Average latest score", "Pupils improving", "Improving (%)",
        "Points of progress",
    ]  # fmt: skip
    assert rows == [
        ["Phonics catch-up group", "2", "Cognition and learning", "1", "1", "40.0", "60.0", "1", "100", "20",
         rows[0][10], rows[0][11]],
    ]  # fmt: skip
    assert Decimal(rows[0][11]) == (Decimal(rows[0][10]) / 20).quantize(Decimal("0.01"))
