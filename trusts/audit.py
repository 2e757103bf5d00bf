"""Writing the audit trail. Services call `record`; nothing in the product edits or deletes entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_scopes import scope

from .http import client_ip
from .models import AuditEntry, School, User

Action = AuditEntry.Action


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
    """Append one entry. The trust comes from the object, else from the actor."""
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
    return entry
