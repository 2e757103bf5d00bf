"""The pupil's views at an annual review, taken from their "All about me" (pupils.voice) in one action."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from pupils import voice
from trusts import audit
from trusts.models import User
from trusts.permissions import can

from ..models import AnnualReview
from ..permitted import may_take_pupil_views
from ._common import _lock


@transaction.atomic
def use_all_about_me(*, review: AnnualReview, actor: User) -> AnnualReview:
    """Make the pupil's latest "All about me" the review's pupil's views (what the meeting record starts
    with and the report prints), replacing what was there.

    Refused when the person may not change the review, when the review is cancelled or its report has been
    sent, or when the pupil has no All about me. Side effects: the review's pupil's views; an audit entry.
    """
    review = _lock(review)
    if not can(actor, "review.change", review.pupil):
        raise ValidationError("You cannot change this review.")
    if not may_take_pupil_views(review):
        raise ValidationError(
            "The review is cancelled: its pupil's views can no longer change."
            if review.status == AnnualReview.Status.CANCELLED
            else "The report has been sent: the pupil's views can no longer change."
        )
    profile = voice.latest_for(review.pupil)
    if profile is None:
        raise ValidationError(f"{review.pupil.forename} has no All about me yet. Complete it with them first.")
    review.pupil_views = voice.as_pupil_views(profile)
    review.save(update_fields=["pupil_views", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=review,
        pupil_id=review.pupil_id,
        summary=f"Pupil's views taken from the All about me of {profile.completed_on:%-d %B %Y}",
    )
    return review
