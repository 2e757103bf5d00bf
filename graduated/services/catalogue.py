"""The trust's provision catalogue and its rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from trusts import audit
from trusts.models import School, User

from ..models import Provision, StaffRate, StaffRole
from ._common import _require

MAX_RATE = Decimal("1000")


@transaction.atomic
def save_provision(
    *,
    school: School,
    actor: User | None,
    name: str,
    wave: int,
    area: str,
    staff_role: str,
    group_size: int,
    sessions_per_week: Decimal,
    minutes_per_session: int,
    start_date: date,
    end_date: date | None = None,
    description: str = "",
    provision: Provision | None = None,
) -> Provision:
    """Add a provision to the school's catalogue, or change one. Audited."""
    _require(actor, "plan.change", school, "Only the SENCO, headteacher or inclusion lead can change the catalogue.")
    problems = []
    if not name.strip():
        problems.append("Enter the name of the provision.")
    if group_size < 1:
        problems.append("The group size must be at least 1 (1 means one-to-one).")
    if sessions_per_week <= 0:
        problems.append("Enter how many sessions a week, for example 3 (or 0.5 for once a fortnight).")
    if minutes_per_session < 1:
        problems.append("Enter how many minutes each session lasts.")
    if end_date is not None and end_date < start_date:
        problems.append("The end date must be on or after the start date.")
    if provision is not None and provision.school_id != school.pk:
        problems.append("That provision belongs to another school.")
    if problems:
        raise ValidationError(problems)
    creating = provision is None
    if provision is None:
        provision = Provision(trust_id=school.trust_id, school=school)
    provision.name, provision.description = name.strip(), description.strip()
    provision.wave, provision.area, provision.staff_role = wave, area, staff_role
    provision.group_size, provision.sessions_per_week = group_size, sessions_per_week
    provision.minutes_per_session, provision.start_date, provision.end_date = minutes_per_session, start_date, end_date
    try:
        with transaction.atomic():
            provision.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": (f"The catalogue already has a provision called {name.strip()}. Choose another name.")}
        ) from exc
    audit.record(
        actor=actor,
        action=audit.Action.CREATE if creating else audit.Action.CHANGE,
        obj=provision,
        summary=f"Provision catalogue: {provision.name}",
    )
    return provision


@transaction.atomic
def set_rates(*, school: School, actor: User | None, rates: dict[str, Decimal | None]) -> list[StaffRate]:
    """Set the school's hourly cost of each kind of staff (None removes a rate). Audited."""
    _require(actor, "plan.change", school, "Only the SENCO, headteacher or inclusion lead can change staff rates.")
    problems = []
    for role, rate in rates.items():
        if role not in StaffRole.values:
            problems.append(f"{role} is not a kind of staff.")
        elif rate is not None and not (0 <= rate <= MAX_RATE):
            problems.append(f"The rate for {StaffRole(role).label.lower()} must be between £0 and £{MAX_RATE:,.0f}.")
    if problems:
        raise ValidationError(problems)
    saved = []
    for role, rate in rates.items():
        if rate is None:
            StaffRate.objects.filter(school=school, role=role).delete()
            continue
        obj, _ = StaffRate.objects.update_or_create(
            school=school, role=role, defaults={"trust_id": school.trust_id, "hourly_rate": rate}
        )
        saved.append(obj)
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=school, summary="Provision map staff rates changed")
    return saved
