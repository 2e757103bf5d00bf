"""Helpers shared by the graduated-response reads."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ..models import Cycle

OPEN = [Cycle.Status.ASSESSING, Cycle.Status.ACTIVE]


def _today() -> date:
    return timezone.localdate()
