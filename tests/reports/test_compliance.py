"""Compliance on the trust dashboard against a hand-worked example, with and without exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from ehcp import rules
from ehcp.deadlines import meet_deadline, open_deadline, record_exception
from reports.dashboards import compliance_figures
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False)
def test_compliance_counts_with_and_without_exceptions(demo) -> None:
    # Four requests received Monday 5 January 2026: final plan due by 25 May 2026 (20 weeks, Regs 13(2)).
    # 1: on time. 2: late. 3: late, with a holiday exception. 4: on time, with an exception.
    trigger = dt.date(2026, 1, 5)
    assert rules.due_date("A6", trigger) == dt.date(2026, 5, 25)
    plan = [
        (dt.date(2026, 5, 1), None),
        (dt.date(2026, 6, 10), None),
        (dt.date(2026, 6, 10), rules.HOLIDAY),
        (dt.date(2026, 5, 1), rules.FAMILY_AWAY),
    ]
    with scope(trust=demo.oak.pk):
        for n, (met_on, exception) in enumerate(plan, start=1):
            d = open_deadline(
                rule_id="A6",
                trigger_date=trigger,
                school=demo.acorn,
                pupil=make_pupil(demo.acorn),
                subject_type="needs_assessment",
                subject_id=n,
                actor=None,
            )
            if exception:
                record_exception(deadline=d, kind=exception, evidence="Letter on file", actor=None)
            meet_deadline(deadline=d, met_on=met_on, actor=None)
        rows = {r.label: r.value for r in compliance_figures([demo.acorn, demo.beech])[0].rows}
    # Every count here is 1 to 4: the trust sees them hidden too (reports.disclosure).
    assert rows["Statutory deadlines due in the period"] == "fewer than 5"
    assert rows["Met within the statutory time limit"] == "hidden"
    assert rows["Deadlines with a recorded exception"] == "fewer than 5"
    assert rows["Final EHC plans within 20 weeks (including exceptions)"] == "hidden"
    assert rows["Final EHC plans within 20 weeks (excluding exceptions)"] == "hidden"
    page = demo.client_for("trustee@oak.test").get(reverse("reports:trust_dashboard")).content.decode()
    assert "Statutory compliance, last 12 months" in page and "1 of 2" not in page and "50%" not in page


@time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False)
def test_compliance_counts_with_and_without_exceptions_at_a_size_that_shows(demo) -> None:
    """Twenty final plans due: 10 on time without exception, 5 late without; 5 on time with an exception.
    Including exceptions: 15 of 20 (75%); excluding them: 10 of 15 (67%, 66.7 rounded half up)."""
    trigger = dt.date(2026, 1, 5)
    plan = [(dt.date(2026, 5, 1), None)] * 10 + [(dt.date(2026, 6, 10), None)] * 5
    plan += [(dt.date(2026, 5, 1), rules.FAMILY_AWAY)] * 5
    with scope(trust=demo.oak.pk):
        for n, (met_on, exception) in enumerate(plan, start=1):
            d = open_deadline(
                rule_id="A6",
                trigger_date=trigger,
                school=demo.acorn,
                pupil=make_pupil(demo.acorn),
                subject_type="needs_assessment",
                subject_id=n,
                actor=None,
            )
            if exception:
                record_exception(deadline=d, kind=exception, evidence="Letter on file", actor=None)
            meet_deadline(deadline=d, met_on=met_on, actor=None)
        rows = {r.label: r.value for r in compliance_figures([demo.acorn, demo.beech])[0].rows}
    assert rows["Statutory deadlines due in the period"] == "20"
    assert rows["Met within the statutory time limit"] == "15 of 20 (75%)"
    assert rows["Deadlines with a recorded exception"] == "5"
    assert rows["Final EHC plans within 20 weeks (including exceptions)"] == "15 of 20 (75%)"
    assert rows["Final EHC plans within 20 weeks (excluding exceptions)"] == "10 of 15 (67%)"


@time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False)
def test_a_governor_sees_the_schools_compliance_with_small_numbers_hidden(demo) -> None:
    """Seven A6 deadlines at Acorn: 6 met on time, 1 late. "6 of 7" would reveal the one late family, to a
    governor and to the trust alike: the 7 is shown, the 6 and its percentage are hidden."""
    trigger = dt.date(2026, 1, 5)
    with scope(trust=demo.oak.pk):
        for n in range(7):
            d = open_deadline(
                rule_id="A6",
                trigger_date=trigger,
                school=demo.acorn,
                pupil=make_pupil(demo.acorn),
                subject_type="needs_assessment",
                subject_id=100 + n,
                actor=None,
            )
            meet_deadline(deadline=d, met_on=dt.date(2026, 5, 1) if n < 6 else dt.date(2026, 6, 10), actor=None)
        school_rows = {r.label: r.value for r in compliance_figures([demo.acorn])[0].rows}
        trust_rows = {r.label: r.value for r in compliance_figures([demo.acorn, demo.beech])[0].rows}
    assert school_rows["Statutory deadlines due in the period"] == "7"
    assert school_rows["Met within the statutory time limit"] == "hidden"
    assert school_rows["Deadlines with a recorded exception"] == "0"
    assert trust_rows["Met within the statutory time limit"] == "hidden"
    page = demo.client_for("governor.acorn@oak.test").get(reverse("reports:school_dashboard")).content.decode()
    assert "Statutory compliance, last 12 months" in page and "6 of 7" not in page and "86%" not in page


@time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False)
def test_compliance_side_by_side_for_each_school_and_its_csv(demo) -> None:
    """Acorn: 6 deadlines, 5 on time (83% would give away the one late). Beech: 2 deadlines, both late.
    The trust's 8 is shown; Beech's 2 is "fewer than 5", so Acorn's 6 is hidden too (8 - 6 would give the
    2 back), and so are the on-time figures that would give back Acorn's one late deadline."""
    trigger = dt.date(2026, 1, 5)
    with scope(trust=demo.oak.pk):
        for n, (school, met_on) in enumerate(
            [(demo.acorn, dt.date(2026, 5, 1))] * 5
            + [(demo.acorn, dt.date(2026, 6, 10))]
            + [(demo.beech, dt.date(2026, 6, 10))] * 2
        ):
            d = open_deadline(
                rule_id="A6",
                trigger_date=trigger,
                school=school,
                pupil=make_pupil(school),
                subject_type="needs_assessment",
                subject_id=200 + n,
                actor=None,
            )
            meet_deadline(deadline=d, met_on=met_on, actor=None)
    client = demo.client_for("trustee@oak.test")
    page = client.get(reverse("reports:trust_dashboard")).content.decode()
    assert "Statutory compliance by school" in page and "83%" not in page and "83.3%" not in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">8</td>' in page  # deadlines due, trust
    csv_text = client.get(reverse("reports:trust_csv", args=["compliance"])).content.decode()
    lines = csv_text.splitlines()
    assert (
        lines[0].lstrip("\ufeff")
        == "School,Statutory deadlines due in the last 12 months,Met on time,Annual reviews overdue"
    )
    assert "Acorn Primary,hidden,hidden,0" in lines
    assert "Beech Academy,fewer than 5,hidden,0" in lines
    schools_csv = client.get(reverse("reports:trust_csv", args=["schools"])).content.decode().splitlines()
    assert len(schools_csv[0].split(",")) == len(schools_csv[1].split(","))  # every column has its heading
