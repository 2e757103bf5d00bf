"""Year groups and a school's year range: which pupils leave a school at the end of the year (R9, `ehcp`).

Pure Python, no Django models: `trusts.models.School.year_range` asks here.
"""

from __future__ import annotations

# National curriculum year groups, youngest first, as the pupil record codes them (`pupils.YearGroup`, which
# a test keeps equal to this list): a school's year range is stored in these codes.
YEAR_GROUPS: tuple[tuple[str, str], ...] = (
    ("N1", "Nursery 1"),
    ("N2", "Nursery 2"),
    ("R", "Reception"),
    *((str(n), f"Year {n}") for n in range(1, 15)),
)
YEAR_INDEX = {code: i for i, (code, _label) in enumerate(YEAR_GROUPS)}

# The usual year range of each phase (`School.Phase` values), when the trust's range and the register's ages
# are both missing. Middle, special and alternative provision have none: their range must be given.
PHASE_YEARS: dict[str, tuple[str, str]] = {
    "nursery": ("N1", "N2"),
    "infant": ("R", "2"),
    "junior": ("3", "6"),
    "primary": ("R", "6"),
    "secondary": ("7", "11"),
    "all_through": ("R", "13"),
    "post16": ("12", "13"),
}


def year_of_low_age(age: int) -> str:
    """The first year group of a school whose statutory low age is `age`: a pupil starts Reception at 4,
    Year 7 at 11 (year = age - 4; 3 is Nursery 2, 2 or younger Nursery 1, clamped to Year 14).

    >>> year_of_low_age(4), year_of_low_age(11), year_of_low_age(2)
    ('R', '7', 'N1')
    """
    return YEAR_GROUPS[max(0, min(age - 2, len(YEAR_GROUPS) - 1))][0]


def year_of_high_age(age: int) -> str:
    """The last year group of a school whose statutory high age is `age`: pupils leave Year 6 at 11, Year 11
    at 16, Year 13 at 18 (year = age - 5), clamped to Nursery 1 .. Year 14 (a plan can run to 25).

    >>> year_of_high_age(11), year_of_high_age(16), year_of_high_age(25)
    ('6', '11', '14')
    """
    return YEAR_GROUPS[max(0, min(age - 3, len(YEAR_GROUPS) - 1))][0]


def year_range(
    *, phase: str, low_age: int | None, high_age: int | None, first: str = "", last: str = ""
) -> tuple[str, str] | None:
    """(first, last) year group a school teaches, or None when nothing says (then no R9 can be opened).

    The trust's own range comes first; then the statutory ages from the register (a nursery school's are
    ignored: GIAS gives nursery schools a high age of 5, but their pupils leave from Nursery 2); then the
    usual range of the phase.

    >>> year_range(phase="middle", low_age=9, high_age=13), year_range(phase="middle", low_age=None, high_age=None)
    (('5', '8'), None)
    """
    if first and last:
        return first, last
    if phase == "nursery":
        return PHASE_YEARS["nursery"]
    if low_age is not None and high_age is not None and low_age <= high_age:
        return year_of_low_age(low_age), year_of_high_age(high_age)
    return PHASE_YEARS.get(phase)


def range_display(found: tuple[str, str] | None) -> str:
    """The range in words: "Reception to Year 6", or "not known"."""
    if found is None:
        return "not known"
    labels = dict(YEAR_GROUPS)
    return f"{labels[found[0]]} to {labels[found[1]]}"
