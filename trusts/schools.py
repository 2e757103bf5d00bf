"""A school's phase and year range, as the trust corrects them: they decide which pupils change phase (R9).

The register (GIAS, `trusts.gias`) cannot tell an infant or junior school from a primary without its ages, nor
a middle school's year groups without them; the inclusion lead says so here. Onboarding from the register
may set the phase again later; the trust's year range is never touched by it.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .models import School, User
from .year_groups import YEAR_GROUPS

# The permission to correct a school's phase: the inclusion lead's trust-wide casework.
PHASE_CHANGE = "trust.casework"


class SchoolPhaseForm(forms.Form):
    phase = forms.ChoiceField(label="Phase", choices=School.Phase.choices)
    first_year_group = forms.ChoiceField(
        label="First year group", choices=[("", "From the phase and ages"), *YEAR_GROUPS], required=False
    )
    last_year_group = forms.ChoiceField(
        label="Last year group", choices=[("", "From the phase and ages"), *YEAR_GROUPS], required=False
    )

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        first, last = data.get("first_year_group") or "", data.get("last_year_group") or ""
        if bool(first) != bool(last):
            raise ValidationError("Give both the first and the last year group, or leave both empty.")
        phase = data.get("phase")
        if phase == School.Phase.MIDDLE and not first and self.school_has_no_ages:
            self.add_error("first_year_group", "A middle school needs its year range (for example Year 5 to Year 8).")
        return data

    def __init__(self, *args: object, school: School, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.school_has_no_ages = school.statutory_low_age is None or school.statutory_high_age is None


@transaction.atomic
def set_school_phase(*, school: School, phase: str, first_year_group: str, last_year_group: str, actor: User) -> School:
    """Record the school's phase and (optionally) year range; the next sweep opens R9 by them.

    Raises ValidationError for an unknown phase or year group, or a range that runs backwards. Audited with
    what changed.
    """
    school = School.objects.select_for_update().get(pk=school.pk)
    before = f"{school.get_phase_display()}, {school.year_range_display()}"
    school.phase, school.first_year_group, school.last_year_group = phase, first_year_group, last_year_group
    school.full_clean(validate_unique=False, validate_constraints=False)
    school.save(update_fields=["phase", "first_year_group", "last_year_group", "updated_at"])
    after = f"{school.get_phase_display()}, {school.year_range_display()}"
    if before != after:
        audit.record(
            actor=actor, action=audit.Action.CHANGE, obj=school, summary=f"Phase of {school}: {before} → {after}"
        )
    return school
