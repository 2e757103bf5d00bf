"""Reads for the SENCO home page, the evidence pack and the parent portal: right rows, constant queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from graduated import queries, services
from tests.permission_cases.graduated import active_cycle, casework_user, support_pupil

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_due_and_overdue_reviews(demo) -> None:
    overdue = active_cycle(demo, demo.acorn, review_in_days=-3, legal_surname="Overdue")
    due_today = active_cycle(demo, demo.acorn, review_in_days=0, legal_surname="Today")
    due_soon = active_cycle(demo, demo.acorn, review_in_days=14, legal_surname="Soon")
    active_cycle(demo, demo.acorn, review_in_days=15, legal_surname="Later")
    active_cycle(demo, demo.beech, review_in_days=-3, legal_surname="Beech")
    with scope(trust=demo.oak.pk):
        assert list(queries.overdue_reviews(demo.acorn)) == [overdue]
        assert list(queries.cycles_due_for_review(demo.acorn)) == [due_today, due_soon]
        assert queries.support_counts(demo.acorn) == {"due": 2, "overdue": 1, "short_of_meetings": 4}


def test_reviewed_cycles_are_neither_due_nor_overdue(demo) -> None:
    cycle = active_cycle(demo, demo.acorn, review_in_days=-3)
    with scope(trust=demo.oak.pk):
        services.record_review(
            cycle=cycle,
            actor=casework_user(demo.acorn),
            results={o.pk: ("achieved", "Met") for o in cycle.outcomes.all()},
            reviewed_on=TODAY,
            next_step="ehc_request",
        )
        assert not queries.overdue_reviews(demo.acorn).exists()


def test_pupils_short_of_parent_meetings_counts_this_school_year_only(demo) -> None:
    senco = casework_user(demo.acorn)
    year = 2024
    met_three = support_pupil(demo, demo.acorn, legal_surname="Three")
    met_two = support_pupil(demo, demo.acorn, legal_surname="Two")
    support_pupil(demo, demo.acorn, legal_surname="None", status="M")  # monitoring: not on SEN support
    support_pupil(demo, demo.acorn, legal_surname="Zero")
    with scope(trust=demo.oak.pk):
        for held in (date(2024, 9, 20), date(2025, 1, 15), date(2025, 8, 31)):
            services.record_parent_meeting(pupil=met_three, actor=senco, held_on=held, attendees="Mum", notes="n")
        for held in (date(2024, 8, 31), date(2024, 10, 1), date(2025, 5, 1), date(2025, 9, 1)):
            services.record_parent_meeting(pupil=met_two, actor=senco, held_on=held, attendees="Dad", notes="n")
        short = list(queries.pupils_short_of_parent_meetings(demo.acorn, year))
    assert [(p.legal_surname, p.meetings_this_year) for p in short] == [("Zero", 0), ("Two", 2)]


def test_evidence_for_pupil_holds_every_cycle_with_provision_hours_cost_and_reviews(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    senco = casework_user(demo.acorn)
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        services.log_delivery(allocation=allocation, actor=senco, session_date=TODAY, attended=True, score=Decimal(55))
        services.log_delivery(allocation=allocation, actor=senco, session_date=TODAY, attended=False)
        services.add_assessment_result(
            cycle=cycle, actor=senco, name="York reading test", taken_on=TODAY, score=Decimal(82), scale="standardised"
        )
        services.record_review(
            cycle=cycle,
            actor=senco,
            results={o.pk: ("not", "Still 45 of 100") for o in cycle.outcomes.all()},
            reviewed_on=TODAY,
            next_step="new_cycle",
            parent_views="Worried about reading",
        )
        services.record_parent_meeting(pupil=cycle.pupil, actor=senco, held_on=TODAY, attendees="Mum", notes="Talked")
        evidence = queries.evidence_for_pupil(cycle.pupil)
    assert [c["number"] for c in evidence["cycles"]] == [1, 2]
    first = evidence["cycles"][0]
    assert first["review"]["next_step"].startswith("Start a new cycle")
    assert first["views"]["parents_at_review"] == "Worried about reading"
    assert first["assessments"][0]["name"] == "York reading test"
    assert first["outcomes"][0]["result"] == "Not achieved"
    assert first["outcomes"][0]["scores"] == [(TODAY, Decimal("55.00"))]
    phonics = first["provision"][0]
    assert (phonics["hours_per_year"], phonics["cost_per_year"]) == (Decimal("39.0"), Decimal("175.50"))
    assert (phonics["sessions_logged"], phonics["sessions_attended"]) == (2, 1)
    assert phonics["hours_delivered"] == Decimal("0.3")  # one 20-minute session
    assert evidence["cycles"][1]["outcomes"][0]["carried_forward"] is True
    assert evidence["current_cost_per_year"] == Decimal("175.50") and evidence["over_threshold"] is False
    assert evidence["cycles_reviewed"] == 1 and evidence["meetings"][0]["attendees"] == "Mum"


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_evidence_and_parent_plan_queries_do_not_grow_with_cycles(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    senco = casework_user(demo.acorn)
    pupil = cycle.pupil
    with scope(trust=demo.oak.pk):
        before = (_count(lambda: queries.evidence_for_pupil(pupil)), _count(lambda: queries.plan_for_parent(pupil)))
        for _ in range(3):
            services.add_outcome(
                cycle=cycle, actor=senco, description="More", baseline="b", target="t", measured_by="m"
            )
            services.log_delivery(allocation=cycle.allocations.get(), actor=senco, session_date=TODAY, attended=True)
            services.record_review(
                cycle=cycle,
                actor=senco,
                results={o.pk: ("partly", "Some") for o in cycle.outcomes.all()},
                reviewed_on=TODAY,
                next_step="new_cycle",
            )
            cycle = queries.open_cycle(pupil)
            services.confirm_plan(
                cycle=cycle, actor=senco, review_date=TODAY + timedelta(days=30), expected_impact="More"
            )
        after = (_count(lambda: queries.evidence_for_pupil(pupil)), _count(lambda: queries.plan_for_parent(pupil)))
    assert after == before


def test_provision_summary_for_the_sen_information_report(demo) -> None:
    from tests.permission_cases.graduated import provision

    provision(demo.acorn, "Social skills group", area="semh", wave=2)
    with scope(trust=demo.oak.pk):
        assert queries.provision_summary(demo.acorn) == [
            {"name": "Social skills group", "wave": 2, "area": "Social, emotional and mental health"}
        ]
