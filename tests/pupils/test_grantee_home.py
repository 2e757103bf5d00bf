"""People with no role but a grant land on what is shared with them, see it in the navigation, and must use MFA."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from pupils.grants import grant_external_access
from tests.factories import pupil_at
from trusts.invitations import accept_with_new_account
from trusts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def psychologist(demo):
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        invitation = grant_external_access(
            pupil=pupil,
            email="ep@council.test",
            full_name="Dr Nadia Hale",
            profession="Educational psychologist",
            ends_on=timezone.localdate() + dt.timedelta(days=30),
            reason="Statutory advice",
            actor=demo.user("senco.acorn@oak.test"),
        )
    user = accept_with_new_account(
        invitation=invitation, full_name="Dr Nadia Hale", password="a-long-password-for-tests"
    )
    return user, pupil


def test_grantee_home_is_what_is_shared_with_them(demo, psychologist, client) -> None:
    user, pupil = psychologist
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("pupils:shared_with_me")
    page = client.get(reverse("pupils:shared_with_me")).content.decode()
    assert "Shared with me" in page and pupil.legal_surname in page


def test_person_with_nothing_sees_the_no_role_page(demo, client) -> None:
    user = User.objects.create_user("nobody@oak.test", "a-long-password-1", full_name="No Body", trust=demo.oak)
    client.force_login(user)
    assert "You do not have a role yet" in client.get("/").content.decode()


def test_grantees_must_set_up_mfa_when_required(demo, psychologist, client, settings) -> None:
    settings.MFA_REQUIRED = True
    user, pupil = psychologist
    client.force_login(user)
    response = client.get(reverse("pupils:record", args=[pupil.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
