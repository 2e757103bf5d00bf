"""HTTP helpers shared by every app: the typed request, ids given in a query string, the school picked with
`?school=`, and the client's real address."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest

from .models import School, User
from .permissions import can, schools_where


class AuthedRequest(HttpRequest):
    """A request behind @login_required: the user is a real User (for type checking)."""

    user: User  # type: ignore[assignment]


def id_or_404(value: str) -> int:
    """The id of a record named in a query parameter (`?assessment=12`). Anything but plain digits ("abc",
    "-1", "1.5", "²") names no record, so the page is not found, the same as an id that does not exist."""
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


def school_from_request(request: AuthedRequest, action: str) -> tuple[School, list[School]]:
    """The school a page works in, picked with `?school=<id>` (or a posted `school`), and every school the
    person may do `action` in (for the picker). The one definition every page with a school picker uses.

    Without a choice it is the first of those schools (by name), so a SENCO of one school never has to pick.
    A school of another trust, a school of the trust where the person may not do `action`, and an id that
    is not a number all answer 404, the same as a school that does not exist; so does a person who may do
    `action` nowhere.
    """
    schools = schools_where(request.user, action)
    if not schools:
        raise Http404("You cannot do this in any school.")
    wanted = request.GET.get("school") or request.POST.get("school")
    if not wanted:
        return schools[0], schools
    chosen = next((s for s in schools if str(s.pk) == wanted), None)
    if chosen is None:
        raise Http404("That school is not one of yours.")
    return chosen, schools


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person's browser, the one definition used by lock-out (axes), allauth's rate
    limits and the audit trail.

    With `TRUSTED_PROXY_COUNT = 0` (development, or a server reached directly) it is REMOTE_ADDR. Behind N
    proxies that we run, each appends the address it received from to X-Forwarded-For, so the client is the
    N-th entry from the right; entries further left were written by the client and are never trusted.
    A header with fewer entries than expected, or an entry that is not an IP address, falls back to
    REMOTE_ADDR rather than believing it.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def require(request: HttpRequest, action: str, target: object = None) -> None:
    """Refuse with 404 (not 403) so a denied page says nothing about what exists."""
    if not can(request.user, action, target):
        raise Http404("Page not found")
