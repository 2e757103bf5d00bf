"""Dates given to families fall on school days: never a weekend, a holiday or a bank holiday in term.

`trusts.school_days.last_school_day_on_or_before` moves a default date back to the last day the school is
open; the support plan's default review date uses it, and the demo gives families school days only.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import date

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from ehcp.demo import seed_ehcp
from graduated.demo import seed_graduated
from graduated.models import Cycle, ParentMeeting
from graduated.services import default_review_date
from register.demo import seed_school as seed_register_school
from reviews.demo import seed_reviews
from reviews.models import AnnualReview
from trusts.calendar_defaults import academic_year_of
from trusts.demo import seed_tenancy
from trusts.school_days import family_date, last_school_day_on_or_before, school_days_in_year
from trusts.services import HalfTermDates, ensure_calendar, update_calendar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 10), date(2026, 12, 10)),  # a Thursday in term: itself
        (date(2026, 12, 12), date(2026, 12, 11)),  # Saturday: the Friday before
        (date(2026, 12, 25), date(2026, 12, 18)),  # Christmas holiday: the last day of the autumn term
        (date(2026, 9, 1), date(2026, 7, 17)),  # before the autumn term starts: the end of the summer term
        (date(2027, 5, 3), date(2027, 4, 30)),  # early May bank holiday (in term): the Friday before
    ],
)
def test_a_closed_day_moves_back_to_the_last_school_day(demo, day, expected) -> None:
    with scope(trust=demo.oak.pk):
        assert last_school_day_on_or_before(school=demo.acorn, day=day) == expected


def test_family_date_moves_forward_only_when_going_back_would_pass_the_earliest_date(demo) -> None:
    with scope(trust=demo.oak.pk):
        # 10 days after Tuesday 15 December is Christmas Day; the last school day before is 18 December.
        assert family_date(school=demo.acorn, day=date(2026, 12, 25), after=date(2026, 12, 15)) == date(2026, 12, 18)
        # After 18 December the first school day is the first day of the spring term.
        assert family_date(school=demo.acorn, day=date(2026, 12, 25), after=date(2026, 12, 18)) == date(2027, 1, 4)


def test_a_half_term_entered_as_ending_on_a_saturday_gives_the_friday_as_the_review_date(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        calendar = ensure_calendar(school=demo.acorn, academic_year=2026)
        terms = [HalfTermDates(h.name, h.start, h.end) for h in calendar.half_terms.all()]
        terms[0] = HalfTermDates("Autumn 1", date(2026, 9, 2), date(2026, 10, 24))  # a Saturday
        update_calendar(calendar=calendar, terms=terms, actor=senco)
        assert default_review_date(school=demo.acorn, on=date(2026, 10, 5)) == date(2026, 10, 23)


def _closed(school, days: list[date]) -> list[date]:
    open_days: frozenset[date] = frozenset()
    for year in {academic_year_of(d) for d in days}:
        open_days |= school_days_in_year(school=school, academic_year=year)
    return sorted(d for d in days if d not in open_days)


# A Saturday before Christmas; the two days the demo once failed on (a held meeting moved into the February
# half-term and a bank holiday); the first day of the summer holiday; the day before the autumn term starts.
DEMO_DAYS = [date(2026, 12, 12), date(2027, 3, 10), date(2027, 5, 15), date(2027, 7, 24), date(2027, 9, 1)]


@pytest.mark.parametrize("today", DEMO_DAYS, ids=str)
def test_no_date_the_demo_gives_a_family_falls_on_a_weekend_or_a_closure(today: date) -> None:
    from reports.portal_demo import seed_portal
    from reviews.queries import next_review_for_parent

    with time_machine.travel(dt.datetime(today.year, today.month, today.day, 10, tzinfo=dt.UTC), tick=False):
        with scopes_disabled():
            tenancy = seed_tenancy()
            # One school is enough to meet every kind of date the demo gives, at a third of the time.
            objects = {**tenancy, "schools": {"acorn": tenancy["schools"]["acorn"]}}
            seed_register_school(objects["schools"]["acorn"], "acorn", objects["users"], random.Random(2026), today)
            seed_graduated(objects)
            seed_ehcp(objects)
            seed_reviews(objects)
            seed_portal(objects)
            problems = []
            for school in objects["schools"].values():
                waiting = AnnualReview.objects.filter(school=school, status__in=["planning", "scheduled"])
                dates = {
                    "support plan review": [
                        d for d in Cycle.objects.filter(school=school).values_list("review_date", flat=True) if d
                    ],
                    "support plan reviewed": [
                        d for d in Cycle.objects.filter(school=school).values_list("reviewed_on", flat=True) if d
                    ],
                    "parent meeting": list(
                        ParentMeeting.objects.filter(school=school).values_list("held_on", flat=True)
                    ),
                    "annual review meeting": [
                        d
                        for pair in AnnualReview.objects.filter(school=school).values_list("meeting_date", "held_on")
                        for d in pair
                        if d
                    ],
                    # What the portal says about a review not yet booked: the date it must be held by.
                    "next annual review (portal)": [
                        next_review.date
                        for review in waiting.select_related("pupil__school")
                        if (next_review := next_review_for_parent(review.pupil))
                    ],
                }
                assert dates["support plan review"] and dates["parent meeting"], school
                assert dates["next annual review (portal)"], school
                for kind, days in dates.items():
                    problems += [f"{school}: {kind} on {d:%A %-d %B %Y}" for d in _closed(school, days)]
            assert AnnualReview.objects.exclude(meeting_date=None).exists()
    assert not problems, "\n".join(problems)
