"""register's part of destroying a former pupil's record and of a subject access export (pupils.retention)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pupils.models import Pupil
from pupils.retention import Destroyed, delete_rows, rows_of

from .models import (
    CauseForConcern,
    Referral,
    ReferralAppointment,
    ReferralConsent,
    ReferralDocument,
    RegisterChange,
    RegisterEntry,
)


def _records(pupil: Pupil) -> list[QuerySet[Any]]:
    return [
        ReferralConsent.objects.filter(referral__pupil=pupil),
        ReferralAppointment.objects.filter(referral__pupil=pupil),
        ReferralDocument.objects.filter(referral__pupil=pupil),
        Referral.objects.filter(pupil=pupil),
        CauseForConcern.objects.filter(pupil=pupil),
        RegisterChange.objects.filter(pupil=pupil),
        RegisterEntry.objects.filter(pupil=pupil),
    ]


def destroy_pupil_records(pupil: Pupil) -> Destroyed:
    """The register entry, its history, the causes for concern and referrals (what cascades from them included)."""
    return Destroyed(counts=delete_rows(*_records(pupil)))


def export_pupil_records(pupil: Pupil) -> dict[str, list[dict[str, Any]]]:
    return rows_of(*_records(pupil))
