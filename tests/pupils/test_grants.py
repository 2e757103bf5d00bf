"""Access grants: a cover teacher or external professional sees one pupil until an end date. Inviting and
granting: invitations with a working set-password link, the end date, who may grant, cross-trust refusal.
(Cover teachers and what a grantee sees: test_grant_access.py; revoking and query counts: test_grant_revoking.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from pupils import grants
from pupils.models import AccessGrant, PupilUserObjectPermission
from tests.factories import pupil_at
from tests.permission_cases.documents import make_external_user
from tests.pupils.grant_helpers import (
    NEW_PASSWORD,
    SENCO,
    TODAY,
    has_permission,
    invite,
    invite_only,
    signed_in,
    visible,
)
from trusts.invitations import accept_with_new_account, mark_email_verified, send_invitation
from trusts.models import AuditEntry, Invitation, User

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------- inviting


@time_machine.travel(TODAY, tick=False)
def test_invited_professional_sets_up_an_account_from_the_link_and_then_sees_the_pupil(
    demo, django_capture_on_commit_callbacks
) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invite_only(demo, pupil, email="  Jo.EP@County.Example.org ")
    assert len(callbacks) == 1  # the invitation is enqueued after commit
    assert mail.outbox == []
    # Nothing is given to anyone until the invitation is accepted.
    assert not User.objects.filter(email="jo.ep@county.example.org").exists()
    with scope(trust=demo.oak.pk):
        assert not AccessGrant.objects.exists()
        send_invitation(invitation=invitation)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jo.ep@county.example.org"]
    assert "Acorn Primary" in message.body and pupil.legal_surname not in message.body  # no name by email
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert link is not None

    client = Client()
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    form_page = client.get(path)
    assert form_page.status_code == 200 and "Set up your account" in form_page.content.decode()
    done = client.post(path, {"full_name": "Dr Jo Patel", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    person = User.objects.get(email="jo.ep@county.example.org")
    assert person.trust_id == demo.oak.pk and person.has_usable_password()
    with scope(trust=demo.oak.pk):
        assert not person.memberships.exists()
        grant = AccessGrant.objects.get()
    assert grant.user == person and grant.kind == "external" and grant.granted_by == demo.user(SENCO)
    assert has_permission(person, pupil)
    page = client.get(reverse("pupils:shared_with_me")).content.decode()
    assert pupil.display_name in page and "9 May 2026" in page

    # The link works once.
    assert Client().get(path).status_code == 404
    signed = Client().post("/accounts/login/", {"login": "jo.ep@county.example.org", "password": NEW_PASSWORD})
    assert signed.status_code == 302


@time_machine.travel(TODAY, tick=False)
def test_granting_is_audited_with_the_new_account(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    grant = invite(demo, pupil)
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.get(action="grant", object_type="pupils.AccessGrant")
        created = AuditEntry.objects.get(action="create", object_type="trusts.User")
    assert entry.object_id == str(grant.pk) and entry.pupil_id == pupil.pk
    assert "until 9 May 2026" in entry.summary
    assert created.object_id == str(grant.user_id)
    assert created.summary == "Account set up from an invitation"


@time_machine.travel(TODAY, tick=False)
def test_someone_who_already_signs_in_must_accept_from_their_own_account(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    mark_email_verified(professional)
    invitation = invite_only(demo, pupil, email=professional.email)
    with scope(trust=demo.oak.pk):
        token = send_invitation(invitation=invitation)
        assert not AccessGrant.objects.exists()
    url = reverse("trusts:invitation", kwargs={"token": token})
    assert "Sign in to accept" in Client().get(url).content.decode()
    client = signed_in(professional)
    assert client.post(url).status_code == 302
    with scope(trust=demo.oak.pk):
        assert AccessGrant.objects.get().user == professional
    assert pupil.pk in visible(professional)


def test_email_of_a_person_in_another_trust_is_invited_like_any_other_and_cannot_accept(demo) -> None:
    """The school learns nothing about other trusts; the address's owner is told on the link's page."""
    pupil = pupil_at(demo, demo.acorn)
    response = signed_in(demo.user(SENCO)).post(
        reverse("pupils:grant_external", args=[pupil.pk]),
        {
            "email": "parent.willow@river.test",
            "full_name": "Karen Doyle",
            "profession": "Speech and language therapist",
            "ends_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "reason": "Therapy",
        },
    )
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        token = send_invitation(invitation=Invitation.objects.get())
    page = Client().get(reverse("trusts:invitation", kwargs={"token": token}))
    assert page.status_code == 409
    river = signed_in(demo.user("parent.willow@river.test"))
    assert river.post(reverse("trusts:invitation", kwargs={"token": token})).status_code == 409
    with scope(trust=demo.oak.pk):
        assert not AccessGrant.objects.exists()
    assert not PupilUserObjectPermission.objects.exists()
    assert User.objects.get(email="parent.willow@river.test").trust_id == demo.river.pk


def test_email_of_a_platform_operator_cannot_accept(demo) -> None:
    User.objects.create_superuser("operator@send.test", "x" * 20, full_name="Operator")
    pupil = pupil_at(demo, demo.acorn)
    invitation = invite_only(demo, pupil, email="operator@send.test", ends_on=dt.date.today())
    with scope(trust=demo.oak.pk):
        token = send_invitation(invitation=invitation)
    assert Client().get(reverse("trusts:invitation", kwargs={"token": token})).status_code == 409


@time_machine.travel(TODAY, tick=False)
def test_external_grant_page_creates_the_grant(demo, django_capture_on_commit_callbacks) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = signed_in(demo.user(SENCO))
    page = client.get(reverse("pupils:grant_external", args=[pupil.pk])).content.decode()
    assert "on or before 10 March 2027" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("pupils:grant_external", args=[pupil.pk]),
            {
                "email": "sam.salt@nhs.example.org",
                "full_name": "Sam Okoro",
                "profession": "Speech and language therapist",
                "ends_on": "2026-07-20",
                "reason": "SaLT assessment",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:access_grants", args=[pupil.pk])
    listing = client.get(reverse("pupils:access_grants", args=[pupil.pk])).content.decode()
    assert "Waiting to be accepted" in listing and "sam.salt@nhs.example.org" in listing
    with scope(trust=demo.oak.pk):
        invitation = Invitation.objects.get()
    accept_with_new_account(invitation=invitation, full_name="Sam Okoro", password=NEW_PASSWORD)
    with scope(trust=demo.oak.pk):
        grant = AccessGrant.objects.get()
    assert (grant.user.email, grant.profession, grant.ends_on) == (
        "sam.salt@nhs.example.org",
        "Speech and language therapist",
        dt.date(2026, 7, 20),
    )
    listing = client.get(reverse("pupils:access_grants", args=[pupil.pk])).content.decode()
    assert "Sam Okoro" in listing and "Active" in listing and "Waiting to be accepted" not in listing


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (TODAY - dt.timedelta(days=1), "The end date must be today or later."),
        (dt.date(2027, 3, 11), "Access can last at most 12 months: choose an end date on or before 10 March 2027."),
    ],
)
def test_end_date_must_be_today_to_12_months_away(demo, ends_on, message) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, ends_on=ends_on)
    assert refused.value.message_dict["ends_on"][0].startswith(message)
    assert not User.objects.filter(email="jo.ep@county.example.org").exists()


@time_machine.travel(TODAY, tick=False)
def test_end_dates_of_today_and_exactly_12_months_are_accepted(demo) -> None:
    assert invite(demo, pupil_at(demo, demo.acorn), ends_on=TODAY).ends_on == TODAY
    later = invite(demo, pupil_at(demo, demo.acorn), email="b@x.example.org", ends_on=dt.date(2027, 3, 10))
    assert later.ends_on == dt.date(2027, 3, 10)


def test_twelve_months_from_29_february_is_28_february() -> None:
    assert grants.latest_end_date(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


@time_machine.travel(TODAY, tick=False)
def test_reason_profession_and_name_are_required(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, reason="   ")
    assert refused.value.message_dict == {"reason": ["Say why this person needs to see the record."]}
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, profession="", email="not-an-email")
    assert set(refused.value.message_dict) == {"profession", "email"}
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, full_name="")
    assert refused.value.message_dict == {"full_name": ["Enter the professional's full name."]}


@time_machine.travel(TODAY, tick=False)
def test_a_second_grant_while_one_is_in_force_is_refused(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    invite(demo, pupil)
    with pytest.raises(ValidationError, match="already has access to this record until 9 May 2026"):
        invite(demo, pupil)


@pytest.mark.parametrize("email", ["teacher.acorn@oak.test", "governor.acorn@oak.test", "senco.beech@oak.test"])
def test_only_casework_roles_of_the_school_may_grant(demo, email) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(PermissionDenied):
        grants.grant_external_access(
            pupil=pupil,
            email="x@example.org",
            full_name="X",
            profession="EP",
            ends_on=dt.date.today(),
            reason="r",
            actor=demo.user(email),
        )
