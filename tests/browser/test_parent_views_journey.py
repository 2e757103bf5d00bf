"""Parents' views before a review in Chromium: the parent gives their views in the portal, and the SENCO
sees them on the review form, attributed and dated, beside the school's own field. Axe on every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.permission_cases.graduated import active_cycle

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_gives_views_before_a_review_and_the_senco_sees_them(live_demo, page, axe_clean) -> None:
    cycle = active_cycle(live_demo, live_demo.acorn, legal_forename="Noah", legal_surname="Pennant")
    base = live_demo.url

    sign_in(page, base, "parent.acorn@oak.test")
    page.goto(f"{base}/family/child/{cycle.pupil_id}/")
    expect(page.get_by_role("heading", name="Tell us your views before the review")).to_be_visible()
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Give your views"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us your views before the review")
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Send your views"))  # nothing answered
    expect(page.get_by_role("alert")).to_contain_text("Answer at least one question.")
    axe_clean(page)
    page.get_by_label("What is going well?").fill("Noah reads to us every night now.")
    page.get_by_label("What questions do you want answered?").fill("Will the reading group carry on?")
    navigate(page, page.get_by_role("button", name="Send your views"))
    expect(page.get_by_text("Thank you. The school has your views.")).to_be_visible()
    expect(page.get_by_role("link", name="Change your views")).to_be_visible()
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Sign out"))

    sign_in(page, base, "senco.acorn@oak.test")
    page.goto(f"{base}/support/cycles/{cycle.pk}/review/")
    card = page.locator(".govuk-summary-card", has_text="From Emma Clarke (mother)")
    expect(card).to_contain_text("Noah reads to us every night now.")
    today = timezone.localdate()
    expect(card).to_contain_text(f"Written by Emma Clarke on {today.day} {today:%B %Y}")
    staff_field = page.get_by_role("textbox", name="Parents' views (optional)")
    expect(staff_field).to_have_value("")  # the school's own field is untouched
    axe_clean(page)
    navigate(page, card.get_by_role("button", name="Copy into the parents' views"))
    expect(page.get_by_role("textbox", name="Parents' views (optional)")).to_have_value(
        f"From Emma Clarke (mother), {today.day} {today:%B %Y}:\n"
        "What is going well? Noah reads to us every night now.\n"
        "What questions do you want answered? Will the reading group carry on?"
    )
    axe_clean(page)
