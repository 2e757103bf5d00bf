"""Calendar arithmetic every app shares: months and the academic year. One definition each.

The statutory periods (weeks, school days, "within 12 months") are in ehcp/rules.py and build on these.
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(d: date, n: int) -> date:
    """The same day number ``n`` months later (or earlier), clamped to the end of a shorter month.

    12 October + 6 months is 12 April; 31 August + 6 months is 28 (or 29) February; 31 March - 1 month is
    28 (or 29) February.
    """
    month_index = d.year * 12 + d.month - 1 + n
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last_day))


def academic_year_of(d: date) -> int:
    """The academic year containing ``d``, named by its starting year (1 September starts a year).

    31 August 2026 is in 2025 (2025/26); 1 September 2026 is in 2026 (2026/27).
    """
    return d.year if d.month >= 9 else d.year - 1


def academic_year_bounds(academic_year: int) -> tuple[date, date]:
    """First and last day of an academic year: 2025 -> 1 September 2025 to 31 August 2026."""
    return date(academic_year, 9, 1), date(academic_year + 1, 8, 31)


def academic_year_start(d: date) -> date:
    """1 September of the academic year containing ``d``."""
    return academic_year_bounds(academic_year_of(d))[0]
