"""How many hours a week a section F provision line promises, from its hours and its frequency.

A plan says "2 hours weekly", "30 minutes daily" (hours 0.5), "6 hours each term". Promised hours are
compared with what a school delivers week by week, so every line is brought to hours per school week:

| the frequency says | hours per school week |
|---|---|
| daily, every day, each day, a day | hours × 5 |
| weekly, a week, per week, each week | hours |
| twice weekly, twice a week | hours × 2 (and "three times", "four times"…) |
| fortnightly, every two weeks | hours ÷ 2 |
| each half term, half-termly | hours ÷ 6.5 (a half term is about 6½ school weeks) |
| termly, a term, per term | hours ÷ 13 (a term is about 13 school weeks) |
| yearly, annually, a year | hours ÷ 39 (a school year is 39 weeks) |

Anything else ("as needed", "regularly", no hours) is not quantified and counts for nothing: the plan-wording
check calls it out, and the delivery figures say "not quantified" rather than guess.
"""

from __future__ import annotations

import re
from decimal import Decimal

SCHOOL_WEEKS_IN_TERM = Decimal(13)
SCHOOL_WEEKS_IN_HALF_TERM = Decimal("6.5")
SCHOOL_WEEKS_IN_YEAR = Decimal(39)
TIMES = {"once": 1, "twice": 2, "three times": 3, "four times": 4, "five times": 5}

# (pattern, sessions per week or weeks per session): checked in this order, the first match wins.
_PER_WEEK: list[tuple[re.Pattern[str], Decimal]] = [
    (re.compile(r"\b(daily|every day|each day|a day|per day|every school day)\b"), Decimal(5)),
    (re.compile(r"\b(fortnight(ly)?|every (two|2) weeks)\b"), Decimal("0.5")),
    (re.compile(r"\b(half[- ]term(ly)?)\b"), 1 / SCHOOL_WEEKS_IN_HALF_TERM),
    (re.compile(r"\b(termly|a term|per term|each term|every term)\b"), 1 / SCHOOL_WEEKS_IN_TERM),
    (re.compile(r"\b(yearly|annually|a year|per year|each year|per annum)\b"), 1 / SCHOOL_WEEKS_IN_YEAR),
    (re.compile(r"\b(weekly|a week|per week|each week|every week)\b"), Decimal(1)),
]
_TIMES = re.compile(r"\b(once|twice|three times|four times|five times|(\d+) times)\b")


def weekly_hours(hours: Decimal | None, frequency: str) -> Decimal | None:
    """Hours per school week the line promises, or None when it is not quantified.

    >>> weekly_hours(Decimal("1"), "Daily")
    Decimal('5')
    >>> weekly_hours(Decimal("0.5"), "three times a week")
    Decimal('1.5')
    >>> weekly_hours(Decimal("6.5"), "each half term")
    Decimal('1')
    >>> weekly_hours(None, "weekly") is None and weekly_hours(Decimal(2), "as needed") is None
    True
    """
    if hours is None or hours <= 0:
        return None
    text = frequency.strip().lower()
    for pattern, per_week in _PER_WEEK:
        if pattern.search(text):
            times = _TIMES.search(text)
            count = Decimal(1)
            if times:
                count = Decimal(times[2]) if times[2] else Decimal(TIMES[times[1]])
            return (hours * per_week * count).quantize(Decimal("0.0001")).normalize()
    return None
