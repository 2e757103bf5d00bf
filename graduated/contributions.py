"""Parents' views before a SEN support plan review: the cycles parents may give views for (the hooks of
`pupils.contributions`) and copying a parent's views into the review's own parents' views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from pupils.contributions import ViewsSubject, as_text, mark_copied
from pupils.models import ContributionSubject, ParentContribution, Pupil
from trusts.models import User

from .models import Cycle
from .services._common import _record, _require_planner

KIND = ContributionSubject.SUPPORT_REVIEW


def subject_of(cycle: Cycle) -> ViewsSubject:
    """A cycle's review: open to parents' views while the plan is in place and not yet reviewed."""
    is_open = cycle.status == Cycle.Status.ACTIVE
    return ViewsSubject(
        kind=KIND,
        id=cycle.pk,
        pupil_id=cycle.pupil_id,
        trust_id=cycle.trust_id,
        school_id=cycle.school_id,
        date=cycle.review_date if is_open else cycle.reviewed_on,
        open=is_open,
        staff_action="plan.change",
        staff_url=reverse("graduated:review" if is_open else "graduated:cycle", kwargs={"pk": cycle.pk}),
    )


def open_subjects(pupil: Pupil) -> list[ViewsSubject]:
    return [subject_of(c) for c in Cycle.objects.filter(pupil=pupil, status=Cycle.Status.ACTIVE)]


def find_subject(kind: str, subject_id: int) -> ViewsSubject | None:
    if kind != KIND:
        return None
    cycle = Cycle.objects.filter(pk=subject_id).first()
    return subject_of(cycle) if cycle else None


@transaction.atomic
def copy_parent_views(*, cycle: Cycle, contribution: ParentContribution, actor: User) -> Cycle:
    """Add a parent's views, attributed and dated, to the parents' views of the cycle's review (after what
    is there already, never replacing it). Side effects: the cycle, the contribution marked copied; audited.
    ValidationError if the cycle has been reviewed or the views are for another review."""
    _require_planner(actor, cycle.pupil)
    if contribution.subject_kind != KIND or contribution.subject_id != cycle.pk:
        raise ValidationError("These views are for another review.")
    if cycle.status != Cycle.Status.ACTIVE:
        raise ValidationError(f"Cycle {cycle.number} has been reviewed: its parents' views can no longer change.")
    text = as_text(contribution)
    current = cycle.review_parent_views.strip()
    if text not in current:
        cycle.review_parent_views = f"{current}\n\n{text}" if current else text
        cycle.save(update_fields=["review_parent_views", "updated_at"])
        _record(actor, "change", cycle, cycle.pupil, f"Parent's views copied into the review of cycle {cycle.number}")
    mark_copied(contribution=contribution, actor=actor)
    return cycle
