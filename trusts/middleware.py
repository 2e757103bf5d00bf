"""Request-wide guards: the trust scope, session lifetimes, required MFA and no caching of casework."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django_scopes import scope, scopes_disabled

Handler = Callable[[HttpRequest], HttpResponse]


class TenantScopeMiddleware:
    """Activate the signed-in user's trust for the whole request, rendering included.

    Anonymous requests get no scope at all, so any tenant query they reach raises instead of leaking.
    Platform operators (superusers without a trust) see every trust, but only in the admin site.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .rls import pinned_to

        user = request.user
        if user.is_authenticated and user.trust_id is not None:
            # The database is pinned to the same trust (row-level security on PostgreSQL, see trusts.rls).
            with scope(trust=user.trust_id), pinned_to(user.trust_id):
                return self.get_response(request)
        if user.is_authenticated and user.is_superuser and request.path.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        return self.get_response(request)


class AuditContextMiddleware:
    """Every audit entry written while serving a request carries its address; a page that noted a read of a
    child's casework (`audit.note_read`) gets its one "view" entry once it has been served."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import audit

        with audit.serving(request):
            response = self.get_response(request)
            if getattr(request, "_casework_read", None) is not None:
                audit.write_noted_read(request, response.status_code)
        return response


SESSION_STARTED = "_send_session_started"
SESSION_SEEN = "_send_session_seen"
SEEN_RESOLUTION = timedelta(minutes=1)


class SessionLifetimeMiddleware:
    """Sign out after the idle timeout, and after the absolute lifetime however active the session."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            started = _read(request.session.get(SESSION_STARTED)) or now
            seen = _read(request.session.get(SESSION_SEEN)) or now
            if now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, "You were signed out because the session timed out. Please sign in again.")
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = started.isoformat()
            # Activity is written at most once a minute: the session row is not rewritten on every page (three
            # queries each), and the idle time-out is late by under a minute at most.
            if SESSION_SEEN not in request.session or now - seen >= SEEN_RESOLUTION:
                request.session[SESSION_SEEN] = now.isoformat()
        return self.get_response(request)


def _read(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Pages a person must reach before the second factor: signing in and out, the MFA pages themselves,
# password resets, email confirmation, single sign-on callbacks and invitation links.
MFA_EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/password/reset/",
    "/accounts/confirm-email/",
    "/accounts/oidc/",
    "/accounts/sso/",
    "/accounts/invitation/",
    "/static/",
    "/privacy/",
    "/healthz",
    # Pages anyone may read without signing in (a school's published SEN information report).
    "/public/",
)


class MFAThisSessionMiddleware:
    """Whoever must use MFA (see `trusts.mfa.must_use_mfa`) reaches nothing but the exempt pages until this
    session has passed the second factor: those with an authenticator are asked for a code, those without
    one set it up first. This covers every way into a session, the admin login included."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .mfa import has_authenticator, must_use_mfa, session_passed_mfa

        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not session_passed_mfa(request)
            and must_use_mfa(user)
        ):
            if has_authenticator(user):
                messages.info(request, "Enter the code from your authenticator app to continue.")
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
            messages.info(request, "Set up an authenticator app to protect pupils' data before you continue.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in people hold personal data: never let a browser or proxy cache them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
