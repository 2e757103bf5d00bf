"""Second factor: who needs it, and whether *this* session passed it.

Having an authenticator is not enough: a session reaches casework, the admin site or exports only once
this sign-in passed the second factor. allauth records each step of a sign-in in the session; a TOTP
code or a recovery code leaves a record with method "mfa". Setting up an authenticator in this session
counts too (the person has just typed a valid code), and so does single sign-on from an identity provider
whose MFA the trust accepts (`trusts.sso`), recorded under SSO_MFA_SESSION_KEY.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest

from .permissions import is_staff_member

if TYPE_CHECKING:
    from .models import User

SSO_MFA_SESSION_KEY = "_send_sso_mfa_user"


def session_passed_mfa(request: HttpRequest) -> bool:
    from allauth.account.internal.flows.login import get_authentication_records

    user = request.user
    if not user.is_authenticated:
        return False
    if any(record.get("method") == "mfa" for record in get_authentication_records(request, user)):
        return True
    return request.session.get(SSO_MFA_SESSION_KEY) == str(user.pk)


def has_authenticator(user: User) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return bool(is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]))


def must_use_mfa(user: User) -> bool:
    """Platform operators (superusers, admin-site staff) always; trust staff and grantees when MFA_REQUIRED
    is on (always in production); anyone who chose to set up an authenticator."""
    if user.is_superuser or user.is_staff:
        return True
    if settings.MFA_REQUIRED and is_staff_member(user):
        return True
    return has_authenticator(user)


def record_mfa_enrolment(request: HttpRequest, user: User, authenticator: Any) -> None:
    """Setting up TOTP means typing a valid code now: the session has passed the second factor."""
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)
