"""The provision catalogue, its rates and the provision running now."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from register.models import BroadArea
from trusts.models import School

from ..models import Provision, StaffRate
from ._common import _today


def rates_for(school: School | int) -> dict[str, Decimal]:
    """The school's hourly rate for each kind of staff (a school or its id)."""
    school_id = school if isinstance(school, int) else school.pk
    return dict(StaffRate.objects.filter(school_id=school_id).values_list("role", "hourly_rate"))


def catalogue(school: School) -> QuerySet[Provision]:
    return Provision.objects.filter(school=school).order_by("wave", "name")


def running_provisions(school: School, *, today: date | None = None) -> QuerySet[Provision]:
    today = today or _today()
    return catalogue(school).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def provision_summary(school: School) -> list[dict[str, Any]]:
    """The provision the school runs, for its SEN information report: name, wave and area of need."""
    return [
        {"name": p.name, "wave": p.wave, "area": BroadArea(p.area).label if p.area else ""}
        for p in running_provisions(school)
    ]
