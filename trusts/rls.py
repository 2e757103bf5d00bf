"""Row-level security on PostgreSQL: the database's own lock between trusts, behind django-scopes.

Every tenant table has a policy (migration 0007):
    current_setting('app.trust_id') = '*'  OR  trust_id = current_setting('app.trust_id')::bigint
and the application connects as a role that does not own the tables, so the policy applies to it (the
owner role that runs migrations and operators' commands is not subject to it).

The setting follows the django-scopes scope, set by the same code that opens it:
- in a signed-in request, TenantScopeMiddleware pins it to the person's trust for the whole request, so
  even raw SQL or code with the scopes switched off sees nothing of another trust;
- elsewhere (tasks, anonymous pages, the platform admin) it follows the active scope: `scope(trust=X)` → X,
  scopes disabled → "*", no scope → '' (nothing at all).
A connection-level execute wrapper brings the setting in line before each query, issuing `set_config` only
when it changes. A rolled-back transaction or savepoint also rolls back a `set_config` made inside it, so
the wrapper forgets what it set whenever Django rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.backends.signals import connection_created
from django_scopes import get_scope

SETTING = "app.trust_id"
ALL = "*"
_pinned: ContextVar[str | None] = ContextVar("send_rls_pinned", default=None)


@contextmanager
def pinned_to(trust_id: int) -> Iterator[None]:
    """For a signed-in person's request: nothing inside reaches another trust's rows, whatever the scope."""
    token = _pinned.set(str(int(trust_id)))
    try:
        yield
    finally:
        _pinned.reset(token)


@contextmanager
def across_trusts_for_one_lookup() -> Iterator[None]:
    """For the one query of a public page that finds which trust its address belongs to (a school by URN),
    whoever is signed in: the database lets it see every trust's rows. The page then works pinned to that
    trust (`pinned_to`). Use it for nothing else."""
    token = _pinned.set(ALL)
    try:
        yield
    finally:
        _pinned.reset(token)


def wanted() -> str:
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    state = get_scope()
    if not state:
        return ""
    if not state.get("_enabled", True):
        return ALL
    trust = state.get("trust")
    if trust is None:
        return ""
    if isinstance(trust, int | str):
        return str(int(trust))
    pk = getattr(trust, "pk", None)
    return str(int(pk)) if pk is not None else ""


# Statements that manage the transaction itself run as they are (one may be rolling back a failed one).
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


def _wrapper(connection: Any) -> Callable[..., Any]:
    def execute(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        value = wanted()
        if getattr(connection, "_send_trust_setting", None) != value and not sql.lstrip()[:9].upper().startswith(
            _TRANSACTION_CONTROL
        ):
            # The raw psycopg connection: this statement must not pass through the wrappers again.
            connection.connection.execute("SELECT set_config(%s, %s, false)", [SETTING, value])
            connection._send_trust_setting = value
        return execute(sql, params, many, context)

    return execute


def _forget_on_rollback(connection: Any) -> None:
    rollback, savepoint_rollback = connection._rollback, connection._savepoint_rollback

    def _rollback() -> Any:
        try:
            return rollback()
        finally:
            connection._send_trust_setting = None

    def _savepoint_rollback(sid: str) -> Any:
        try:
            return savepoint_rollback(sid)
        finally:
            connection._send_trust_setting = None

    connection._rollback = _rollback
    connection._savepoint_rollback = _savepoint_rollback


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    connection._send_trust_setting = None
    _forget_on_rollback(connection)
    connection.execute_wrappers.append(_wrapper(connection))


def connect() -> None:
    connection_created.connect(install, dispatch_uid="send_rls_install")
