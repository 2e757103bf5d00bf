"""Who sees what: the schools whose annual reviews a person runs, and the reviews and plans they may open."""

from __future__ import annotations

from django.db.models import QuerySet

from ehcp.models import EhcPlan
from trusts.models import School, User
from trusts.permissions import schools_where

from ..models import AnnualReview


def review_schools(user: User) -> list[School]:
    """Schools whose reviews the person runs: SENCO, headteacher, inclusion lead ("review.change").
    Never teachers, teaching assistants, governors, trustees or parents."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return []
    return schools_where(user, "review.change")


def reviews_visible_to(user: User) -> QuerySet[AnnualReview]:
    schools = review_schools(user)
    if not schools:
        return AnnualReview.objects.none()
    # The pupil's current school, like `can(user, "review.change", pupil)`: the records follow the pupil.
    return AnnualReview.objects.filter(pupil__school__in=schools).select_related("pupil", "school", "plan")


def plans_for_review(user: User) -> QuerySet[EhcPlan]:
    """Active EHC plans of pupils in the person's review schools (to start a review)."""
    schools = review_schools(user)
    if not schools:
        return EhcPlan.objects.none()
    return EhcPlan.objects.filter(pupil__school__in=schools, ceased_on=None).select_related("pupil", "school")
