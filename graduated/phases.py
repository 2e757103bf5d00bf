"""Phases of education for access arrangements: an arrangement granted in one phase is reviewed in the next.

A year group's phase comes from the usual year ranges of school phases (`trusts.year_groups.PHASE_YEARS`):
nursery (N1-N2), primary (Reception to Year 6), secondary (Years 7 to 11) and post-16 (Year 12 on). So
Year 6 to Year 7 and Year 11 to Year 12 are new phases; Year 10 to Year 11 is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trusts.year_groups import PHASE_YEARS, YEAR_GROUPS, YEAR_INDEX

if TYPE_CHECKING:
    from pupils.models import Pupil

    from .models import AccessArrangement

PHASES = ("nursery", "primary", "secondary", "post16")
PHASE_LABELS = {"nursery": "nursery", "primary": "primary", "secondary": "secondary", "post16": "post-16"}
SECONDARY_PHASES = frozenset({"secondary", "post16"})
YEAR_LABELS = dict(YEAR_GROUPS)
# Reminders of an arrangement's review start this many days before its review date.
REMIND_DAYS = 30


def _build() -> dict[str, str]:
    found: dict[str, str] = {}
    for phase in PHASES:
        first, last = PHASE_YEARS[phase]
        for code, _label in YEAR_GROUPS[YEAR_INDEX[first] : YEAR_INDEX[last] + 1]:
            found[code] = phase
    for code, _label in YEAR_GROUPS[YEAR_INDEX[PHASE_YEARS["post16"][1]] + 1 :]:
        found[code] = "post16"  # Year 14 and beyond: still post-16
    return found


PHASE_OF_YEAR = _build()


def phase_of_year(year_group: str) -> str:
    """The phase of a year group code ("" when unknown).

    >>> phase_of_year("6"), phase_of_year("7"), phase_of_year("11"), phase_of_year("12"), phase_of_year("R")
    ('primary', 'secondary', 'secondary', 'post16', 'primary')
    """
    return PHASE_OF_YEAR.get(year_group, "")


def years_in(phase: str) -> list[str]:
    return [code for code, p in PHASE_OF_YEAR.items() if p == phase]


def phase_review_reason(arrangement: AccessArrangement, pupil: Pupil) -> str:
    """Why a granted arrangement needs review because the pupil is in a new phase ("" when they are not)."""
    now = phase_of_year(pupil.year_group)
    if arrangement.status != "granted" or not arrangement.phase or not now or now == arrangement.phase:
        return ""
    then = YEAR_LABELS.get(arrangement.granted_year_group, PHASE_LABELS[arrangement.phase])
    return (
        f"Granted in {then} ({PHASE_LABELS[arrangement.phase]}): not yet confirmed for {PHASE_LABELS[now]} "
        f"(now {pupil.get_year_group_display()})."
    )
