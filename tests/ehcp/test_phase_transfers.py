"""Every phase transfer (R9): which pupils' next year group leaves their school, and the date the LA has."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from ehcp import rules
from ehcp.models import Deadline, PhaseTransfer
from ehcp.services import ensure_phase_transfers, transfer_due
from tests.permission_cases.ehcp import make_plan
from trusts.models import School
from trusts.year_groups import YEAR_GROUPS

TODAY = date(2026, 10, 1)  # autumn of 2026/27: the transfers are in September 2027
SCHOOL_FEB, POST16_MAR = date(2027, 2, 14), date(2027, 3, 30)


def school(phase: str, low: int | None = None, high: int | None = None, first: str = "", last: str = "") -> School:
    return School(
        phase=phase, statutory_low_age=low, statutory_high_age=high, first_year_group=first, last_year_group=last
    )


# (school, year group, the R9 date, or None when the pupil stays)
CASES = [
    ("nursery 2-5", school("nursery", 2, 5), "N1", None),
    ("nursery 2-5", school("nursery", 2, 5), "N2", SCHOOL_FEB),
    ("infant 4-7", school("infant", 4, 7), "1", None),
    ("infant 4-7", school("infant", 4, 7), "2", SCHOOL_FEB),
    ("infant, no ages", school("infant"), "2", SCHOOL_FEB),
    ("junior 7-11", school("junior", 7, 11), "5", None),
    ("junior 7-11", school("junior", 7, 11), "6", SCHOOL_FEB),
    ("primary 3-11", school("primary", 3, 11), "N2", None),
    ("primary 3-11", school("primary", 3, 11), "6", SCHOOL_FEB),
    ("first school 4-9", school("primary", 4, 9), "4", SCHOOL_FEB),
    ("middle 9-13", school("middle", 9, 13), "7", None),
    ("middle 9-13", school("middle", 9, 13), "8", SCHOOL_FEB),
    ("middle, trust's range 5-8", school("middle", first="5", last="8"), "8", SCHOOL_FEB),
    ("middle, range unknown", school("middle"), "8", None),
    ("secondary 11-16", school("secondary", 11, 16), "10", None),
    ("secondary 11-16", school("secondary", 11, 16), "11", POST16_MAR),
    ("secondary 11-18", school("secondary", 11, 18), "11", None),
    ("secondary 11-18", school("secondary", 11, 18), "13", POST16_MAR),
    ("all-through 4-18", school("all_through", 4, 18), "6", None),
    ("all-through 4-18", school("all_through", 4, 18), "11", None),
    ("all-through 4-18", school("all_through", 4, 18), "13", POST16_MAR),
    ("special 2-11", school("special", 2, 11), "6", SCHOOL_FEB),
    ("special 11-19", school("special", 11, 19), "13", None),
    ("special 11-19", school("special", 11, 19), "14", POST16_MAR),
    ("special, no ages", school("special"), "6", None),
    ("sixth-form college 16-19", school("post16", 16, 19), "12", None),
    ("sixth-form college 16-19", school("post16", 16, 19), "14", POST16_MAR),
    ("16 plus, no ages", school("post16"), "13", POST16_MAR),
]


@pytest.mark.parametrize(
    ("label", "at_school", "year_group", "expected"), CASES, ids=[f"{c[0]}: {c[2]}" for c in CASES]
)
def test_who_gets_r9_and_by_when(label, at_school, year_group, expected) -> None:
    due = transfer_due(year_group=year_group, school=at_school, today=TODAY)
    assert (due.due if due else None) == expected
    if due is not None:
        # The deadline engine's date for the stored (trigger, post16) is the same date.
        assert rules.due_date("R9", due.transfer_on, post16=due.post16) == expected


def test_the_kinds_and_their_sources_are_data() -> None:
    assert transfer_due(year_group="14", school=school("post16", 16, 19), today=TODAY).kind == "between_post16"
    assert transfer_due(year_group="11", school=school("secondary", 11, 16), today=TODAY).kind == "post16"
    assert rules.TRANSFER_DATES["between_post16"].source.startswith("SEND Regulations 2014, reg 18(2)")
    assert rules.TRANSFER_DATES["school"].source == "SEND Regulations 2014, reg 18(1)"
    # Five months before a January transfer between post-16 institutions comes before 31 March.
    assert rules.transfer_date_due("between_post16", date(2028, 1, 8)) == date(2027, 8, 8)
    assert "18(2)" in rules.get_rule("R9").source


def test_the_year_codes_are_the_pupil_records() -> None:
    from pupils.models import YearGroup

    assert list(YEAR_GROUPS) == list(YearGroup.choices)


def test_the_sweep_opens_a_year_2_infant_transfer_and_not_an_all_through_year_6(demo) -> None:
    with scopes_disabled():
        School.objects.filter(pk=demo.acorn.pk).update(phase="infant", statutory_low_age=4, statutory_high_age=7)
        School.objects.filter(pk=demo.beech.pk).update(phase="all_through", statutory_low_age=4, statutory_high_age=18)
    with time_machine.travel(date(2026, 9, 20), tick=False):
        infant = make_plan(demo, demo.acorn, issued_on=date(2026, 1, 10), year_group="1")
        all_through = make_plan(demo, demo.beech, issued_on=date(2026, 1, 10), year_group="6")
    with scopes_disabled():
        for plan in (infant, all_through):
            plan.pupil.year_group = "2" if plan is infant else "6"
            plan.pupil.save()
    with scope(trust=demo.oak.pk):
        assert ensure_phase_transfers(today=TODAY) == 1
        assert ensure_phase_transfers(today=TODAY) == 0
        transfer = PhaseTransfer.objects.get()
        r9 = Deadline.objects.get(rule_id="R9")
    assert (transfer.plan_id, transfer.from_year, transfer.transfer_year) == (infant.pk, "2", 2027)
    assert (r9.due, r9.post16, r9.school_id) == (SCHOOL_FEB, False, demo.acorn.pk)


def _year_6_plans(demo, n: int) -> list:
    with scopes_disabled():
        School.objects.filter(pk=demo.acorn.pk).update(phase="primary", statutory_low_age=3, statutory_high_age=11)
    with time_machine.travel(date(2026, 9, 20), tick=False):  # in Year 5 when the plan is issued: no transfer yet
        plans = [make_plan(demo, demo.acorn, issued_on=date(2026, 1, 10), year_group="5") for _ in range(n)]
    with scopes_disabled():
        for plan in plans:
            plan.pupil.year_group = "6"
            plan.pupil.save()
    return plans


def _rows(plans) -> list[tuple]:
    """What opening a transfer writes, apart from ids and times: the transfer, its R9 and their audit entries."""
    from trusts.models import AuditEntry

    with scopes_disabled():
        transfers = PhaseTransfer.objects.filter(plan__in=plans).order_by("plan_id")
        out = []
        for t in transfers:
            r9 = Deadline.objects.get(subject_type="phase_transfer", subject_id=t.pk)
            audits = sorted(
                (a.action, a.object_type, a.pupil_id == t.pupil_id, a.school_id, a.summary, a.actor_name)
                for a in AuditEntry.objects.filter(object_id__in=[str(t.pk), str(r9.pk)]).filter(
                    object_type__in=["ehcp.PhaseTransfer", "ehcp.Deadline"]
                )
                if (a.object_type, a.object_id) in {("ehcp.PhaseTransfer", str(t.pk)), ("ehcp.Deadline", str(r9.pk))}
            )
            out.append(
                (
                    t.trust_id,
                    t.school_id,
                    t.pupil_id == t.plan.pupil_id,
                    t.from_year,
                    t.transfer_year,
                    t.post16,
                    r9.school_id,
                    r9.pupil_id == t.pupil_id,
                    r9.trigger_date,
                    r9.statutory_due,
                    r9.internal_due,
                    r9.due,
                    r9.status,
                    r9.responsible,
                    tuple(audits),
                )
            )
    return out


def test_the_sweeps_bulk_opening_writes_what_opening_one_at_a_time_writes_in_a_fixed_number_of_queries(
    demo,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ehcp.models import DeadlineSetting
    from ehcp.services.transfers import _open_phase_transfer
    from trusts.models import AuditEntry

    with scopes_disabled():  # a trust's own R9 setting is read the same way on both paths
        DeadlineSetting.objects.create(trust=demo.oak, rule_id="R9", target_amount=6, target_unit="weeks")
    one_by_one = _year_6_plans(demo, 3)
    with scope(trust=demo.oak.pk):
        for plan in one_by_one:
            assert _open_phase_transfer(plan=plan, actor=None, today=TODAY)[1]
    counts, batches = [], []
    for n in (2, 6):  # the sweep opens the transfers of plans that have none: 2, then 6 more
        batches.append(_year_6_plans(demo, n))
        with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as ctx:
            assert ensure_phase_transfers(today=TODAY) == n
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    bulk_small, bulk_large = batches
    expected = _rows(one_by_one)
    assert len(expected) == 3 and len(expected[0][-1]) == 2  # an audit entry for the transfer and for its R9
    assert _rows(bulk_small) == expected[:2] and _rows(bulk_large) == expected[:1] * 6
    assert all(row[2] and row[7] for row in expected)  # each names its plan's pupil
    with scopes_disabled():
        assert AuditEntry.objects.filter(object_type="ehcp.PhaseTransfer").count() == 11


def test_when_a_transfer_appears_meanwhile_the_sweep_opens_the_rest_one_by_one_and_writes_nothing_twice(
    demo,
) -> None:
    from ehcp.services import transfers

    plans = _year_6_plans(demo, 3)
    with scope(trust=demo.oak.pk):
        transfers._open_phase_transfer(plan=plans[0], actor=None, today=TODAY)  # a SENCO's page opened one
        original = transfers._open_in_bulk

        def racing(chosen, *, today):  # the sweep read the plans before that transfer existed
            return original(list(plans), today=today)

        transfers._open_in_bulk = racing
        try:
            assert ensure_phase_transfers(today=TODAY) == 2
        finally:
            transfers._open_in_bulk = original
        assert PhaseTransfer.objects.filter(plan__in=plans).count() == 3
        assert Deadline.objects.filter(rule_id="R9").count() == 3
