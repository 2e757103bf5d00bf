"""Helpers shared by the graduated-response services: today, permission checks, the register status, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from pupils.models import Pupil
from register.models import RegisterEntry, SenStatus
from trusts import audit
from trusts.models import User
from trusts.permissions import can

from ..models import Cycle


def _today() -> date:
    return timezone.localdate()


def _long(d: date) -> str:
    """A date as people write it: 3 November 2026."""
    return f"{d.day} {d:%B %Y}"


def _require(actor: User | None, action: str, target: Any, message: str) -> None:
    if actor is None or not can(actor, action, target):
        raise ValidationError(message)


def _require_planner(actor: User | None, pupil: Pupil) -> None:
    _require(actor, "plan.change", pupil, "Only the SENCO, headteacher or inclusion lead can change support plans.")


def _register_status(pupil: Pupil) -> str:
    status = RegisterEntry.objects.filter(pupil=pupil).values_list("status", flat=True).first()
    return status or SenStatus.NONE


def _editable(cycle: Cycle) -> None:
    if cycle.status == Cycle.Status.REVIEWED:
        raise ValidationError(
            f"Cycle {cycle.number} has been reviewed, so it can no longer be changed. Change the pupil's current cycle."
        )


def _record(actor: User | None, action: str, obj: Any, pupil: Pupil, summary: str) -> None:
    audit.record(actor=actor, action=action, obj=obj, pupil_id=pupil.pk, school=pupil.school, summary=summary)
