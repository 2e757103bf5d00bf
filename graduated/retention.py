"""graduated's part of destroying a former pupil's record and of a subject access export (pupils.retention)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pupils.models import Pupil
from pupils.retention import Destroyed, delete_rows, rows_of

from .models import (
    AccessArrangement,
    Allocation,
    AssessmentResult,
    Cycle,
    DeliveryLog,
    Outcome,
    ParentMeeting,
    Strategy,
)


def _records(pupil: Pupil) -> list[QuerySet[Any]]:
    # Children first, so an export lists each kind; deleting the cycles alone would cascade to the rest.
    return [
        AccessArrangement.objects.filter(pupil=pupil),
        ParentMeeting.objects.filter(pupil=pupil),
        DeliveryLog.objects.filter(pupil=pupil),
        Allocation.objects.filter(cycle__pupil=pupil),
        Strategy.objects.filter(cycle__pupil=pupil),
        Outcome.objects.filter(cycle__pupil=pupil),
        AssessmentResult.objects.filter(cycle__pupil=pupil),
        Cycle.objects.filter(pupil=pupil),
    ]


def destroy_pupil_records(pupil: Pupil) -> Destroyed:
    """Support cycles with their outcomes, strategies, provision and delivery logs; parent meetings; access
    arrangements."""
    return Destroyed(counts=delete_rows(*_records(pupil)))


def export_pupil_records(pupil: Pupil) -> dict[str, list[dict[str, Any]]]:
    return rows_of(*_records(pupil))
