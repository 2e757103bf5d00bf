"""Sign-in events and changes to a person's identity go to the audit trail (the audit service writes)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from allauth.account.signals import email_added, email_changed, email_confirmed, password_changed
from allauth.account.signals import user_logged_in as allauth_logged_in
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit

if TYPE_CHECKING:
    from .models import User

logger = logging.getLogger(__name__)


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from django.utils import timezone

        from .middleware import SESSION_SEEN, SESSION_STARTED

        # The absolute session lifetime counts from the moment of signing in.
        now = timezone.now().isoformat()
        request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = now
    if user.trust_id:
        how = " with single sign-on" if _last_step(request, user) == "socialaccount" else ""
        audit.record(
            actor=user,
            action=audit.Action.SIGN_IN,
            obj=user,
            trust_id=user.trust_id,
            request=request,
            summary=f"Signed in{how}",
        )


def _last_step(request: Any, user: User) -> str:
    if request is None or not hasattr(request, "session"):
        return ""
    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, user)
    return str(records[-1].get("method", "")) if records else ""


@receiver(allauth_logged_in)
def note_sso_mfa(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None and request is not None:
        from .sso import note_identity_provider_mfa

        note_identity_provider_mfa(request, user, sociallogin)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.trust_id:
        audit.record(actor=user, action=audit.Action.SIGN_OUT, obj=user, trust_id=user.trust_id, request=request)


@receiver(user_login_failed)
def audit_failed_sign_in(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """A failed sign-in for an account of a trust is in that trust's access log (never the password).
    An address nobody uses belongs to no trust, so it is only logged, without the address."""
    from .models import User

    email = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    user = User.objects.filter(email__iexact=email.strip()).only("pk", "trust_id", "full_name", "email").first()
    if user is None or user.trust_id is None:
        logger.info("Failed sign-in for an unknown address")
        return
    audit.record(
        actor=None,
        action=audit.Action.SIGN_IN_FAILED,
        obj=user,
        trust_id=user.trust_id,
        request=request,
        summary="Wrong password, or the account is locked or switched off",
    )


def _identity_changed(user: User, request: Any, summary: str) -> None:
    """A change to how a person signs in, in their trust's access log (platform operators have no trust)."""
    if user.trust_id:
        audit.record(actor=user, action=audit.Action.CHANGE, obj=user, request=request, summary=summary)


@receiver(email_added)
def audit_email_added(sender: Any, request: Any, user: User, email_address: Any, **kwargs: Any) -> None:
    _identity_changed(
        user, request, f"Asked to change their email address to {email_address.email} (waiting for confirmation)"
    )


@receiver(email_confirmed)
def audit_email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    _identity_changed(email_address.user, request, f"Confirmed they receive email at {email_address.email}")


@receiver(email_changed)
def audit_email_changed(
    sender: Any, request: Any, user: User, from_email_address: Any, to_email_address: Any, **kwargs: Any
) -> None:
    old = from_email_address.email if from_email_address else "none"
    _identity_changed(user, request, f"Email address changed from {old} to {to_email_address.email}")


@receiver(password_changed)
def audit_password_changed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    _identity_changed(user, request, "Changed password")
