"""Writing the audit trail. Services call `record`; nothing in the product edits or deletes entries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest
from django_scopes import scope

from .http import client_ip
from .models import AuditEntry, School, User

Action = AuditEntry.Action
READS = frozenset({Action.VIEW, Action.DOWNLOAD, Action.EXPORT})
# The request being served (set by AuditContextMiddleware), so every entry written while serving it carries
# the person's address even when the caller did not pass the request.
_current_request: ContextVar[HttpRequest | None] = ContextVar("send_audit_request", default=None)


@contextmanager
def serving(request: HttpRequest) -> Iterator[None]:
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def note_read(request: HttpRequest, *, obj: Any, pupil_id: int | None, summary: str = "") -> None:
    """A page is about to show this child's casework. Unless the view writes its own read entry, one
    "view" entry is written for the request once the page has been served successfully (GET only; a page
    that ends in 404 or an error showed nothing)."""
    if request.method == "GET" and getattr(request, "_casework_read", None) is None:
        request._casework_read = (obj, pupil_id, summary)  # type: ignore[attr-defined]


def write_noted_read(request: HttpRequest, status_code: int) -> None:
    noted = getattr(request, "_casework_read", None)
    if noted is None or getattr(request, "_casework_read_written", False) or not 200 <= status_code < 300:
        return
    obj, pupil_id, summary = noted
    record(actor=request.user, action=Action.VIEW, obj=obj, pupil_id=pupil_id, summary=summary, request=request)  # type: ignore[arg-type]


def record(
    *,
    actor: User | None,
    action: str,
    obj: Any = None,
    trust_id: int | None = None,
    school: School | None = None,
    pupil_id: int | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry. The trust comes from the object, else from the actor; the address from the request
    (or the request being served)."""
    request = request if request is not None else _current_request.get()
    if trust_id is None:
        trust_id = getattr(obj, "trust_id", None) or (actor.trust_id if actor else None)
    if trust_id is None:
        raise ValueError("An audit entry needs a trust.")
    if school is None and isinstance(obj, School):
        school = obj
    school_id = school.pk if school else getattr(obj, "school_id", None)
    entry = AuditEntry(
        trust_id=trust_id,
        school_id=school_id,
        actor=actor,
        actor_name=(actor.full_name or actor.email) if actor else "system",
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        pupil_id=pupil_id,
        summary=summary[:300],
        ip_address=client_ip(request),
    )
    # Written in the entry's own trust: outside a request or task scope (sign-in, a refused single sign-on)
    # row-level security would otherwise refuse the row; inside a request pinned to another trust it still does.
    with scope(trust=trust_id):
        entry.save()
    if request is not None and action in READS:
        request._casework_read_written = True  # type: ignore[attr-defined]
    return entry


def record_many(*, actor: User | None, action: str, entries: list[tuple[Any, int | None, str]]) -> int:
    """Append one entry for each (object, pupil id, summary), as `record` would, in one INSERT per trust: for
    work that creates thousands of rows at once outside a request (the sweep's phase transfers). Each object
    carries its trust and school; there is no address. Sealed into the chain like any other entry."""
    by_trust: dict[int, list[AuditEntry]] = {}
    for obj, pupil_id, summary in entries:
        by_trust.setdefault(obj.trust_id, []).append(
            AuditEntry(
                trust_id=obj.trust_id,
                school_id=getattr(obj, "school_id", None),
                actor=actor,
                actor_name=(actor.full_name or actor.email) if actor else "system",
                action=action,
                object_type=obj._meta.label,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                pupil_id=pupil_id,
                summary=summary[:300],
                ip_address=None,
            )
        )
    for trust_id, rows in by_trust.items():
        with scope(trust=trust_id):
            AuditEntry.objects.bulk_create(rows, batch_size=1000)
    return sum(len(rows) for rows in by_trust.values())
