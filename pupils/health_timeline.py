"""Health care plan versions on the pupil record's timeline, for the people who may see the plan."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.urls import reverse

from .health import health_access
from .models import HealthCarePlan, Pupil
from .timeline import Row, TimelineEvent, event_rows, register_source

KIND = "health_plan"


def health_plan_events(user: Any, pupil: Pupil) -> list[QuerySet[Any]]:
    """The plan's versions, by the day each was written (none for anyone who may not see the plan)."""
    if health_access(user, pupil) is None:
        return []
    plans = HealthCarePlan.objects.filter(pupil=pupil).annotate(written_on=TruncDate("created_at"))
    # The note carries "pupil:version", so each event is described without another query.
    note = Concat(
        Cast("pupil_id", output_field=CharField()),
        Value(":"),
        Cast("version", output_field=CharField()),
        output_field=CharField(),
    )
    return [event_rows(plans, kind=KIND, day="written_on", note=note)]


def describe(row: Row) -> TimelineEvent:
    pupil_id, _, version = str(row["note"]).partition(":")
    return TimelineEvent(
        day=row["day"],
        text=f"Individual health care plan, version {version}.",
        url=reverse("pupils:health_plan", args=[int(pupil_id), int(row["ref"])]),
    )


def register() -> None:
    register_source(health_plan_events, {KIND: describe})
