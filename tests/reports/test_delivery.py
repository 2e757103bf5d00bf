"""Promised versus delivered: an EHC plan's section F hours against the sessions the school logged, once the
SENCO maps each plan line to the provision that delivers it; who may see it; constant queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp import services as ehcp
from ehcp.provision_hours import weekly_hours
from graduated import services as graduated
from reports import delivery
from reports.models import PlanProvisionLink
from tests.permission_cases.graduated import active_cycle, casework_user, provision

pytestmark = pytest.mark.django_db
# A Monday in the autumn term (English default calendar: 2 September to 18 December 2026).
TODAY = date(2026, 12, 7)
ISSUED = date(2026, 11, 23)  # two school weeks before: 10 school days to yesterday


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.mark.parametrize(
    ("hours", "frequency", "per_week"),
    [
        ("5", "weekly", "5"),
        ("1", "daily", "5"),
        ("0.5", "three times a week", "1.5"),
        ("2", "fortnightly", "1"),
        ("13", "each term", "1"),
        ("6.5", "every half term", "1"),
        ("39", "per year", "1"),
        ("2", "as needed", None),
        (None, "weekly", None),
    ],
)
def test_a_line_is_brought_to_hours_per_school_week(hours, frequency, per_week) -> None:
    got = weekly_hours(Decimal(hours) if hours else None, frequency)
    assert got == (Decimal(per_week) if per_week else None)


def _plan_pupil(demo: Any, school: Any = None) -> tuple[Any, Any, Any]:
    """A pupil on SEN support with a support cycle and an EHC plan promising 5 hours a week of a group."""
    school = school or demo.acorn
    cycle = active_cycle(demo, school)
    group = provision(school, "Social communication group", sessions_per_week=Decimal(5), minutes_per_session=60)
    with scope(trust=school.trust_id):
        cycle.pupil.register_entry.primary_need = "ASD"
        cycle.pupil.register_entry.save()
        graduated.allocate_provision(cycle=cycle, actor=casework_user(school), provision=group)
        plan = ehcp.issue_plan(
            pupil=cycle.pupil,
            issued_on=ISSUED,
            local_authority=school.local_authority,
            placement=school.name,
            outcomes=[
                ehcp.OutcomeInput(
                    text="Asks for help when stuck",
                    provision=[ehcp.ProvisionInput("Social communication group", "weekly", "TA", Decimal(5))],
                )
            ],
            actor=casework_user(school),
        )
        line = plan.versions.get().provision.get()
    return cycle, group, line


def _log_two_weeks(school: Any, cycle: Any, group: Any) -> None:
    """Ten school days: 6 sessions attended, 2 missed through absence, 1 staff absent, 1 cancelled."""
    with scope(trust=school.trust_id):
        allocation = cycle.allocations.get(provision=group)
        days = [ISSUED + timedelta(days=d) for d in range(14) if (ISSUED + timedelta(days=d)).weekday() < 5]
        reasons = ["", "", "", "", "", "", "pupil_absent", "pupil_absent", "staff_absent", "cancelled"]
        for day, reason in zip(days, reasons, strict=True):
            graduated.log_delivery(
                allocation=allocation,
                actor=casework_user(school),
                session_date=day,
                attended=not reason,
                missed_reason=reason,
            )


def test_promised_scheduled_delivered_and_the_gap(demo) -> None:
    cycle, group, line = _plan_pupil(demo)
    _log_two_weeks(demo.acorn, cycle, group)
    with scope(trust=demo.oak.pk):
        before = delivery.pupil_delivery(cycle.pupil)
        assert before is not None and before.promised == Decimal("10.0") and before.delivered == 0
        assert not before.below and len(before.unmapped) == 1  # not flagged until mapped: asked to map instead
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
        after = delivery.pupil_delivery(cycle.pupil)
    assert after is not None
    assert (after.promised, after.delivered, after.gap, after.percent) == (Decimal("10.0"), Decimal("6.0"), 4, 60)
    assert after.scheduled == Decimal("10.0")  # 5 one-hour sessions a week, from the plan's issue
    assert after.missed == {"pupil_absent": 2, "staff_absent": 1, "cancelled": 1}
    assert after.below and not after.unmapped


def test_an_amended_plan_keeps_the_mapping(demo) -> None:
    cycle, group, line = _plan_pupil(demo)
    with scope(trust=demo.oak.pk):
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
        version = ehcp.amend_plan(
            plan=line.version.plan, issued_on=TODAY, placement=demo.acorn.name, actor=casework_user(demo.acorn)
        )
        new_line = version.provision.get()
        assert list(PlanProvisionLink.objects.filter(line=new_line).values_list("provision_id", flat=True)) == [
            group.pk
        ]


def test_a_provision_of_another_school_is_refused_and_nothing_changes(demo) -> None:
    cycle, group, line = _plan_pupil(demo)
    elsewhere = provision(demo.beech, "Beech group")
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("reports:delivery_pupil", args=[cycle.pupil_id])
    response = client.post(url, {"line": line.pk, "provisions": [str(elsewhere.pk)]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert not PlanProvisionLink.objects.exists()


def test_the_senco_maps_a_line_and_reads_the_gap(demo) -> None:
    cycle, group, line = _plan_pupil(demo)
    _log_two_weeks(demo.acorn, cycle, group)
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("reports:delivery_pupil", args=[cycle.pupil_id])
    response = client.post(url, {"line": line.pk, "provisions": [str(group.pk)]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Hours promised" in page and "10.0" in page and "6.0 (60% of the promise)" in page
    assert "Below 90%" in page and "2 pupil absent, 1 staff absent, 1 cancelled" in page
    school_page = client.get(reverse("reports:delivery_school")).content.decode()
    assert cycle.pupil.display_name in school_page and "60%" in school_page


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("senco.acorn@oak.test", 200),
        ("head.acorn@oak.test", 200),
        ("senco.beech@oak.test", 404),  # another school of the trust
        ("teacher.acorn@oak.test", 404),
        ("governor.acorn@oak.test", 404),
        ("trustee@oak.test", 404),
        ("senco.willow@river.test", 404),  # another trust
    ],
)
def test_who_sees_a_pupils_delivery(demo, email, status) -> None:
    cycle, _, _ = _plan_pupil(demo)
    response = demo.client_for(email).get(reverse("reports:delivery_pupil", args=[cycle.pupil_id]))
    assert response.status_code == status


def test_the_trust_table_hides_small_schools_and_only_the_inclusion_lead_sets_the_threshold(demo) -> None:
    cycle, group, line = _plan_pupil(demo)
    with scope(trust=demo.oak.pk):
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
    trustee = demo.client_for("trustee@oak.test")
    page = trustee.get(reverse("reports:delivery_trust")).content.decode()
    assert "Acorn Primary" in page and "hidden" in page and "60%" not in page
    assert "Save the threshold" not in page
    assert trustee.post(reverse("reports:delivery_trust"), {"threshold_percent": "50"}).status_code == 404
    lead = demo.client_for("lead@oak.test")
    refused = lead.post(reverse("reports:delivery_trust"), {"threshold_percent": "150"})
    assert "Enter a share from 1% to 100%." in refused.content.decode()
    assert lead.post(reverse("reports:delivery_trust"), {"threshold_percent": "50"}).status_code == 302
    with scope(trust=demo.oak.pk):
        assert delivery.threshold_of(demo.oak.pk) == 50


def test_the_school_page_keeps_its_query_count(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("reports:delivery_school")
    counts = []
    for _ in range(2):
        for _ in range(2):
            cycle, group, line = _plan_pupil(demo)
            _log_two_weeks(demo.acorn, cycle, group)
            with scope(trust=demo.oak.pk):
                actor = casework_user(demo.acorn)
                delivery.map_line(line=line, provision_ids=[group.pk], actor=actor, pupil=cycle.pupil)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200 and page.content.decode().count("Below 90%") == 2 * (len(counts) + 1)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 20, counts


def test_the_work_list_asks_to_map_a_plan_then_flags_the_pupil_below_the_threshold(demo) -> None:
    cycle, group, line = _plan_pupil(demo)
    _log_two_weeks(demo.acorn, cycle, group)
    client = demo.client_for("senco.acorn@oak.test")
    title = "EHC plan provision not delivered in full"

    def lines() -> list[Any]:
        work = client.get("/").context["work"]
        return next((g.lines for g in work.waiting if g.title == title), [])

    assert [(x.what, x.url) for x in lines()] == [
        ("Map 1 EHC plan to the provision that delivers it", reverse("reports:delivery_school"))
    ]
    with scope(trust=demo.oak.pk):
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
    (flag,) = lines()
    assert flag.when == "60% delivered this term" and flag.urgency == "late"
    assert flag.url == reverse("reports:delivery_pupil", args=[cycle.pupil_id])
    assert flag.who == f"{cycle.pupil.display_name} · below the trust's 90%"
    page = client.get(reverse("reports:delivery_pupil", args=[cycle.pupil_id])).content.decode()
    assert "6 sessions attended; missed: 2 pupil absent, 1 staff absent, 1 cancelled" in page
    # Another school's SENCO has no such line; a threshold at 60% clears the flag at once.
    assert title not in [g.title for g in demo.client_for("senco.beech@oak.test").get("/").context["work"].waiting]
    with scope(trust=demo.oak.pk):
        delivery.save_threshold(trust_id=demo.oak.pk, percent=60, actor=casework_user(demo.acorn))
    assert lines() == []


def test_a_parent_reads_what_the_plan_promised_and_what_was_given_this_term(demo) -> None:
    from tests.factories import link_parent

    cycle, group, line = _plan_pupil(demo)
    _log_two_weeks(demo.acorn, cycle, group)
    link_parent(cycle.pupil, demo.user("parent.acorn@oak.test"))
    parent = demo.client_for("parent.acorn@oak.test")
    url = reverse("reports:portal_child", args=[cycle.pupil_id])
    assert "has not added the plan's help to this page yet" in parent.get(url).content.decode()
    with scope(trust=demo.oak.pk):
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
    page = parent.get(url).content.decode()
    name = cycle.pupil.forename
    assert f"From 23 November to 6 December, the plan said {name} should get 10 hours of help." in page
    assert "The school gave <strong>6 hours</strong>. That is 60 out of every 100 hours." in page
    assert f"2 times because {name} was away" in page and "1 time because a member of staff was away" in page
    assert "1 time because the school cancelled it" in page
    # Another parent of the trust cannot open the child's page.
    other = demo.client_for("parent.willow@river.test")
    assert other.get(url).status_code == 404


def test_the_trust_figures_and_the_board_report_carry_the_delivery_rate(demo) -> None:
    import io

    from pypdf import PdfReader

    from reports.board import board_context
    from reports.models import BoardReport
    from trusts.permissions import schools_where

    def five_mapped() -> None:
        for _ in range(5):
            cycle, group, line = _plan_pupil(demo)
            _log_two_weeks(demo.acorn, cycle, group)
            with scope(trust=demo.oak.pk):
                actor = casework_user(demo.acorn)
                delivery.map_line(line=line, provision_ids=[group.pk], actor=actor, pupil=cycle.pupil)

    trustee = demo.client_for("trustee@oak.test")
    cycle, group, line = _plan_pupil(demo)
    with scope(trust=demo.oak.pk):
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
    small = trustee.get(reverse("reports:trust_dashboard")).content.decode()
    assert "EHC plan provision delivered this term" in small and "Across the trust: <strong>hidden</strong>" in small
    five_mapped()  # five more: 6 pupils, 5 of them at 60% and one with nothing delivered
    page = trustee.get(reverse("reports:trust_dashboard")).content.decode()
    assert "Across the trust: <strong>50%</strong>" in page
    with scope(trust=demo.oak.pk):
        trustee_user = demo.user("trustee@oak.test")
        report = BoardReport.objects.create(
            trust=demo.oak, requested_by=trustee_user, period_start=TODAY - timedelta(days=60), period_end=TODAY
        )
        context = board_context(schools_where(trustee_user, "board.report"), report, lambda *_: None)
    assert str(context["delivery"]["trust_rate"]) == "50%"
    from trusts.pdf import render_pdf

    pdf = render_pdf(template="reports/board_report.html", context=context, title="Board report")
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "EHC plan provision delivered" in text and "this school year, to yesterday: 50%" in text


def test_the_work_list_with_delivery_keeps_its_query_count(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    counts = []
    for _ in range(2):
        for _ in range(2):
            cycle, group, line = _plan_pupil(demo)
            _log_two_weeks(demo.acorn, cycle, group)
            with scope(trust=demo.oak.pk):
                actor = casework_user(demo.acorn)
                delivery.map_line(line=line, provision_ids=[group.pk], actor=actor, pupil=cycle.pupil)
        client.get("/")
        with CaptureQueriesContext(connection) as ctx:
            work = client.get("/").context["work"]
        flagged = next(g for g in work.waiting if g.title == "EHC plan provision not delivered in full")
        assert flagged.total == 2 * (len(counts) + 1)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 20, counts


def test_the_school_list_downloads_as_a_csv_with_the_pages_figures(demo) -> None:
    import csv
    import io

    cycle, group, line = _plan_pupil(demo)
    _log_two_weeks(demo.acorn, cycle, group)
    with scope(trust=demo.oak.pk):
        delivery.map_line(line=line, provision_ids=[group.pk], actor=casework_user(demo.acorn), pupil=cycle.pupil)
        pupils = type(cycle.pupil).objects.filter(pk=cycle.pupil_id)
        pupils.update(legal_forename="=HYPERLINK(1)", preferred_forename="")
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("reports:delivery_school")).content.decode()
    url = reverse("reports:delivery_csv")
    assert f"{url}?school={demo.acorn.pk}&amp;period=term" in page
    response = client.get(url, {"school": demo.acorn.pk, "period": "term"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Pupil"].startswith("'") and "=HYPERLINK(1)" in row["Pupil"]  # never a live formula
    assert (row["From"], row["To"]) == ("2026-09-02", "2026-12-06")
    assert (row["Promised hours"], row["Delivered hours"], row["Gap hours"], row["Delivered %"]) == (
        "10.0",
        "6.0",
        "4.0",
        "60",
    )
    assert row["Below the threshold"] == "Yes" and row["Plan lines not mapped"] == "0"
    missed = {k: v for k, v in row.items() if k.startswith("Sessions missed")}
    assert missed == {
        "Sessions missed: pupil absent": "2",
        "Sessions missed: staff absent": "1",
        "Sessions missed: cancelled": "1",
    }
    # The year's figures through the same link; another trust's SENCO gets nothing of this school.
    year = client.get(url, {"school": demo.acorn.pk, "period": "year"}).content.decode("utf-8-sig")
    assert ",2026-09-01,2026-12-06,10.0," in year
    assert demo.client_for("senco.willow@river.test").get(url, {"school": demo.acorn.pk}).status_code == 404
