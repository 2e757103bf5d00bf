"""A sensible default English school calendar, for trusts that have not entered their own.

Six half-terms per academic year (September to August). The pattern follows what most English
local authorities publish; a trust edits its real dates (and adds its training days) afterwards.

- Autumn 1 starts on the Wednesday of the first week of September if 1 September is a Monday,
  Tuesday or Wednesday, otherwise on the first Monday after 1 September (so 1-5 September).
- October half-term is the last full Monday-Friday week of October.
- Christmas is two weeks: spring starts on the first Monday on or after 2 January (the Tuesday if
  that Monday is the New Year bank holiday) and autumn ends on the Friday two weeks before.
- February half-term is the week starting on the first Monday on or after 12 February.
- Easter is the two weeks around Easter Sunday: spring ends on the Friday a week before Good
  Friday, summer starts on the Monday a week after Easter Monday (the Tuesday if that is the
  early May bank holiday).
- May half-term is the week of the spring bank holiday (the last Monday of May).
- Summer ends on the Friday on or before 22 July; the summer holiday runs to 31 August.

That gives 192-197 school days, close to the usual 195 (190 days for pupils, i.e. 380 sessions,
plus 5 training days), before the trust marks its own training days. One-off bank holidays
(coronations, jubilees) are not known here: trusts add them as closures.

Pure Python, no Django imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from .dates import academic_year_bounds, academic_year_of

HALF_TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


class TermDates(NamedTuple):
    """One half-term: the first and last day pupils attend (both inclusive)."""

    name: str
    start: date
    end: date


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian, or Meeus/Jones/Butcher,
    algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _on_or_after(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def _on_or_before(d: date, weekday: int) -> date:
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def early_may_bank_holiday(year: int) -> date:
    """The first Monday of May (moved in 1995 and 2020 for VE Day anniversaries: not modelled)."""
    return _on_or_after(date(year, 5, 1), MONDAY)


def _new_year_bank_holiday(year: int) -> date:
    new_year = date(year, 1, 1)
    return new_year if new_year.weekday() < SATURDAY else _on_or_after(new_year, MONDAY)


def _weekday_unless(d: date, holiday: date) -> date:
    return d + timedelta(days=1) if d == holiday else d


def default_terms(academic_year_start: int) -> list[TermDates]:
    """The six half-terms of the academic year starting in September ``academic_year_start``."""
    year, next_year = academic_year_start, academic_year_start + 1

    first_of_september = date(year, 9, 1)
    if first_of_september.weekday() <= WEDNESDAY:
        autumn_start = _on_or_after(first_of_september, WEDNESDAY)
    else:
        autumn_start = _on_or_after(first_of_september, MONDAY)

    # The last Monday whose week (to Friday) ends in October.
    october_half_term = _on_or_before(date(year, 10, 27), MONDAY)

    spring_monday = _on_or_after(date(next_year, 1, 2), MONDAY)
    spring_start = _weekday_unless(spring_monday, _new_year_bank_holiday(next_year))
    christmas_starts = spring_monday - timedelta(weeks=2)

    february_half_term = _on_or_after(date(next_year, 2, 12), MONDAY)

    easter = easter_sunday(next_year)
    easter_holiday_starts = easter - timedelta(days=6)  # the Monday before Easter Sunday
    summer_start = _weekday_unless(easter + timedelta(days=8), early_may_bank_holiday(next_year))

    may_half_term = _on_or_before(date(next_year, 5, 31), MONDAY)
    summer_end = _on_or_before(date(next_year, 7, 22), FRIDAY)

    def friday_before(monday: date) -> date:
        return monday - timedelta(days=3)

    bounds = [
        (autumn_start, friday_before(october_half_term)),
        (october_half_term + timedelta(weeks=1), friday_before(christmas_starts)),
        (spring_start, friday_before(february_half_term)),
        (february_half_term + timedelta(weeks=1), friday_before(easter_holiday_starts)),
        (summer_start, friday_before(may_half_term)),
        (may_half_term + timedelta(weeks=1), summer_end),
    ]
    return [TermDates(name, start, end) for name, (start, end) in zip(HALF_TERM_NAMES, bounds, strict=True)]


def half_term_end_on_or_after(d: date, terms: Sequence[TermDates]) -> date:
    """The last day of the half-term containing ``d``, or, if ``d`` is in a holiday, of the next one.

    Raises ValueError if ``d`` is after the last half-term given.
    """
    for term in sorted(terms, key=lambda term: term.start):
        if d <= term.end:
            return term.end
    raise ValueError(f"{d:%-d %B %Y} is after the last half-term in this calendar; add the next year's terms.")


def bank_holidays_in_term(terms: Sequence[TermDates]) -> set[date]:
    """Recurring English bank holidays that fall inside these half-terms (in the default calendar,
    only the early May bank holiday can)."""
    years = {term.start.year for term in terms} | {term.end.year for term in terms}
    candidates = {early_may_bank_holiday(y) for y in years} | {_new_year_bank_holiday(y) for y in years}
    candidates |= {easter_sunday(y) + timedelta(days=offset) for y in years for offset in (-2, 1)}
    candidates |= {_on_or_before(date(y, 5, 31), MONDAY) for y in years}
    candidates |= {_on_or_before(date(y, 8, 31), MONDAY) for y in years}
    return {day for day in candidates if any(term.start <= day <= term.end for term in terms)}


def school_days(terms: Sequence[TermDates]) -> list[date]:
    """Every weekday inside the half-terms, less bank holidays, in order."""
    closed = bank_holidays_in_term(terms)
    days: list[date] = []
    for term in sorted(terms, key=lambda term: term.start):
        day = term.start
        while day <= term.end:
            if day.weekday() < SATURDAY and day not in closed:
                days.append(day)
            day += timedelta(days=1)
    return days


def closed_weekdays(terms: Sequence[TermDates]) -> set[date]:
    """Weekdays from 1 September to 31 August of the terms' academic year that are not school days.

    Pass it (joined with the next year's, near the end of a year) as ``closed_days`` to
    ``ehcp.rules.add_school_days`` to count school days, e.g. for the common transfer file (C1).
    """
    year = academic_year_of(min(term.start for term in terms))
    open_days = set(school_days(terms))
    day, last = academic_year_bounds(year)
    closed: set[date] = set()
    while day <= last:
        if day.weekday() < SATURDAY and day not in open_days:
            closed.add(day)
        day += timedelta(days=1)
    return closed
