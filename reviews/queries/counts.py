"""The one definition of annual reviews due or overdue, counted for dashboards and home pages."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from ehcp.models import Deadline
from trusts.models import School

from .lists import DUE_SOON


def annual_reviews_not_held(schools: list[School]) -> QuerySet[Deadline]:
    """The annual-review deadlines (R1, or R2 for a child under 5) of these schools whose meeting is not yet
    held (a held meeting meets them). The one definition of "annual reviews due or overdue": count distinct
    pupils, since a child under 5 can have both."""
    return Deadline.objects.filter(
        school__in=schools, rule_id__in=["R1", "R2"], status__in=[Deadline.Status.OPEN, Deadline.Status.MISSED]
    )


def annual_review_counts(schools: list[School], *, today: date | None = None) -> dict[str, int]:
    """Pupils whose annual review is overdue, or due soon (DUE_SOON, as on the review list), in these
    schools: one query."""
    from django.db.models import Count

    today = today or timezone.localdate()
    counts = annual_reviews_not_held(schools).aggregate(
        overdue=Count("pupil", distinct=True, filter=Q(due__lt=today)),
        soon=Count("pupil", distinct=True, filter=Q(due__gte=today, due__lte=today + DUE_SOON)),
    )
    return {"overdue": counts["overdue"] or 0, "soon": counts["soon"] or 0}
