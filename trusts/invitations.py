"""Invitations: the only way an email address is attached to a role, a child or a pupil's record.

An invitation names an address and what accepting it gives (staff roles, a parent's link to a contact, an
outside professional's access to one pupil). It is emailed as a link holding a random token (only its
SHA-256 is stored). Accepting proves the person receives mail at that address, so:
- nobody with that address yet: the link lets them choose a password (or sign in with the trust's single
  sign-on, for staff), and the new account's address is verified;
- an account of the trust with that address: they must be signed in *as that account*, whose address
  allauth has verified, and then confirm;
- an account of another trust: it cannot be accepted, and only the address's owner is told (on the link's
  page), so the inviter learns nothing about other trusts.
What each kind gives is done by the app that owns it, registered in `ACCEPT_HOOKS` (fails closed: a
system check errors when a kind has no hook).

Invitations are looked up by token before anyone is signed in, so `find_invitation` reads with the tenant
scope disabled, as sign-in reads `User`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from . import audit
from .models import Invitation, Membership, Role, School, Trust, User

VALID_DAYS = 14

# kind -> what accepting gives: hook(invitation=..., user=...) inside the acceptance transaction and the
# invitation's trust scope. Raise ValidationError to refuse with a message for the person.
# Filled by: trusts (staff, below), pupils.apps (parent, access).
ACCEPT_HOOKS: dict[str, Callable[..., None]] = {}
# kind -> (subject, first paragraph) of the email; the link and the closing are the same for every kind.
EMAIL_TEXT: dict[str, Callable[[Invitation], tuple[str, str]]] = {}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mark_email_verified(user: User, email: str | None = None) -> None:
    """The person has shown they receive mail at `email` (default: their account's address)."""
    from allauth.account.models import EmailAddress

    email = (email or user.email).lower()
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exclude(email__iexact=email).exists()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=not has_primary)
    elif not address.verified or (not address.primary and not has_primary):
        address.verified = True
        address.primary = address.primary or not has_primary
        address.save(update_fields=["verified", "primary"])


def has_verified(user: User, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


# ------------------------------------------------------------------------------------------- create and send


@transaction.atomic
def create_invitation(
    *,
    trust_id: int,
    kind: str,
    email: str,
    payload: dict[str, Any],
    invited_by: User | None,
    full_name: str = "",
    school: School | None = None,
    send: bool = True,
) -> Invitation:
    """Record an invitation and email its link after commit (`send_invitation` makes the token). Audited.
    With `send=False` the caller sends it (onboarding sends at once to show the link to the operator)."""
    invitation = Invitation.objects.create(
        trust_id=trust_id,
        school=school,
        kind=kind,
        email=email.strip().lower(),
        full_name=full_name.strip()[:150],
        payload=payload,
        invited_by=invited_by,
        token_hash=_hash(secrets.token_urlsafe(32)),  # replaced when the email is sent
        expires_at=timezone.now() + timedelta(days=VALID_DAYS),
    )
    audit.record(
        actor=invited_by,
        action=audit.Action.CREATE,
        obj=invitation,
        trust_id=trust_id,
        school=school,
        pupil_id=payload.get("pupil"),
        summary=f"Invitation ({invitation.get_kind_display().lower()}) sent to {invitation.email}",
    )
    if send:
        from .tasks import send_invitation_email

        send_invitation_email.delay_on_commit(invitation_id=invitation.pk)
    return invitation


def accept_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('trusts:invitation', kwargs={'token': token})}"


