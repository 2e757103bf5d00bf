from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by the trust (or by invitation), never by self sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The same address as lock-out and the audit trail use (TRUSTED_PROXY_COUNT)."""
        from .http import client_ip

        return client_ip(request) or "0.0.0.0"  # noqa: S104 - a key for rate limits, never bound

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up an authenticator right after signing in (as MFA_REQUIRED makes staff do)
        does not ask for the password a second time; later changes still do."""
        import time

        from allauth.account import app_settings
        from allauth.account.internal.flows.login import get_authentication_records

        request = getattr(self, "request", None)
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email being tried, however the sign-in form named it, so lock-out is per username + IP."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("email")
    return str(value or "").strip().lower()
