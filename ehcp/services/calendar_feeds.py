"""Calendar feed addresses: a secret per person, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from trusts import audit
from trusts.models import User


def hash_calendar_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_calendar_token(*, user: User) -> str:
    """A new secret for the person's calendar feed; the old feed address stops working.

    Only a hash is stored, so the address is shown once. Returns the token for the address.
    """
    token = secrets.token_urlsafe(32)
    user.calendar_token = hash_calendar_token(token)
    user.save(update_fields=["calendar_token"])
    audit.record(
        actor=user, action=audit.Action.GRANT, obj=None, trust_id=user.trust_id, summary="Calendar feed address created"
    )
    return token


@transaction.atomic
def revoke_calendar_token(*, user: User) -> None:
    """Turn the calendar feed off: its address answers 404 from now on."""
    user.calendar_token = ""
    user.save(update_fields=["calendar_token"])
    audit.record(
        actor=user,
        action=audit.Action.REVOKE,
        obj=None,
        trust_id=user.trust_id,
        summary="Calendar feed address revoked",
    )


def user_for_calendar_token(token: str) -> User | None:
    if not token or len(token) < 32 or len(token) > 64:
        return None
    return User.objects.filter(calendar_token=hash_calendar_token(token), is_active=True).exclude(trust=None).first()
