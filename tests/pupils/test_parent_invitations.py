"""A SENCO adds a parent and invites them to the portal; the parent sets a password and sees only their child."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from pupils.models import Contact
from tests.factories import make_pupil
from trusts.models import Invitation, Membership, User

pytestmark = pytest.mark.django_db


def test_senco_adds_and_invites_a_parent_who_then_signs_in(demo, django_capture_on_commit_callbacks) -> None:
    pupil = make_pupil(demo.acorn, legal_forename="Rosalind", preferred_forename="Rosalind")
    senco = demo.client_for("senco.acorn@oak.test")
    bad = senco.post(reverse("pupils:contact_new", args=[pupil.pk]), {"name": "", "relationship": "", "email": "x"})
    assert bad.status_code == 200
    assert "Enter the person&#x27;s name." in bad.content.decode() and "Enter an email address" in bad.content.decode()
    ok = senco.post(
        reverse("pupils:contact_new", args=[pupil.pk]),
        {"name": "Jo Ellis", "relationship": "Mother", "email": "jo.ellis@home.test", "parental_responsibility": "on"},
    )
    assert ok.status_code == 302
    with scope(trust=demo.oak.pk):
        contact = Contact.objects.get(pupil=pupil)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = senco.post(reverse("pupils:contact_invite", args=[pupil.pk, contact.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the email is queued for the worker after commit
    from trusts.tasks import send_invitation_email

    with scope(trust=demo.oak.pk):
        invitation = Invitation.objects.get(kind="parent")
    assert send_invitation_email(invitation_id=invitation.pk)
    assert len(mail.outbox) == 1 and "Rosalind" not in mail.outbox[0].body
    assert mail.outbox[0].to == ["jo.ellis@home.test"]
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", mail.outbox[0].body).group(1)
    parent = Client()
    assert "Set up your account" in parent.get(link).content.decode()
    parent.post(
        link, {"full_name": "Jo Ellis", "password1": "a-long-parent-password", "password2": "a-long-parent-password"}
    )
    assert "Rosalind" in parent.get(reverse("reports:portal")).content.decode()
    assert (
        Client()
        .post("/accounts/login/", {"login": "jo.ellis@home.test", "password": "a-long-parent-password"})
        .status_code
        == 302
    )
    with scope(trust=demo.oak.pk):
        assert Membership.objects.filter(user__email="jo.ellis@home.test", role="parent", school=demo.acorn).exists()
        assert Contact.objects.get(pk=contact.pk).user.email == "jo.ellis@home.test"
    # A second invitation while the first waits is refused with a plain message.
    again = senco.post(reverse("pupils:contact_invite", args=[pupil.pk, contact.pk]), follow=True)
    assert "already has the parent portal" in again.content.decode()


def test_invite_of_another_trusts_address_looks_the_same_to_the_school(demo) -> None:
    pupil = make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk):
        contact = Contact.objects.create(
            trust=demo.oak, pupil=pupil, name="K", relationship="Mother", email="parent.willow@river.test"
        )
    senco = demo.client_for("senco.acorn@oak.test")
    response = senco.post(reverse("pupils:contact_invite", args=[pupil.pk, contact.pk]), follow=True)
    page = response.content.decode()
    assert "another organisation" not in page and "We have emailed K an invitation" in page
    repeat = senco.post(reverse("pupils:contact_invite", args=[pupil.pk, contact.pk]), follow=True)
    assert "has not accepted yet" in repeat.content.decode()
    assert User.objects.get(email="parent.willow@river.test").trust == demo.river
    with scope(trust=demo.oak.pk):
        assert Contact.objects.get(pk=contact.pk).user_id is None


def test_only_casework_roles_of_the_school_manage_parents(demo) -> None:
    pupil = make_pupil(demo.acorn)
    for email in (
        "teacher.acorn@oak.test",
        "governor.acorn@oak.test",
        "senco.beech@oak.test",
        "lead@river.test",
        "parent.acorn@oak.test",
    ):
        assert demo.client_for(email).get(reverse("pupils:contact_new", args=[pupil.pk])).status_code == 404
