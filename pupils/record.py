"""The pupil record: the one page about a child, where everyone who works with them starts.

It lives in `pupils`, where a newcomer looks for it, so that every app can link to it. The apps above add
their part of it through RECORD_PARTS (register: SEN status, history and concerns; graduated, ehcp and
reports: links to their pages about the child), and their events through `pupils.timeline`. Each part
is built with the viewer and decides itself what that person may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from trusts.hooks import Hooks
from trusts.models import AuditEntry, User
from trusts.permissions import can

from .documents import documents_for_record
from .grants import grants_for_record
from .models import Pupil
from .queries import can_manage_pupil
from .timeline import TimelineEvent, events_for


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str


@dataclass(frozen=True)
class RecordPart:
    """What one app adds to the record: a block (its template and context), links and timeline events."""

    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    links: list[RecordLink] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)


# (viewer, pupil, manage) -> the app's part, or None when it has nothing for this viewer. `manage` is True
# for the pupil's casework roles (SENCO, headteacher, inclusion lead).
PartBuilder = Callable[[User, Pupil, bool], RecordPart | None]
RECORD_PARTS: Hooks[PartBuilder] = Hooks(
    "pupils.record.RECORD_PARTS",
    rule="a pupil's record shows their SEN register status, its history and causes for concern",
    filled_by="register (status and concerns), graduated, ehcp and reports (links)",
)


def record_page(*, user: User, pupil: Pupil) -> dict[str, Any]:
    """Everything the record page shows to this viewer, in a fixed number of queries."""
    manage = can_manage_pupil(user, pupil)
    documents = documents_for_record(user, pupil)
    parts = [part for build in RECORD_PARTS if (part := build(user, pupil, manage)) is not None]
    timeline = [e for part in parts for e in part.timeline]
    timeline += [
        TimelineEvent(day=d.created_at.date(), text=f"Document: {d.title} ({d.get_category_display()}).")
        for d in documents
    ]
    # Support cycles, EHC assessments and plans, annual reviews: what the person may see, in one query.
    timeline += events_for(user, pupil)
    timeline.sort(key=lambda e: e.day, reverse=True)
    return {
        "pupil": pupil,
        "manage": manage,
        "can_invite": can(user, "parents.invite", pupil),
        "blocks": [part for part in parts if part.template],
        "links": [link for part in parts for link in part.links],
        "documents": documents,
        "grants": grants_for_record(user, pupil),
        "contacts": list(pupil.contacts.all()) if manage else [],
        "groups": list(pupil.group_memberships.select_related("group")),
        "timeline": timeline,
    }


def pupil_access_history(pupil: Pupil) -> QuerySet[AuditEntry]:
    """Who has looked at or changed this child's casework, newest first (the record's access log)."""
    return AuditEntry.objects.filter(pupil_id=pupil.pk).order_by("-at", "-id")
