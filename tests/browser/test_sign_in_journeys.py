"""Each role signs in through the real page in Chromium and lands on its own home; axe on every page."""

from __future__ import annotations

import pytest

from .conftest import navigate, open_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    "lead@oak.test": "SEND across the trust",
    "trustee@oak.test": "SEND across the trust",
    "head.acorn@oak.test": "Your school's SEND overview",
    "senco.acorn@oak.test": "Your SEND casework",
    "teacher.acorn@oak.test": "Your pupils",
    "ta.acorn@oak.test": "Your pupils",
    "governor.acorn@oak.test": "Your school's SEND figures",
    "parent.acorn@oak.test": "Your child's support",
    "senco.willow@river.test": "Your SEND casework",
}


def test_sign_in_page_is_accessible(live_demo, page, axe_clean) -> None:
    page.goto(f"{live_demo.url}/accounts/login/")
    assert page.get_by_role("heading", level=1).count() == 1
    axe_clean(page)


@pytest.mark.parametrize("email", list(HOMES))
def test_role_signs_in_to_its_home(live_demo, page, axe_clean, email) -> None:
    sign_in(page, live_demo.url, email)
    assert page.get_by_role("heading", level=1).inner_text() == HOMES[email]
    trust = "River Schools Trust" if email.endswith("river.test") else "Oak Learning Trust"
    assert trust in page.content()
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Notifications").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    axe_clean(page)


def test_wrong_password_shows_an_error_summary(live_demo, page, axe_clean) -> None:
    sign_in(page, live_demo.url, "senco.acorn@oak.test", "wrong-password-123")
    assert "not correct" in page.content()
    axe_clean(page)


def test_senco_pages_are_accessible_on_a_phone(live_demo, browser, axe_clean) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    open_section(page, "Admin", "Term dates")
    assert page.get_by_role("heading", level=1).inner_text() == "Term dates"
    axe_clean(page)
    page.goto(f"{live_demo.url}/access-log/")
    assert page.get_by_role("heading", level=1).inner_text() == "Access log"
    axe_clean(page)
    page.goto(f"{live_demo.url}/term-dates/{live_demo.acorn.pk}/")
    axe_clean(page)
    # No horizontal scrolling of the whole page on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_signing_out(live_demo, page) -> None:
    sign_in(page, live_demo.url, "teacher.acorn@oak.test")
    navigate(page, page.get_by_role("button", name="Sign out"))
    page.goto(f"{live_demo.url}/")
    assert "/accounts/login/" in page.url
