"""A parent raises a concern about their child in the family portal; the SENCO, in their own browser, sees
it marked as from a parent in the queue and closes it with a message for the family; the parent reads the
school's answer in the portal. Axe on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import pupil_at

from .conftest import navigate, sign_in
from .test_concern_journey import emails_sent_on_commit  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_raises_a_concern_and_reads_the_sencos_answer(
    live_demo,
    page,
    browser,
    axe_clean,
    emails_sent_on_commit,  # noqa: F811
) -> None:
    pupil = pupil_at(live_demo, live_demo.acorn, legal_surname="Journeyman", legal_forename="Sam")
    base = live_demo.url

    # The parent opens their child's page and raises a concern.
    sign_in(page, base, "parent.acorn@oak.test")
    page.goto(f"{base}/family/child/{pupil.pk}/")
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Raise a concern about Sam"))
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Send to the SENCO"))  # nothing filled in
    assert page.get_by_role("heading", name="There is a problem").count() == 1
    axe_clean(page)
    page.get_by_label("What have you noticed?").fill("Sam cries before school and says lunch is too noisy.")
    page.get_by_label("Since when?").fill((timezone.localdate() - timedelta(days=30)).isoformat())
    page.get_by_label("What helps at home, or what have you tried?").fill("A quiet tea after school.")
    page.get_by_label("What would you like the school to do?").fill("Somewhere quiet to eat lunch.")
    navigate(page, page.get_by_role("button", name="Send to the SENCO"))
    assert "We have sent your concern to the SENCO" in page.content()
    assert "Received" in page.locator("#concerns").locator("..").inner_text()
    axe_clean(page)

    # The SENCO sees it marked as from a parent in the queue, and closes it with a message for the family.
    context = browser.new_context()
    senco = context.new_page()
    sign_in(senco, base, "senco.acorn@oak.test")
    senco.goto(f"{base}/register/concerns/")
    row = senco.get_by_role("row", name=re.compile("Journeyman"))
    assert "From a parent or carer Emma Clarke" in row.inner_text()
    axe_clean(senco)
    navigate(senco, row.get_by_role("link", name=re.compile("Journeyman")))
    axe_clean(senco)
    navigate(senco, senco.get_by_role("link", name="Record the outcome"))
    senco.get_by_label("Monitor", exact=True).check()
    senco.get_by_label("Notes").fill("Staff only: lunchtime supervisor to watch; calm space trial")
    senco.get_by_label("Message for the family").fill("Sam can eat lunch in the quiet room from Monday.")
    axe_clean(senco)
    navigate(senco, senco.get_by_role("button", name="Close the concern with this outcome"))
    assert "is closed: monitor" in senco.content()
    context.close()

    # The parent reads the school's answer (and not the staff notes), and was emailed that it is there.
    page.reload()
    concerns = page.locator("#concerns").locator("..").inner_text()
    assert "Answered" in concerns and "Sam can eat lunch in the quiet room from Monday." in concerns
    assert "Staff only" not in page.content()
    axe_clean(page)
    to_parent = [m for m in emails_sent_on_commit if m.to == ["parent.acorn@oak.test"]]
    assert len(to_parent) == 1 and "Sam" not in to_parent[0].body and "Journeyman" not in to_parent[0].body
