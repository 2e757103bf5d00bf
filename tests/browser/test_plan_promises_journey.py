"""Two SENCO journeys in the browser: mapping an EHC plan's provision line to the school provision that delivers
it and reading the gap, and checking the wording of a draft plan the LA sent, then replying with the points.
Axe on every page. Dates follow today's school year, so the journeys run on any day of it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import services as ehcp
from ehcp.models import Consultation, DraftWording
from ehcp.wording_demo import VAGUE_DRAFT
from graduated import services as graduated
from reports.delivery import PERIODS
from tests.permission_cases.ehcp import make_consultation
from tests.permission_cases.graduated import active_cycle, casework_user, provision
from trusts.dates import academic_year_bounds, academic_year_of
from trusts.school_days import is_school_day

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _school_days_this_year(school, n: int) -> list:
    """The last `n` school days of this school year before today (fewer early in September)."""
    today = timezone.localdate()
    start, _ = academic_year_bounds(academic_year_of(today))
    days, day = [], today - timedelta(days=1)
    with scope(trust=school.trust_id):
        while day >= start and len(days) < n:
            if is_school_day(school=school, day=day):
                days.append(day)
            day -= timedelta(days=1)
    return sorted(days)


def test_the_senco_maps_a_plan_line_and_reads_the_gap(live_demo, page, axe_clean) -> None:
    school = live_demo.acorn
    days = _school_days_this_year(school, 10)
    if len(days) < 4:
        pytest.skip("the first school days of September: nothing delivered this school year yet")
    cycle = active_cycle(live_demo, school, legal_forename="Noor", legal_surname="Promise")
    group = provision(school, "Language group", sessions_per_week=Decimal(5), minutes_per_session=60)
    actor = casework_user(school)
    with scope(trust=school.trust_id):
        graduated.allocate_provision(cycle=cycle, actor=actor, provision=group)
        ehcp.issue_plan(
            pupil=cycle.pupil,
            issued_on=days[0],
            local_authority=school.local_authority,
            placement=school.name,
            outcomes=[
                ehcp.OutcomeInput(
                    text="Follows two-step instructions in class",
                    provision=[ehcp.ProvisionInput("Language group, one hour a day", "daily", "TA", Decimal(1))],
                )
            ],
            actor=actor,
        )
        allocation = cycle.allocations.get(provision=group)
        # Every other session missed: half the promise delivered, the reasons recorded.
        for n, day in enumerate(days):
            reason = "" if n % 2 == 0 else ("staff_absent" if n % 4 == 1 else "pupil_absent")
            graduated.log_delivery(
                allocation=allocation, actor=actor, session_date=day, attended=not reason, missed_reason=reason
            )
    attended = len(days[::2])
    base = live_demo.url
    sign_in(page, base, "senco.acorn@oak.test")
    page.goto(f"{base}{reverse('reports:delivery_pupil', args=[cycle.pupil_id])}?period=year")
    axe_clean(page)
    assert "Not mapped to a school provision." in page.content()

    page.get_by_text("Change what delivers this").click()
    page.get_by_label("Language group").check()
    navigate(page, page.get_by_role("button", name="Save what delivers this"))
    axe_clean(page)
    body = page.locator("main").inner_text()
    assert f"Language group: {attended} sessions attended" in body
    assert f"{len(days)}.0" in body and f"{attended}.0" in body  # hours promised and delivered
    assert "staff absent" in body and "pupil absent" in body

    # The school's list shows the gap and flags the pupil; the CSV link keeps the period.
    page.goto(f"{base}{reverse('reports:delivery_school')}?period=year")
    axe_clean(page)
    row = page.get_by_role("row").filter(has_text="Noor Promise")
    assert f"{round(attended * 100 / len(days))}%" in row.inner_text()
    assert "Below 90%" in row.inner_text()
    assert PERIODS["year"] in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Download this list (CSV)").get_attribute("href").endswith("period=year")


def test_the_senco_checks_a_drafts_wording_and_replies_with_the_points(live_demo, page, axe_clean) -> None:
    consultation = make_consultation(live_demo, live_demo.acorn, child_name="Rowan Draft")
    base = live_demo.url
    sign_in(page, base, "senco.acorn@oak.test")
    page.goto(base + reverse("ehcp:consultation_detail", args=[consultation.pk]))
    navigate(page, page.get_by_role("link", name="Check the draft's wording against the Code of Practice"))
    axe_clean(page)

    # Nothing pasted: the page says what it needs, and nothing is kept.
    navigate(page, page.get_by_role("button", name="Check the wording"))
    assert "Paste the LA's wording: at least sections B, E and F." in page.get_by_role("alert").inner_text()
    axe_clean(page)
    page.get_by_label("Date the school received it").fill(consultation.consulted_on.isoformat())
    page.get_by_label("Section B: Special educational needs").fill(VAGUE_DRAFT["B"])
    page.get_by_label("Section E: Outcomes").fill(VAGUE_DRAFT["E"])
    page.get_by_label("Section F: Special educational provision").fill(VAGUE_DRAFT["F"])
    navigate(page, page.get_by_role("button", name="Check the wording"))
    axe_clean(page)

    # Each finding beside its sentence, the words in question marked, with the paragraph it rests on.
    row = page.get_by_role("row").filter(has_text="a quiet space")
    assert row.locator("mark").first.inner_text() == "Access to"
    assert "“Access to” promises that something exists" in row.inner_text()
    assert "SEND Code of Practice 2015, para 9.69" in row.inner_text()
    up_to = page.get_by_role("row").filter(has_text="teaching assistant support in class")
    assert "“Up to” sets a most, not a least" in up_to.inner_text()
    assert "Section C is empty." in page.locator("main").inner_text()  # not pasted: an empty section

    # The SENCO trims the points, saves them, and the A5 reply starts from them.
    points = page.get_by_label("Points for the school's reply")
    assert "Points on the wording of the draft plan:" in points.input_value()
    points.fill("- Section F: say how often and for how long speech and language therapy is given (CoP 9.69).")
    navigate(page, page.get_by_role("button", name="Save the points"))
    assert "The points for the reply are saved." in page.content()
    with scopes_disabled():
        wording = DraftWording.objects.get(consultation=consultation)
    assert wording.points.startswith("- Section F: say how often")

    page.goto(base + reverse("ehcp:consultation_reply", args=[consultation.pk]))
    axe_clean(page)
    reply = page.get_by_label("The school's response")
    assert "say how often and for how long" in reply.input_value()
    reply.fill("We can meet Rowan's needs. " + reply.input_value())
    page.get_by_label("Date the school replied").fill(timezone.localdate().isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    with scopes_disabled():
        consultation = Consultation.objects.get(pk=consultation.pk)
    assert consultation.status == "replied" and "say how often" in consultation.response
