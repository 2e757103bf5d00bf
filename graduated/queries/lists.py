"""The SENCO's lists: cycles due or overdue for review, parents not met often enough, pupils on support."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from pupils.models import Pupil
from register.models import SenStatus
from trusts.dates import academic_year_bounds
from trusts.models import School

from ..models import Cycle
from ._common import OPEN, _today
from .access import on_roll

# "Due for review" on the SENCO's list: a plan whose review date falls in the next two weeks.
DUE_WITHIN_DAYS = 14
# CoP 6.65: schools should meet parents of pupils on SEN support at least three times a year.
MEETINGS_PER_YEAR = 3


def reviews_due_or_overdue(schools: list[School], *, today: date | None = None) -> QuerySet[Cycle]:
    """Plans in place in these schools whose review date has passed or falls in the next two weeks (oldest
    first): `overdue_reviews` and `cycles_due_for_review` together, for the home page's work list."""
    today = today or _today()
    return (
        Cycle.objects.filter(
            school__in=schools,
            status=Cycle.Status.ACTIVE,
            review_date__lte=today + timedelta(days=DUE_WITHIN_DAYS),
        )
        .filter(on_roll("pupil__"))
        .select_related("pupil", "school")
        .order_by("review_date", "pupil__legal_surname", "pk")
    )


def cycles_due_for_review(school: School, *, today: date | None = None) -> QuerySet[Cycle]:
    """Plans in place whose review date is today or in the next two weeks (soonest first)."""
    today = today or _today()
    return reviews_due_or_overdue([school], today=today).filter(review_date__gte=today)


def overdue_reviews(school: School, *, today: date | None = None) -> QuerySet[Cycle]:
    """Plans in place whose review date has passed without a review (oldest first)."""
    today = today or _today()
    return reviews_due_or_overdue([school], today=today).filter(review_date__lt=today)


def pupils_short_of_parent_meetings(school: School, academic_year: int) -> QuerySet[Pupil]:
    """Pupils on SEN support (K) at the school whose parents have had fewer than three meetings this
    school year (CoP 6.65), each annotated with `meetings_this_year`, fewest first."""
    start, end = academic_year_bounds(academic_year)
    return (
        Pupil.objects.filter(school=school, register_entry__status=SenStatus.SEN_SUPPORT)
        .filter(on_roll())
        .annotate(
            meetings_this_year=Count(
                "parent_meetings", filter=Q(parent_meetings__held_on__gte=start, parent_meetings__held_on__lte=end)
            )
        )
        .filter(meetings_this_year__lt=MEETINGS_PER_YEAR)
        .order_by("meetings_this_year", "legal_surname", "legal_forename", "pk")
    )


def support_pupils(school: School, academic_year: int) -> QuerySet[Pupil]:
    """Pupils on SEN support or with an EHC plan, each with `open_cycles` (0 or 1) and `meetings_this_year`."""
    start, end = academic_year_bounds(academic_year)
    return (
        Pupil.objects.filter(school=school, register_entry__status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .filter(on_roll())
        .select_related("register_entry")
        .annotate(
            meetings_this_year=Count(
                "parent_meetings", filter=Q(parent_meetings__held_on__gte=start, parent_meetings__held_on__lte=end)
            )
        )
        .prefetch_related(
            Prefetch("support_cycles", queryset=Cycle.objects.filter(status__in=OPEN), to_attr="open_cycles")
        )
        .order_by("legal_surname", "legal_forename", "pk")
    )


def support_counts(school: School, *, today: date | None = None) -> dict[str, int]:
    """The numbers on the SENCO's home page, in two queries."""
    today = today or _today()
    from trusts.calendar_defaults import academic_year_of

    reviews = (
        reviews_due_or_overdue([school], today=today)
        .order_by()
        .aggregate(
            due=Count("pk", filter=Q(review_date__gte=today)), overdue=Count("pk", filter=Q(review_date__lt=today))
        )
    )
    return {
        "due": reviews["due"],
        "overdue": reviews["overdue"],
        "short_of_meetings": pupils_short_of_parent_meetings(school, academic_year_of(today)).count(),
    }
