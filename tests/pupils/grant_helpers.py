"""Helpers of the access-grant tests: signing in, inviting a professional, what a person may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django_scopes import scope

from pupils import grants
from pupils.models import AccessGrant, PupilUserObjectPermission
from pupils.queries import pupils_visible_to
from trusts.invitations import accept_as_signed_in, accept_with_new_account, mark_email_verified
from trusts.models import Invitation, User

SENCO = "senco.acorn@oak.test"
TODAY = dt.date(2026, 3, 10)
NEW_PASSWORD = "Seven-Kites-Over-Ludlow-42"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite_only(demo: Any, pupil: Any, *, email: str = "jo.ep@county.example.org", **fields: Any) -> Invitation:
    values = {
        "full_name": "Dr Jo Patel",
        "profession": "Educational psychologist",
        "ends_on": TODAY + dt.timedelta(days=60),
        "reason": "EP assessment before the EHC needs assessment request",
    } | fields
    with scope(trust=pupil.trust_id):
        return grants.grant_external_access(pupil=pupil, email=email, actor=demo.user(SENCO), **values)


def invite(demo: Any, pupil: Any, *, email: str = "jo.ep@county.example.org", **fields: Any) -> AccessGrant:
    """Invite, then accept as the owner of the address would (a new account, or the existing one)."""
    invitation = invite_only(demo, pupil, email=email, **fields)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is None:
        person = accept_with_new_account(invitation=invitation, full_name="Dr Jo Patel", password=NEW_PASSWORD)
    else:
        mark_email_verified(existing)
        accept_as_signed_in(invitation=invitation, user=existing)
        person = existing
    with scope(trust=pupil.trust_id):
        return AccessGrant.objects.filter(user=person, pupil=pupil).latest("pk")


def has_permission(user: Any, pupil: Any) -> bool:
    return PupilUserObjectPermission.objects.filter(
        user=user, content_object=pupil, permission__codename="view_pupil_record"
    ).exists()


def visible(user: Any) -> set[int]:
    with scope(trust=user.trust_id):
        return set(pupils_visible_to(user).values_list("pk", flat=True))
