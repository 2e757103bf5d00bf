"""Assess-plan-do-review in Chromium: the SENCO plans a cycle, a TA logs a session on a phone, the SENCO
reviews it. Axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.permission_cases.graduated import provision, support_pupil

from .conftest import navigate, open_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_menu(page) -> None:
    menu = page.get_by_role("button", name="Menu")
    if menu.count() and menu.first.is_visible():  # the navigation folds behind a button on a narrow screen
        menu.first.click()


def test_senco_plans_ta_logs_on_a_phone_senco_reviews(live_demo, page, browser, axe_clean) -> None:
    pupil = support_pupil(live_demo, live_demo.acorn, legal_forename="Ruby", legal_surname="Fenwick")
    provision(live_demo.acorn, "Phonics catch-up group")
    base = live_demo.url

    # The SENCO starts and plans a cycle.
    sign_in(page, base, "senco.acorn@oak.test")
    open_section(page, "Support")  # SEN support is the section's first page
    expect(page.get_by_role("heading", level=1)).to_contain_text("SEN support")
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Fenwick, Ruby"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruby Fenwick: SEN support")
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Start a cycle"))
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Start the cycle"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support cycle 1")
    axe_clean(page)

    navigate(page, page.get_by_role("link", name="Record the assessment and one-page profile"))
    page.get_by_label("What the assessment found (staff only)").fill("Phonics phase 2; blends with support.")
    page.get_by_label("What people like and admire about me").fill("Ruby is kind and loves horses.")
    page.get_by_label("What is important to me").fill("My pony books.")
    page.get_by_label("How best to support me").fill("Show me an example first.")
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Save the assessment"))

    navigate(page, page.get_by_role("link", name="Add an outcome"))
    page.get_by_label("What the pupil will be able to do").fill("Blend three-letter words")
    page.get_by_label("Where the pupil is now (baseline)").fill("5 of 20 words")
    page.get_by_label("Baseline as a number (optional)").fill("5")
    page.get_by_label("Target", exact=True).fill("15 of 20 words")
    page.get_by_label("Target as a number (optional)").fill("15")
    page.get_by_label("How it is measured").fill("Weekly word check")
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Add the outcome"))
    expect(page.get_by_text("Outcome added.")).to_be_visible()

    navigate(page, page.get_by_role("link", name="Add a classroom strategy"))
    page.get_by_label("Classroom strategy").fill("Show a worked example before independent work")
    navigate(page, page.get_by_role("button", name="Add the strategy"))

    navigate(page, page.get_by_role("link", name="Add provision from the catalogue"))
    page.get_by_label("Provision", exact=True).select_option(label="Phonics catch-up group")
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Add the provision"))

    navigate(page, page.get_by_role("link", name="Agree the plan").first)
    expect(page.get_by_label("Review date")).not_to_have_value("")  # the end of the half-term, from the calendar
    page.get_by_label("Expected impact").fill("Ruby blends words in her reading book.")
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Agree the plan"))
    expect(page.get_by_text("The plan is in place")).to_be_visible()
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Sign out"))

    # The TA logs a session on a phone.
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    ta = phone.new_page()
    sign_in(ta, base, "ta.acorn@oak.test")
    _open_menu(ta)
    ta.get_by_role("link", name="Log a session").first.click()
    expect(ta.get_by_role("heading", level=1)).to_have_text("Log a session")
    axe_clean(ta)
    ta.get_by_role("link", name=re.compile("Ruby Fenwick")).first.click()
    expect(ta.get_by_label("Phonics catch-up group")).to_be_checked()
    ta.get_by_label("Short note (optional)").fill("Blended 9 words")
    # The score names what it measures and the numbers the plan starts from and aims for.
    ta.get_by_label("Score: Weekly word check (started at 5, target 15) (optional)").fill("9")
    axe_clean(ta)
    ta.get_by_role("button", name="Log the session").click()
    expect(ta.get_by_text("Session of Phonics catch-up group logged for Ruby.")).to_be_visible()
    expect(ta.get_by_text("Blended 9 words")).to_be_visible()
    axe_clean(ta)
    assert ta.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.close()

    # The SENCO sees the score on the chart and reviews the cycle.
    sign_in(page, base, "senco.acorn@oak.test")
    page.goto(f"{base}/support/pupils/{pupil.pk}/")
    navigate(page, page.get_by_role("link", name="Cycle 1").first)
    expect(page.locator("svg[role=img] title")).to_contain_text("Progress on outcome 1")
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Review this cycle"))
    # The review shows the evidence beside the judgement: the scores logged in the cycle and their chart.
    expect(page.locator("svg[role=img] title").first).to_contain_text("Progress on outcome 1")
    page.get_by_label("Partly achieved").check()
    page.get_by_label("Evidence for outcome 1").fill("9 of 20 words at the last check")
    page.get_by_label("Parents' views (optional)").fill("Pleased; reading at home more")
    page.get_by_label("Start a new cycle (outcomes not achieved are carried forward)").check()
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Record the review"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support cycle 2")
    expect(page.get_by_text("Cycle 1 reviewed. Cycle 2 has started.")).to_be_visible()
    expect(page.get_by_text("carried forward from the last cycle")).to_be_visible()
    axe_clean(page)
