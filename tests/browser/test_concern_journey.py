"""A teacher raises a cause for concern; the SENCO, in their own browser, triages it to SEN support; the
pupil is then on the register at K. Axe on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from register.models import CauseForConcern, RegisterEntry
from tests.factories import pupil_at

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def emails_sent_on_commit(monkeypatch):
    """Notification emails run in-process once the transaction commits (no broker files left behind)."""
    from trusts.tasks import email_notification

    def on_commit(**kwargs):
        transaction.on_commit(lambda: email_notification(**kwargs))

    monkeypatch.setattr(email_notification, "delay_on_commit", on_commit)
    return mail.outbox


def test_teacher_raises_a_concern_and_the_senco_triages_it_to_sen_support(
    live_demo, page, browser, axe_clean, emails_sent_on_commit
) -> None:
    pupil = pupil_at(live_demo, live_demo.acorn, legal_surname="Journeyman", legal_forename="Sam")
    base = live_demo.url

    # The teacher opens their pupil's record and raises a concern from it.
    sign_in(page, base, "teacher.acorn@oak.test")
    page.goto(f"{base}/pupils/{pupil.pk}/")
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Raise a cause for concern"))
    assert page.get_by_role("heading", level=1).inner_text() == "Raise a cause for concern"
    assert page.get_by_label("Pupil", exact=True).input_value() == str(pupil.pk)
    axe_clean(page)
    page.get_by_label("Cognition and learning", exact=False).check()
    page.get_by_label("What have you noticed?").fill("Reading well below peers from the same starting point.")
    page.get_by_label("Since when have you noticed this?").fill((timezone.localdate() - timedelta(days=45)).isoformat())
    page.get_by_label("What have you already tried in class?").fill("Phonics catch-up, pre-teaching")
    page.get_by_label("What effect did those strategies have?").fill("Little change")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("What do the parents or carers think?").fill("They agree and want help")
    navigate(page, page.get_by_role("button", name="Send to the SENCO"))
    assert page.get_by_role("heading", level=1).inner_text() == "Concerns I have raised"
    assert "has been sent to the SENCO" in page.content()
    axe_clean(page)

    # The SENCO, in a browser of their own, follows the notification to the concern and triages it.
    context = browser.new_context()
    senco = context.new_page()
    sign_in(senco, base, "senco.acorn@oak.test")
    navigate(senco, senco.get_by_role("link", name="Notifications").first)
    axe_clean(senco)
    navigate(senco, senco.get_by_role("button", name=re.compile("raised a cause for concern")))
    assert senco.get_by_role("heading", level=1).inner_text() == "Sam Journeyman"
    axe_clean(senco)
    navigate(senco, senco.get_by_role("button", name="Start triage"))
    assert "is now in progress" in senco.content()
    navigate(senco, senco.get_by_role("link", name="Causes for concern").first)
    assert senco.get_by_role("link", name="In progress (1)").count() == 1
    axe_clean(senco)
    senco.go_back()
    navigate(senco, senco.get_by_role("link", name="Record the outcome"))
    axe_clean(senco)
    senco.get_by_label("SEN support", exact=True).check()
    senco.get_by_label("Primary type of need (rank 1)").select_option("SPLD")
    senco.get_by_label("Date parents were told").fill(timezone.localdate().isoformat())
    axe_clean(senco)  # with the conditional questions revealed
    senco.get_by_label("Notes").fill("Specific learning difficulty: support plan to follow")
    navigate(senco, senco.get_by_role("button", name="Close the concern with this outcome"))
    assert "is closed: sen support" in senco.content()
    assert senco.get_by_role("link", name="New (0)").count() == 1
    axe_clean(senco)

    with scopes_disabled():
        entry = RegisterEntry.objects.get(pupil=pupil)
        concern = CauseForConcern.objects.get(pupil=pupil)
    assert (entry.status, entry.primary_need) == ("K", "SPLD")
    assert (concern.status, concern.outcome) == ("closed", "sen_support")

    # The register page shows the pupil at SEN support.
    senco.goto(f"{base}/register/?status=K")
    row = senco.get_by_role("row", name=re.compile("Journeyman"))
    assert "SEN support" in row.inner_text()
    axe_clean(senco)

    # Later the SENCO finds Sam from the header's search with the keyboard alone: part names, any order.
    search = senco.get_by_role("search", name="Pupils").get_by_label("Search for a pupil by name or UPN")
    search.fill("journ sam")
    with senco.expect_navigation(wait_until="load"):
        search.press("Enter")
    assert senco.get_by_role("heading", level=2).first.inner_text() == "1 pupil found"
    axe_clean(senco)
    result = senco.get_by_role("link", name="Sam Journeyman")
    result.focus()
    with senco.expect_navigation(wait_until="load"):
        senco.keyboard.press("Enter")
    assert senco.get_by_role("heading", level=1).inner_text() == "Sam Journeyman"
    context.close()

    # The teacher sees the outcome in plain words, and was emailed about it (as the SENCO was).
    page.reload()
    assert "SEN support" in page.get_by_role("table").inner_text()
    navigate(page, page.get_by_role("link", name=re.compile("Journeyman")))
    assert "The pupil is now on the SEN register" in page.content()
    axe_clean(page)
    recipients = sorted(m.to[0] for m in emails_sent_on_commit)
    assert recipients == ["senco.acorn@oak.test", "teacher.acorn@oak.test"]
