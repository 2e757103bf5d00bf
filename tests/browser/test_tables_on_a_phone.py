"""On a 390 px phone the widest tables (the trustee's schools side by side, the SEN register, deadlines, annual
reviews) stack their rows as cards, each cell after its column's heading: nothing scrolls sideways, and screen
readers still get a real table. At 1280 px they stay ordinary tables."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.permission_cases.graduated import support_pupil
from tests.permission_cases.reviews import make_plan

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = """() => document.documentElement.scrollWidth <= 390 &&
    [...document.querySelectorAll('.app-table-wrap')].every((w) => w.scrollWidth <= w.clientWidth + 1)"""
FIRST_LABEL = """() => { const td = document.querySelector('table.govuk-table tbody td[data-label]');
    return td ? [td.dataset.label, getComputedStyle(td, '::before').content, getComputedStyle(td).display] : null }"""
# A row header is the card's title (no label); an empty cell is left out of the card; a cell across every column
# ("No pupils ...") has no single heading, so no label.
ROW_HEADER_AND_EMPTY = """() => {
    const th = document.querySelector('table.govuk-table tbody th[scope=row]');
    const empty = document.querySelector('table.govuk-table tbody td.app-table__cell--empty');
    return [th && th.hasAttribute('data-label'), th && getComputedStyle(th).display,
            empty && getComputedStyle(empty).display, empty && empty.hasAttribute('data-label')] }"""

# A column headed only for screen readers ("Action", visually hidden) puts no label on the card: [cells, labelled].
HIDDEN_HEADING_CELLS = """() => { let cells = 0, labelled = 0;
    for (const table of document.querySelectorAll('table.app-table--stack')) {
      [...table.tHead.rows[table.tHead.rows.length - 1].cells].forEach((th, i) => {
        const copy = th.cloneNode(true); copy.querySelectorAll('.govuk-visually-hidden').forEach((h) => h.remove());
        if (copy.textContent.trim()) return;
        for (const row of table.tBodies[0].rows) {
          if (row.cells[i]) { cells++; labelled += row.cells[i].hasAttribute('data-label') } } }) }
    return [cells, labelled] }"""


def _table_roles(context, page) -> Counter[str]:  # type: ignore[no-untyped-def]
    """The roles Chromium's accessibility tree gives (what a screen reader is told), not the DOM's."""
    nodes = context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return Counter(n["role"]["value"] for n in nodes if not n.get("ignored") and "role" in n)


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
    # The label is drawn before the cell, with empty alternative text (the screen reader says the column heading).
    assert label and before == f'"{label}: " / ""' and display == "block"
    row_header_labelled, row_header_display, empty_display, empty_labelled = page.evaluate(ROW_HEADER_AND_EMPTY)
    assert row_header_labelled is False and row_header_display == "block"
    assert empty_display == "none" and empty_labelled is True  # the national row has no counts of its own
    roles = _table_roles(phone, page)
    assert roles["table"] >= 1 and roles["columnheader"] >= 3 and roles["rowheader"] >= 3 and roles["cell"] >= 10
    axe_clean(page)
    phone.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    for path in ("/register/", "/ehc/deadlines/", "/reviews/"):
        page.goto(f"{live_demo.url}{path}")
        assert page.locator("table.govuk-table tbody tr").count() >= 1, path
        assert page.evaluate(NO_SIDEWAYS_SCROLL), path
        assert page.evaluate(FIRST_LABEL)[2] == "block", path
        cells, labelled = page.evaluate(HIDDEN_HEADING_CELLS)
        assert labelled == 0 and (cells >= 1 or path != "/reviews/"), path  # "Start the review" has no "Action:"
        axe_clean(page)
    # A long web address in a sentence wraps rather than pushing the page wide.
    page.goto(f"{live_demo.url}/sen-information-report/")
    assert page.locator("a[href*='/public/schools/']").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    phone.close()

    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    sign_in(page, live_demo.url, "senco.acorn@oak.test")
    page.goto(f"{live_demo.url}/register/")
    assert page.evaluate(FIRST_LABEL)[2] == "table-cell"
    assert page.locator("table.govuk-table thead").first.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('table.govuk-table')).display") == "table"
    laptop.close()
