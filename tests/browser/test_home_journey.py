"""The SENCO's home is a work list, most consequential first; the menu is a few sections on one row at 1280 px
and behind "Menu" on a phone, with the section's pages in a second row."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.permission_cases.concerns import make_concern
from tests.permission_cases.graduated import active_cycle
from tests.permission_cases.reviews import make_plan

from .conftest import navigate, open_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_senco_home_says_what_to_do_next(live_demo, browser, axe_clean) -> None:
    today = timezone.localdate()
    make_plan(live_demo, live_demo.acorn, issued_on=today - timedelta(days=400), legal_forename="Ola")
    make_concern(live_demo, live_demo.acorn)
    active_cycle(live_demo, live_demo.acorn, review_in_days=3, legal_forename="Ben")

    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    headings = page.locator("main h2").all_inner_texts()
    order = [
        next(i for i, h in enumerate(headings) if h.startswith(title))
        for title in (
            "Statutory deadlines overdue",
            "Concerns waiting for triage",
            "Support plans to review",
            "At a glance",
        )
    ]
    assert order == sorted(order), headings
    axe_clean(page)
    # The menu: Home and five sections, all on one row.
    main_menu = page.get_by_role("navigation", name="Main").get_by_role("listitem")
    assert main_menu.all_inner_texts() == ["Home", "Pupils", "Support", "EHC", "Reports", "Admin"]
    tops = {round(item.bounding_box()["y"]) for item in main_menu.all()}
    assert len(tops) == 1, tops
    # Each line is a link to the action.
    navigate(page, page.get_by_role("link", name="Triage the concern"))
    expect(page).to_have_url(re.compile(r"/register/concerns/\d+/$"))
    current = page.get_by_role("navigation", name="Main").locator("[aria-current]")
    expect(current).to_have_text("Pupils")
    expect(
        page.get_by_role("navigation", name="Pupils pages").get_by_role("link", name="Concerns", exact=True)
    ).to_have_attribute("aria-current", "page")
    laptop.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="EHC", exact=True)).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    open_section(page, "EHC", "Annual reviews")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual reviews")
    axe_clean(page)
    phone.close()
