"""The inclusion lead invites a teacher in People; the teacher sets up their account from the emailed link
and lands on their home; the lead sees them in People. axe on every page; each step waits for its page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from trusts.invitations import send_invitation
from trusts.models import Invitation

from .conftest import open_section, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heading(page, text: str) -> None:
    page.get_by_role("heading", level=1, name=text).wait_for()


def test_invite_accept_and_see_the_new_teacher(live_demo, page, browser, axe_clean, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sign_in(page, live_demo.url, "lead@oak.test")
    open_section(page, "Admin")  # People is the section's first page
    _heading(page, "People")
    axe_clean(page)
    page.get_by_role("link", name="Invite a person").click()
    _heading(page, "Invite a person")
    page.get_by_role("button", name="Send the invitation").click()
    _heading(page, "Invite a person")
    assert "Enter the person's full name." in page.content().replace("&#x27;", "'")
    axe_clean(page)
    page.get_by_label("Full name").fill("Ann Lee")
    page.get_by_label("Work email address").fill("ann.lee@acorn.test")
    page.get_by_label("Role").select_option("teacher")
    page.get_by_label("School").select_option(label="Acorn Primary")
    page.get_by_role("button", name="Send the invitation").click()
    _heading(page, "People")
    assert "ann.lee@acorn.test" in page.content()

    with scopes_disabled():
        invitation = Invitation.objects.get(email="ann.lee@acorn.test")
        token = send_invitation(invitation=invitation)
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    assert token in link

    teacher = browser.new_context().new_page()
    teacher.set_default_timeout(8000)
    teacher.goto(f"{live_demo.url}{link}")
    _heading(teacher, "Set up your account")
    axe_clean(teacher)
    teacher.get_by_label("Choose a password").fill("a-long-pass-phrase-7")
    teacher.get_by_label("Type the password again").fill("a-long-pass-phrase-7")
    teacher.get_by_role("button", name="Set up my account").click()
    _heading(teacher, "Your pupils")
    axe_clean(teacher)

    page.reload()
    _heading(page, "People")
    assert "Invited, not yet accepted" not in page.content()
    page.get_by_role("link", name="Ann Lee").click()
    _heading(page, "Ann Lee")
    assert "Teacher, Acorn Primary" in page.content()
    axe_clean(page)
