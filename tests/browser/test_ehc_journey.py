"""The SENCO takes a pupil through the EHC process in the browser: records the request for an EHC needs
assessment, the LA's decision to assess, the final plan with its first outcome, and later that the plan has
ceased; the register follows each step. Axe on every page, including the pages that show errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from ehcp.models import Deadline, EhcPlan, NeedsAssessment
from register.models import RegisterEntry
from tests.permission_cases.ehcp import k_pupil

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_senco_records_the_ehc_process_from_request_to_cessation(live_demo, page, axe_clean) -> None:
    today = timezone.localdate()
    pupil = k_pupil(live_demo, live_demo.acorn, need="SLCN", legal_forename="Ezra", legal_surname="Journeyman")
    base = live_demo.url
    sign_in(page, base, "senco.acorn@oak.test")

    page.goto(base + reverse("pupils:record", args=[pupil.pk]))
    navigate(page, page.get_by_role("link", name="EHC needs assessments and plans"))
    assert page.get_by_role("heading", level=1).inner_text() == "EHC needs assessments and plans"
    axe_clean(page)

    # The request: an empty form explains itself; then the LA received it 50 days ago.
    navigate(page, page.get_by_role("link", name="Record a request for assessment"))
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Record the request"))
    alert = page.get_by_role("alert").inner_text()
    assert "Choose who asked for the assessment." in alert and "Enter the date the LA received the request." in alert
    axe_clean(page)
    page.get_by_label("The school").check()
    page.get_by_label("Date the LA received the request").fill((today - timedelta(days=50)).isoformat())
    navigate(page, page.get_by_role("button", name="Record the request"))
    assert page.get_by_role("heading", level=1).inner_text() == "EHC needs assessment"
    axe_clean(page)
    with scopes_disabled():
        assessment = NeedsAssessment.objects.get(pupil=pupil)
        # A1: the LA decides within 6 weeks of the request; 50 days on, it is already late.
        a1 = Deadline.objects.get(subject_type="needs_assessment", subject_id=assessment.pk, rule_id="A1")
    assert a1.statutory_due == today - timedelta(days=50) + timedelta(weeks=6)

    # The LA's decision to assess, 5 days after the request: A1 met on time.
    navigate(page, page.get_by_role("link", name="The LA's decision whether to assess"))
    axe_clean(page)
    page.get_by_label("The LA will assess").check()
    page.get_by_label("Date of the LA's decision").fill((today - timedelta(days=45)).isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    assert "The LA will assess" in page.content()
    with scopes_disabled():
        a1.refresh_from_db()
    assert (a1.status, a1.met_on) == ("met", today - timedelta(days=45))

    # The draft plan, served 30 days ago: the final plan follows it, after the parent's and school's 15 days.
    navigate(page, page.get_by_role("link", name="Draft EHC plan served (and the school consulted)"))
    page.get_by_role("heading", level=1).wait_for()
    page.get_by_label("Date the draft plan was served").fill((today - timedelta(days=30)).isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    page.get_by_role("heading", level=1, name="EHC needs assessment").wait_for()

    # The final plan, issued two days ago.
    navigate(page, page.get_by_role("link", name="The final EHC plan was issued"))
    assert page.get_by_role("heading", level=1).inner_text() == "Record an issued EHC plan"
    axe_clean(page)
    page.get_by_label("Date the plan was issued").fill((today - timedelta(days=2)).isoformat())
    page.get_by_label("Named placement (section I)").fill("Acorn Primary")
    page.get_by_label("First outcome (section E)").fill("Ezra asks an adult for help in class")
    navigate(page, page.get_by_role("button", name="Save the plan"))
    assert page.get_by_role("heading", level=1).inner_text() == "EHC plan, version 1"
    assert "is now shown as E on the SEN register" in page.content()
    assert "Ezra asks an adult for help in class" in page.content()
    axe_clean(page)
    with scopes_disabled():
        assert RegisterEntry.objects.get(pupil=pupil).status == "E"
        plan = EhcPlan.objects.get(pupil=pupil)

    # The plan ceases: the form asks for what is missing, then the register follows.
    navigate(page, page.get_by_role("link", name="Record that the plan has ceased"))
    assert page.get_by_role("heading", level=1).inner_text() == "Record that the EHC plan has ceased"
    axe_clean(page)
    page.get_by_label("Date the plan ceased").fill(today.isoformat())
    page.get_by_label("The LA decided, outside a review, that the plan is no longer needed").check()
    page.get_by_label("Not on the SEN register").check()
    navigate(page, page.get_by_role("button", name="Record that the plan has ceased"))
    assert "Enter the date parents were told" in page.get_by_role("alert").inner_text()
    axe_clean(page)
    page.get_by_label("SEN support: the school keeps making special educational provision").check()
    navigate(page, page.get_by_role("button", name="Record that the plan has ceased"))
    assert f"This plan ceased on {today:%-d %B %Y}" in page.content()
    axe_clean(page)
    with scopes_disabled():
        plan.refresh_from_db()
        entry = RegisterEntry.objects.get(pupil=pupil)
        open_rules = set(Deadline.objects.filter(pupil=pupil, status="open").values_list("rule_id", flat=True))
    assert plan.ceased_on == today and (entry.status, entry.primary_need) == ("K", "SLCN")
    assert "R1" not in open_rules

    # The record's timeline tells the story, newest first.
    page.goto(base + reverse("pupils:record", args=[pupil.pk]))
    timeline = page.locator(".app-timeline").inner_text()
    assert (
        timeline.index("EHC plan ceased.")
        < timeline.index("EHC plan issued by")
        < timeline.index("EHC needs assessment requested.")
    )
    axe_clean(page)
