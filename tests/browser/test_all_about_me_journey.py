"""On a tablet (768×1024), a teaching assistant opens a pupil's "All about me" from the record, completes it
with the pupil (touch-sized boxes and buttons, the character count), and the pupil passport shows it.
Axe on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.permission_cases.graduated import active_cycle

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ta_completes_all_about_me_with_the_pupil_on_a_tablet(live_demo, page, axe_clean) -> None:
    pupil = active_cycle(live_demo, live_demo.acorn, legal_forename="Maya", legal_surname="Tabletpupil").pupil
    base = live_demo.url
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, base, "ta.acorn@oak.test")
    page.goto(base + reverse("pupils:record", args=[pupil.pk]))
    assert "Maya has not done their All about me yet." in page.content()
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Open Maya's All about me"))
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Start it with Maya"))
    assert page.get_by_role("heading", level=1).inner_text() == "All about me"
    axe_clean(page)

    box = page.get_by_label("What helps me")
    size = box.bounding_box()
    assert size is not None and size["height"] >= 96 and size["width"] >= 600  # big enough to tap and write in
    page.get_by_label("What people like about me").fill("I am funny and I help my little brother.")
    box.fill("Pictures of what to do next. A timer.")
    # GOV.UK's character count tells the pupil and the adult how much room is left, as they type.
    page.locator(".govuk-character-count__status", has_text="You have 963 characters remaining").wait_for()
    page.get_by_label("My hopes").fill("I want to be a zookeeper.")
    page.get_by_label("The pupil's own words").check()
    save = page.get_by_role("button", name="Save Maya's All about me")
    saved = save.bounding_box()
    assert saved is not None and saved["height"] >= 44
    # The keyboard works too: focus the button and press Enter.
    save.focus()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "Maya's All about me is saved" in page.content()
    assert "with Lucy Evans (Teaching assistant)" in page.content()
    axe_clean(page)

    page.goto(base + reverse("graduated:passport", args=[pupil.pk]))
    passport = page.locator("section[aria-labelledby=all-about-me-heading]")
    assert "Pictures of what to do next. A timer." in passport.inner_text()
    assert "I want to be a zookeeper." in passport.inner_text()
    axe_clean(page)
