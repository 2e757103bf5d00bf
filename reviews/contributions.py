"""Parents' views before an annual review: the reviews parents may give views for (the hooks of
`pupils.contributions`) and copying a parent's views into the review's own parents' views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from pupils.contributions import ViewsSubject, as_text, mark_copied
from pupils.models import ContributionSubject, ParentContribution, Pupil
from trusts import audit
from trusts.models import User
from trusts.permissions import can

from .models import AnnualReview

KIND = ContributionSubject.ANNUAL_REVIEW
NOT_HELD = (AnnualReview.Status.PLANNING, AnnualReview.Status.SCHEDULED)


def subject_of(review: AnnualReview) -> ViewsSubject:
    """A review is open to parents' views until its meeting is held (or it is cancelled)."""
    is_open = review.status in NOT_HELD and review.held_on is None
    return ViewsSubject(
        kind=KIND,
        id=review.pk,
        pupil_id=review.pupil_id,
        trust_id=review.trust_id,
        school_id=review.school_id,
        date=review.held_on or review.meeting_date or review.due_date,
        open=is_open,
        staff_action="review.change",
        staff_url=reverse("reviews:detail", kwargs={"pk": review.pk}),
    )


def open_subjects(pupil: Pupil) -> list[ViewsSubject]:
    reviews = AnnualReview.objects.filter(pupil=pupil, status__in=NOT_HELD, held_on=None)
    return [subject_of(r) for r in reviews]


def find_subject(kind: str, subject_id: int) -> ViewsSubject | None:
    if kind != KIND:
        return None
    review = AnnualReview.objects.filter(pk=subject_id).first()
    return subject_of(review) if review else None


@transaction.atomic
def copy_parent_views(*, review: AnnualReview, contribution: ParentContribution, actor: User) -> AnnualReview:
    """Add a parent's views, attributed and dated, to the review's parents' views (after what is there
    already, never replacing it); the meeting record form then starts from them. Side effects: the review,
    the contribution marked copied; audited. ValidationError once the meeting is held or for another
    review's views."""
    if not can(actor, "review.change", review.pupil):
        raise ValidationError("Only the SENCO, headteacher or inclusion lead can change annual reviews.")
    if contribution.subject_kind != KIND or contribution.subject_id != review.pk:
        raise ValidationError("These views are for another review.")
    review = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if not subject_of(review).open:
        raise ValidationError("The meeting has been held: change the parents' views in the meeting record.")
    text = as_text(contribution)
    current = review.parent_views.strip()
    if text not in current:
        review.parent_views = f"{current}\n\n{text}" if current else text
        review.save(update_fields=["parent_views", "updated_at"])
        audit.record(
            actor=actor,
            action=audit.Action.CHANGE,
            obj=review,
            pupil_id=review.pupil_id,
            summary="Parent's views copied into the annual review",
        )
    mark_copied(contribution=contribution, actor=actor)
    return review
