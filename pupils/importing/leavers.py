"""Leavers: pupils missing from a full MIS file, confirmed as left (with the hooks of apps above) or kept on roll."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from trusts import audit
from trusts.hooks import Hooks
from trusts.models import School, User

from ..models import Pupil


def possible_leavers(*, school: School) -> QuerySet[Pupil]:
    """Pupils of the school listed as possible leavers by a full import and not yet decided."""
    return Pupil.objects.filter(school=school, possible_leaver_since__isnull=False, leaving_date=None).order_by(
        "legal_surname", "legal_forename", "pk"
    )


def possible_leaver_counts(*, schools: Sequence[School]) -> dict[int, int]:
    rows = (
        Pupil.objects.filter(school__in=schools, possible_leaver_since__isnull=False, leaving_date=None)
        .values("school")
        .annotate(n=Count("pk"))
    )
    return {r["school"]: r["n"] for r in rows}


# Apps above pupils register what follows a pupil leaving (ehcp opens C1 for a pupil on the SEN register).
# Each is called inside confirm_leaver's transaction as hook(pupil=..., left_on=..., actor=...).
PUPIL_LEFT_HOOKS: Hooks[Callable[..., object]] = Hooks(
    "pupils.importing.PUPIL_LEFT_HOOKS",
    rule="a pupil on the SEN register who leaves opens the transfer of their records (C1)",
    filled_by="ehcp",
)


@transaction.atomic
def confirm_leaver(*, pupil: Pupil, leaving_date: date, actor: User | None) -> Pupil:
    """The pupil has left: set their leaving date and take them off the possible-leavers list. Audited;
    then every PUPIL_LEFT_HOOKS entry runs (for example the records-transfer deadline C1).

    Raises ValidationError for a date in the future or before the pupil joined.
    """
    if leaving_date > timezone.localdate():
        raise ValidationError(
            "The leaving date cannot be in the future: confirm the leaver on or after the day they leave."
        )
    if pupil.admission_date and leaving_date < pupil.admission_date:
        raise ValidationError(f"The leaving date is before the pupil joined ({pupil.admission_date:%d/%m/%Y}).")
    pupil.leaving_date, pupil.possible_leaver_since = leaving_date, None
    pupil.save(update_fields=["leaving_date", "possible_leaver_since", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"Confirmed as a leaver, leaving date {leaving_date:%d/%m/%Y}",
    )
    for hook in PUPIL_LEFT_HOOKS:
        hook(pupil=pupil, left_on=leaving_date, actor=actor)
    return pupil


@transaction.atomic
def keep_on_roll(*, pupil: Pupil, actor: User | None) -> Pupil:
    """The pupil is still in school: take them off the possible-leavers list. Audited."""
    pupil.possible_leaver_since = None
    pupil.save(update_fields=["possible_leaver_since", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="Not a leaver: still in school",
    )
    return pupil
