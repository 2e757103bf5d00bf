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
from trusts.models import Membership, User

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
    from pupils.tasks import send_parent_invitation

    assert send_parent_invitation(user_id=User.objects.get(email="jo.ellis@home.test").pk, school_name="Acorn Primary")
    assert len(mail.outbox) == 1 and "Rosalind" not in mail.outbox[0].body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    parent = Client()
    form = parent.get(link, follow=True)
    parent.post(
        form.redirect_chain[-1][0], {"password1": "a-long-parent-password", "password2": "a-long-parent-password"}
    )
    assert (
        parent.post(
            "/accounts/login/", {"login": "jo.ellis@home.test", "password": "a-long-parent-password"}
        ).status_code
        == 302
    )
    assert "Rosalind" in parent.get(reverse("reports:portal")).content.decode()
    with scope(trust=demo.oak.pk):
        assert Membership.objects.filter(user__email="jo.ellis@home.test", role="parent", school=demo.acorn).exists()


def test_invite_refuses_other_trusts_email_and_repeat(demo) -> None:
    pupil = make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk):
        contact = Contact.objects.create(
            trust=demo.oak, pupil=pupil, name="K", relationship="Mother", email="parent.willow@river.test"
        )
    senco = demo.client_for("senco.acorn@oak.test")
    response = senco.post(reverse("pupils:contact_invite", args=[pupil.pk, contact.pk]), follow=True)
    assert "another organisation" in response.content.decode()
    assert User.objects.get(email="parent.willow@river.test").trust == demo.river


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
