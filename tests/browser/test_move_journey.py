"""Acorn's SENCO records a pupil's move to Beech in the browser: the form explains a missing school, the
confirmation lists what moves, and once moved Acorn no longer sees the record while Beech's SENCO opens the
pupil's EHC plan. Axe on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.permission_cases.reviews import make_plan

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_senco_moves_a_pupil_and_the_new_senco_opens_the_plan(live_demo, page, browser, axe_clean) -> None:
    plan = make_plan(live_demo, live_demo.acorn, legal_forename="Mira", legal_surname="Traveller")
    record = live_demo.url + reverse("pupils:record", args=[plan.pupil_id])
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    page.goto(record)
    navigate(page, page.get_by_role("link", name="Record a move to another school of the trust"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Record a move to another school")
    axe_clean(page)

    navigate(page, page.get_by_role("button", name="Continue"))
    assert "Choose the school the pupil is moving to." in page.get_by_role("alert").inner_text()
    axe_clean(page)
    page.get_by_label("School they are moving to").select_option(label="Beech Academy")
    navigate(page, page.get_by_role("button", name="Continue"))
    assert page.get_by_role("heading", level=1).inner_text() == "Move Mira Traveller to Beech Academy"
    assert "1 EHC plan." in page.get_by_test_id("move-lines").inner_text()
    axe_clean(page)

    navigate(page, page.get_by_role("button", name="Move Mira to Beech Academy"))
    assert page.get_by_role("heading", level=1).inner_text() == "Move recorded"
    assert "You no longer see Mira's record" in page.content()
    axe_clean(page)
    assert page.goto(record).status == 404

    beech = browser.new_context().new_page()
    sign_in(beech, live_demo.url, "senco.beech@oak.test")
    beech.goto(record)
    assert beech.get_by_role("heading", level=1).inner_text() == "Mira Traveller"
    assert "Moved school within the trust, from Acorn Primary to Beech Academy." in beech.content()
    beech.goto(live_demo.url + reverse("ehcp:plan_detail", args=[plan.pk]))
    assert beech.get_by_role("heading", level=1).inner_text().startswith("EHC plan")
    axe_clean(beech)
