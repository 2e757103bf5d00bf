"""Support cycles and parent meetings on the pupil record's timeline (pupils.timeline)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from pupils.models import Pupil
from pupils.timeline import Row, TimelineEvent, event_rows
from trusts.models import User
from trusts.permissions import can

from .models import Cycle, ParentMeeting


def sources(user: User, pupil: Pupil) -> Iterable[QuerySet[Any]]:
    """The SENCO, headteacher and lead, and the pupil's own teachers and TAs (who read the plan)."""
    if not (can(user, "casework.view", pupil) or can(user, "plan.view_own", pupil)):
        return []
    cycles = Cycle.objects.filter(pupil=pupil)
    number = Cast("number", output_field=CharField())
    return [
        event_rows(cycles, kind="cycle_planned", day="planned_on", note=number),
        event_rows(
            cycles,
            kind="cycle_reviewed",
            day="reviewed_on",
            note=Concat(number, Value("|"), F("next_step"), output_field=CharField()),
        ),
        event_rows(
            ParentMeeting.objects.filter(pupil=pupil), kind="parent_meeting", day="held_on", note=F("attendees")
        ),
    ]


def _planned(row: Row) -> TimelineEvent:
    url = reverse("graduated:cycle", kwargs={"pk": row["ref"]})
    return TimelineEvent(row["day"], f"SEN support plan {row['note']} agreed.", url)


def _reviewed(row: Row) -> TimelineEvent:
    number, _, step = row["note"].partition("|")
    url = reverse("graduated:cycle", kwargs={"pk": row["ref"]})
    words = Cycle.NextStep(step).label if step in Cycle.NextStep.values else "no next step recorded"
    return TimelineEvent(
        row["day"], f"SEN support plan {number} reviewed. Next step: {words[0].lower()}{words[1:]}.", url
    )


def _meeting(row: Row) -> TimelineEvent:
    return TimelineEvent(row["day"], f"Meeting with parents ({row['note']}).")


TEXTS = {"cycle_planned": _planned, "cycle_reviewed": _reviewed, "parent_meeting": _meeting}
