"""On a 390 px phone the widest tables (the trustee's schools side by side, the SEN register, deadlines) stack
their rows as cards, each cell after its column's heading: nothing scrolls sideways. At 1280 px they stay
ordinary tables."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.permission_cases.graduated import support_pupil
from tests.permission_cases.reviews import make_plan

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = """() => document.documentElement.scrollWidth <= window.innerWidth + 1 &&
    [...document.querySelectorAll('.app-table-wrap')].every((w) => w.scrollWidth <= w.clientWidth + 1)"""
FIRST_LABEL = """() => { const td = document.querySelector('table.govuk-table tbody td[data-label]');
    return td ? [td.dataset.label, getComputedStyle(td, '::before').content, getComputedStyle(td).display] : null }"""


def test_tables_stack_on_a_phone_and_stay_tables_on_a_laptop(live_demo, browser, axe_clean) -> None:
    support_pupil(live_demo, live_demo.acorn, legal_forename="Ruby")
    make_plan(live_demo, live_demo.acorn, issued_on=timezone.localdate() - timedelta(days=360))
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, live_demo.url, "trustee@oak.test")
    page.goto(f"{live_demo.url}/figures/trust/")
    assert page.locator("table.govuk-table").count() >= 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    label, before, display = page.evaluate(FIRST_LABEL)
    assert label and before == f'"{label}: "' and display == "block"
    axe_clean(page)
    phone.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    for path in ("/register/", "/ehc/deadlines/"):
        page.goto(f"{live_demo.url}{path}")
        assert page.locator("table.govuk-table tbody tr").count() >= 1, path
        assert page.evaluate(NO_SIDEWAYS_SCROLL), path
        assert page.evaluate(FIRST_LABEL)[2] == "block", path
        axe_clean(page)
    phone.close()

    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    page.goto(f"{live_demo.url}/register/")
    assert page.evaluate(FIRST_LABEL)[2] == "table-cell"
    assert page.locator("table.govuk-table thead").first.is_visible()
    laptop.close()
