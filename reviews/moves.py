"""pupils' PUPIL_MOVED_HOOKS entry: the annual reviews of a pupil's EHC plan follow them when they move
school within the trust (their deadlines are ehcp's and move with ehcp's entry)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from pupils.models import Pupil
from trusts.models import School, User

from .models import AnnualReview

UNDER_WAY = [
    AnnualReview.Status.PLANNING,
    AnnualReview.Status.SCHEDULED,
    AnnualReview.Status.HELD,
    AnnualReview.Status.REPORT_SENT,
    AnnualReview.Status.AMENDING,
]


def move_reviews(
    *, pupil: Pupil, from_school: School, to_school: School, moved_on: date, actor: User | None
) -> list[str]:
    """Moves every annual review of the pupil to `to_school`; the new SENCO carries on a review under way.
    Returns what moved, in words."""
    moved = AnnualReview.objects.filter(pupil=pupil).update(school=to_school, updated_at=timezone.now())
    if not moved:
        return []
    under_way = AnnualReview.objects.filter(pupil=pupil, status__in=UNDER_WAY).count()
    return [f"{moved} annual {'review' if moved == 1 else 'reviews'} ({under_way} under way)."]
