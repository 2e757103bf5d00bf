"""Events of the apps above `pupils` on a pupil record's timeline, in one query however many there are.

`pupils` cannot import `graduated`, `ehcp` or `reviews`, so each of them registers a source in its
AppConfig.ready(): a function (user, pupil) -> querysets of that app's events the person may see, each
shaped by `event_rows` as (day, kind, ref, note), and the words for each kind. The record page unions
every source's querysets into a single SQL query and turns each row into a TimelineEvent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import CharField, Expression, F, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast

from trusts.hooks import Hooks
from trusts.models import User

from .models import Pupil


@dataclass(frozen=True)
class TimelineEvent:
    day: date
    text: str
    url: str = ""


Row = dict[str, Any]
# kind -> (row -> TimelineEvent). Filled with the sources below.
TIMELINE_TEXT: dict[str, Callable[[Row], TimelineEvent]] = {}
# (user, pupil) -> querysets of event rows the user may see.
TIMELINE_SOURCES: Hooks[Callable[[Any, Pupil], Iterable[QuerySet[Any]]]] = Hooks(
    "pupils.timeline.TIMELINE_SOURCES",
    rule="a pupil record's timeline shows support cycles, EHC assessments and plans, and annual reviews",
    filled_by="graduated, ehcp and reviews",
)


def event_rows(
    qs: QuerySet[Any], *, kind: str, day: str, note: Expression | Combinable | str = "", ref: str = "pk"
) -> QuerySet[Any]:
    """Shape a queryset as timeline rows: (day, kind, ref, note), the same columns in the same order for
    every source, so that they can be unioned. Rows without a date are left out."""
    note_expr: Any = Value(note, output_field=CharField()) if isinstance(note, str) else note
    return (
        qs.exclude(**{f"{day}__isnull": True})
        .annotate(
            tl_day=F(day),
            tl_kind=Value(kind, output_field=CharField()),
            tl_ref=F(ref),
            tl_note=Cast(note_expr, output_field=CharField()),
        )
        .values_list("tl_day", "tl_kind", "tl_ref", "tl_note")
        .order_by()
    )


def events_for(user: User, pupil: Pupil) -> list[TimelineEvent]:
    """Every registered app's events for the pupil that the user may see: one query (none if no source)."""
    querysets = [qs for source in TIMELINE_SOURCES for qs in source(user, pupil)]
    if not querysets:
        return []
    first, *rest = querysets
    rows = first.union(*rest, all=True) if rest else first
    events = []
    for day, kind, ref, note in rows:
        describe = TIMELINE_TEXT.get(kind)
        if describe is not None:
            events.append(describe({"day": day, "ref": ref, "note": note or ""}))
    return events


def register_source(source: Callable[[Any, Pupil], Iterable[QuerySet[Any]]], texts: dict[str, Any]) -> None:
    """Called from an AppConfig.ready(); idempotent."""
    TIMELINE_SOURCES.add(source)
    TIMELINE_TEXT.update(texts)
