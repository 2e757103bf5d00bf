"""reviews' part of destroying a former pupil's record and of a subject access export (pupils.retention)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pupils.models import Pupil
from pupils.retention import Destroyed, delete_rows, rows_of

from .models import AnnualReview, Invitee, ReviewAction


def _records(pupil: Pupil) -> list[QuerySet[Any]]:
    return [
        ReviewAction.objects.filter(review__pupil=pupil),
        Invitee.objects.filter(review__pupil=pupil),
        AnnualReview.objects.filter(pupil=pupil),
    ]


def destroy_pupil_records(pupil: Pupil) -> Destroyed:
    """Annual reviews with their invitees and actions (before ehcp deletes the plans they belong to)."""
    return Destroyed(counts=delete_rows(*_records(pupil)))


def export_pupil_records(pupil: Pupil) -> dict[str, list[dict[str, Any]]]:
    return rows_of(*_records(pupil))
