"""An optional read replica (DATABASE_REPLICA_URL): figures, reports and exports read from it, nothing else.

A streaming replica is a copy of the primary that is behind it by the replication lag (milliseconds on a
quiet network, longer under heavy writes). So reads go to the replica only when all of these hold:
- the code asked for it: a figures, board or SEN information report page or an export (`reads_from_replica`
  on the view), or a report task around its reads; never by default;
- the request is a GET or HEAD: a request that writes decides what to write from the primary's rows;
- nothing was written earlier in the same request (`db_for_write` marks the request);
- the person did not post anything in the last DATABASE_REPLICA_PIN_SECONDS (`ReadYourWritesMiddleware`
  sets a short-lived cookie on every POST), so a page they open straight after saving shows what they saved;
- the primary connection is not inside a transaction (a read inside one must see that transaction's writes).
Everything else, and every write, goes to the primary; migrations run on the primary only.

Row-level security holds on the replica as on the primary: `trusts.rls` installs its wrapper on every
PostgreSQL connection, so the replica connection carries the same `app.trust_id` as the request or task.
Without DATABASE_REPLICA_URL there is no replica alias, router or middleware (config/settings.py), and
`reads_from_replica` changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "send_read_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class _Request:
    pinned: bool  # the person posted within the pin window
    wrote: bool = False  # something was written earlier in this request


_asked: ContextVar[bool] = ContextVar("send_replica_asked", default=False)
_request: ContextVar[_Request | None] = ContextVar("send_replica_request", default=None)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Reads inside may come from the replica (see the module's rules). For code that reads figures which a
    lag of a few seconds cannot make wrong: aggregates, reports, exports."""
    token = _asked.set(True)
    try:
        yield
    finally:
        _asked.reset(token)


def replica_view(view: F) -> F:
    """`reads_from_replica` around a view, for its GET and HEAD requests only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        with reads_from_replica():
            return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def replica_configured() -> bool:
    return REPLICA in connections.settings and settings.DATABASE_REPLICA_READS


def read_alias() -> str:
    """Where a read made now goes: the replica or the primary (the module's rules)."""
    if not _asked.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    state = _request.get()
    if state is not None and (state.pinned or state.wrote):
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    """Django's database router for the replica (DATABASE_ROUTERS, set only with DATABASE_REPLICA_URL)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _request.get()
        if state is not None:
            state.wrote = True
        # Explicit: an object read from the replica is saved to the primary, never to where it came from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # One database seen through two connections: rows from either may refer to each other.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return None if db == DEFAULT_DB_ALIAS else False


def _pinned_by_cookie(request: HttpRequest) -> bool:
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
    return until > time.time()


class ReadYourWritesMiddleware:
    """Keeps a person's reads on the primary while the replica may not yet have what they wrote: for the rest
    of a request that wrote, and for DATABASE_REPLICA_PIN_SECONDS after any POST (a cookie holding the time
    the window ends; forging it only sends one's own reads to the primary). A GET that writes (a session
    refreshed, an audit entry) sets no window: what it wrote is not what the person reads next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = _Request(pinned=_pinned_by_cookie(request))
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if request.method not in SAFE_METHODS:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