def send_invitation(*, invitation: Invitation) -> str | None:
    """Email the link. Makes a new token each time (an older link stops working) and returns it; sends
    nothing for an invitation no longer pending."""
    if not invitation.pending:
        return None
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=VALID_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
    subject, opening = EMAIL_TEXT.get(invitation.kind, _staff_text)(invitation)
    body = (
        f"Hello {invitation.full_name or invitation.email},\n\n{opening}\n\n"
        f"To accept, open this link. It works for {VALID_DAYS} days, for this email address only:\n"
        f"{accept_url(token)}\n\n"
        "If you were not expecting this email, you can ignore it. Nothing is shared unless you say yes with "
        "the link in this email."
    )
    send_mail(
        subject=f"[SEND Casework] {subject}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return token


def _staff_text(invitation: Invitation) -> tuple[str, str]:
    where = invitation.school.name if invitation.school else invitation.trust.name
    by = invitation.invited_by.full_name if invitation.invited_by else where
    return (
        f"You are invited to SEND Casework at {where}",
        f"{by} has invited you to SEND Casework, where {invitation.trust.name} keeps its special educational "
        "needs casework.",
    )


# ------------------------------------------------------------------------------------------- accept


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    with scopes_disabled():
        return (
            Invitation.objects.select_related("trust", "school", "invited_by").filter(token_hash=_hash(token)).first()
        )


def account_for(invitation: Invitation) -> User | None:
    return User.objects.filter(email__iexact=invitation.email).first()


def _accept(invitation: Invitation, user: User, request: Any = None) -> Invitation:
    with scope(trust=invitation.trust_id):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.pending:
            raise ValidationError("This invitation has already been used, withdrawn or has expired.")
        if user.trust_id != locked.trust_id or user.email.lower() != locked.email:
            raise ValidationError("This invitation was sent to a different email address.")
        if not has_verified(user, locked.email):
            raise ValidationError("Confirm your email address first.")
        hook = ACCEPT_HOOKS.get(locked.kind)
        if hook is None:  # fails closed; the system check reports it at start-up too
            raise ValidationError("This kind of invitation cannot be accepted at the moment.")
        hook(invitation=locked, user=user)
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit.record(
            actor=user,
            action=audit.Action.GRANT,
            obj=locked,
            school=locked.school,
            pupil_id=locked.payload.get("pupil"),
            request=request,
            summary=f"Invitation ({locked.get_kind_display().lower()}) accepted by {user.email}",
        )
        return locked


@transaction.atomic
def accept_as_signed_in(*, invitation: Invitation, user: User, request: Any = None) -> Invitation:
    """A signed-in person accepts an invitation sent to their own (verified) address."""
    return _accept(invitation, user, request)


@transaction.atomic
def accept_with_new_account(*, invitation: Invitation, full_name: str, password: str, request: Any = None) -> User:
    """Nobody uses the address yet: create the account in the invitation's trust with this password, its
    address verified by the link, and accept. Raises ValidationError with every problem at once."""
    from django.contrib.auth.password_validation import validate_password

    errors: dict[str, list[str]] = {}
    full_name = " ".join((full_name or "").split())
    if not full_name:
        errors["full_name"] = ["Enter your full name."]
    elif len(full_name) > 150:
        errors["full_name"] = ["Keep your name to 150 characters or fewer."]
    candidate = User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        errors["password1"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    existing = account_for(invitation)
    if existing is not None and (existing.has_usable_password() or existing.trust_id != invitation.trust_id):
        raise ValidationError("An account already uses this email address: sign in to accept the invitation.")
    if existing is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name, trust_id=invitation.trust_id)
    else:
        user = existing
        user.full_name = full_name
        user.set_password(password)
        user.save(update_fields=["full_name", "password"])
    mark_email_verified(user)
    audit.record(
        actor=user,
        action=audit.Action.CREATE,
        obj=user,
        trust_id=invitation.trust_id,
        request=request,
        summary="Account set up from an invitation",
    )
    _accept(invitation, user, request)
    return user


@transaction.atomic
def accept_staff_invitation_by_sso(*, trust: Trust, email: str) -> User | None:
    """Single sign-on from the trust's identity provider for an address with a pending staff invitation of
    that trust: the provider proves the address, so the account is made and the invitation accepted."""
    if User.objects.filter(email__iexact=email).exists():
        return None
    with scope(trust=trust.pk):
        invitation = (
            Invitation.objects.filter(
                kind=Invitation.Kind.STAFF,
                email=email.lower(),
                accepted_at=None,
                revoked_at=None,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
    if invitation is None:
        return None
    user = User.objects.create_user(email.lower(), None, full_name=invitation.full_name, trust_id=trust.pk)
    mark_email_verified(user)
    _accept(invitation, user)
    return user


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, actor: User) -> None:
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if claimed:
        audit.record(
            actor=actor,
            action=audit.Action.REVOKE,
            obj=invitation,
            school=invitation.school,
            pupil_id=invitation.payload.get("pupil"),
            summary=f"Invitation to {invitation.email} withdrawn",
        )


# ------------------------------------------------------------------------------------------- staff


def _give_staff_roles(*, invitation: Invitation, user: User) -> None:
    from .services import add_membership

    for item in invitation.payload.get("roles", []):
        school = School.objects.filter(pk=item.get("school")).first() if item.get("school") else None
        role = Role(item["role"])
        already = Membership.objects.filter(user=user, role=role, school=school).exists()
        if not already:
            add_membership(user=user, role=role, school=school, actor=invitation.invited_by)


ACCEPT_HOOKS[Invitation.Kind.STAFF] = _give_staff_roles
EMAIL_TEXT[Invitation.Kind.STAFF] = _staff_text
