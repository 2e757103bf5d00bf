"""Which days a school is open, from its own term dates (the English default where it has entered none).

A date a family is given (a support plan review, a meeting, an annual review meeting offered) must be a day
the school is open: never a weekend, a holiday or a bank holiday in term. Where a default would fall on a
closed day it moves back to the last school day before, so the family never hears of a later date than the
one the rule gave. The day arithmetic is `calendar_defaults.school_days` (pure); this module only reads the
school's half-terms. Counting school days for statutory limits stays in `ehcp.rules.add_school_days`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .calendar_defaults import TermDates, academic_year_of, default_terms, school_days
from .models import HalfTerm, School


def _terms(school: School, academic_year: int) -> list[TermDates]:
    halves = HalfTerm.objects.filter(calendar__school=school, calendar__academic_year=academic_year)
    return [TermDates(h.name, h.start, h.end) for h in halves] or default_terms(academic_year)


def school_days_in_year(*, school: School, academic_year: int) -> frozenset[date]:
    """Every day the school is open in the academic year starting in September `academic_year`: weekdays
    inside its half-terms, less bank holidays. One query. For checking many dates at once."""
    return frozenset(school_days(_terms(school, academic_year)))


def is_school_day(*, school: School, day: date) -> bool:
    """Whether the school is open on `day` (one query)."""
    return day in school_days_in_year(school=school, academic_year=academic_year_of(day))


def last_school_day_on_or_before(*, school: School, day: date) -> date:
    """`day` if the school is open then, else the last day it was open before.

    With the English default calendar for 2026/27 (autumn term 2 September to 18 December 2026):
    Saturday 12 December 2026 -> Friday 11 December; Christmas Day 2026 -> Friday 18 December; Thursday
    10 December 2026 -> itself; Tuesday 1 September 2026 (before the term starts) -> the last day of the
    summer term, Friday 17 July 2026. At most two queries (this academic year and the one before).
    """
    year = academic_year_of(day)
    for academic_year in (year, year - 1):
        earlier = [d for d in school_days_in_year(school=school, academic_year=academic_year) if d <= day]
        if earlier:
            return max(earlier)
    raise ValueError(f"The school calendar has no school day on or before {day:%-d %B %Y}. Add the term dates.")


def family_date(*, school: School, day: date, after: date | None = None) -> date:
    """The date to give a family for `day`: `last_school_day_on_or_before` it, unless that is not after
    `after` (a review must come after the plan it reviews; a meeting still to come after today), then the
    first school day after `after`. For seeded and suggested dates, never to move a date a person typed.
    """
    moved = last_school_day_on_or_before(school=school, day=day)
    if after is None or moved > after:
        return moved
    year = academic_year_of(after)
    later = [
        d
        for academic_year in (year, year + 1)
        for d in school_days_in_year(school=school, academic_year=academic_year)
        if d > after
    ]
    if not later:
        raise ValueError(f"The school calendar has no school day after {after:%-d %B %Y}. Add the term dates.")
    return min(later)


@dataclass(frozen=True)
class SchoolYear:
    """One school's academic year: its school days in order and its terms (each two half-terms, autumn,
    spring and summer, as (first day, last day))."""

    days: tuple[date, ...]
    terms: tuple[tuple[date, date], ...]

    def term_of(self, day: date) -> tuple[date, date]:
        """The term `day` falls in, or the last one that began before it (in a holiday); the first term
        before the year starts."""
        started = [term for term in self.terms if term[0] <= day]
        return started[-1] if started else self.terms[0]

    def days_between(self, first: date, last: date) -> int:
        """How many school days from `first` to `last`, both included."""
        return bisect_right(self.days, last) - bisect_left(self.days, first) if first <= last else 0


def school_years(schools: Iterable[School], academic_year: int) -> dict[int, SchoolYear]:
    """Each school's academic year (its own term dates, the English default where it entered none): one
    query for any number of schools."""
    schools = list(schools)
    halves: dict[int, list[TermDates]] = {}
    rows = HalfTerm.objects.filter(calendar__school__in=schools, calendar__academic_year=academic_year)
    for half in rows.values("calendar__school_id", "name", "start", "end").order_by("start"):
        halves.setdefault(half["calendar__school_id"], []).append(TermDates(half["name"], half["start"], half["end"]))
    default = default_terms(academic_year)
    years = {}
    for school in schools:
        terms = sorted(halves.get(school.pk) or default, key=lambda t: t.start)
        pairs = [terms[i : i + 2] for i in range(0, len(terms), 2)]
        years[school.pk] = SchoolYear(
            days=tuple(school_days(terms)), terms=tuple((pair[0].start, pair[-1].end) for pair in pairs)
        )
    return years
