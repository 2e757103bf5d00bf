"""The provision map's arithmetic, in one place so the page, the CSV, the evidence pack and the tests agree.

    hours a year (each pupil) = sessions a week × minutes a session ÷ 60 × 39 school weeks
    cost a year (each pupil)  = hours a year × the staff role's hourly rate ÷ group size

39 weeks: an English school year is 195 days (190 teaching days plus 5 training days), i.e. 39
five-day weeks. Interventions run in teaching weeks, so 39 is the usual planning figure; a
provision that runs for part of the year shows its own start and end dates beside the figure.

The group's cost is shared equally by the pupils it is planned for (the group size), so a pupil in
a group of four carries a quarter of the adult's time. Schools fund the first £6,000 a year of a
pupil's additional support from their notional SEN budget before asking the local authority for
top-up funding; pupils above that are flagged.

Pure Python, no Django imports: money is Decimal, rounded to pence once, at the end.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SCHOOL_WEEKS = 39
NOTIONAL_THRESHOLD = Decimal("6000")
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")


def hours_per_year(sessions_per_week: Decimal | int, minutes_per_session: int) -> Decimal:
    """Hours of the provision each pupil gets in a school year (exact, not rounded)."""
    return Decimal(sessions_per_week) * Decimal(minutes_per_session) / Decimal(60) * SCHOOL_WEEKS


def cost_per_pupil(
    sessions_per_week: Decimal | int, minutes_per_session: int, hourly_rate: Decimal | int, group_size: int
) -> Decimal:
    """One pupil's share of a year of the provision, to the penny."""
    if group_size < 1:
        raise ValueError("A group has at least one pupil.")
    hours = hours_per_year(sessions_per_week, minutes_per_session)
    return money(hours * Decimal(hourly_rate) / Decimal(group_size))


def money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def hours(value: Decimal) -> Decimal:
    """Hours shown to one decimal place."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def over_threshold(total: Decimal) -> bool:
    return total > NOTIONAL_THRESHOLD
