"""A TA on a 390 px phone logs one session for a group of three: one absent, one score, then done."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from graduated.models import DeliveryLog
from tests.permission_cases.graduated import active_cycle

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ta_logs_a_group_session_on_a_phone(live_demo, browser, axe_clean) -> None:
    cycles = [
        active_cycle(live_demo, live_demo.acorn, legal_surname=f"Phonics{i}", legal_forename="Kit") for i in range(3)
    ]
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    ta = phone.new_page()
    sign_in(ta, live_demo.url, "ta.acorn@oak.test")
    # Straight from the home page's work list: no menu to open on the phone.
    expect(ta.get_by_role("heading", name="Sessions to log today")).to_be_visible()
    axe_clean(ta)
    navigate(ta, ta.get_by_role("link", name=re.compile("^Log Phonics catch-up group")))
    expect(ta.get_by_role("heading", level=1)).to_have_text("Log a group session")
    axe_clean(ta)
    ta.get_by_role("group", name="Kit Phonics1").get_by_label("Present").uncheck()
    ta.get_by_role("group", name="Kit Phonics0").get_by_label(
        "Score: Weekly word check (started at 40, target 80) (optional)"
    ).fill("52")
    assert ta.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    navigate(ta, ta.get_by_role("button", name="Log the session for the group"))
    expect(ta.get_by_text("Session of Phonics catch-up group on")).to_contain_text("2 of 3 present")
    axe_clean(ta)
    phone.close()
    with scopes_disabled():
        attended = dict(DeliveryLog.objects.values_list("cycle_id", "attended"))
    assert attended == {cycles[0].pk: True, cycles[1].pk: False, cycles[2].pk: True}
