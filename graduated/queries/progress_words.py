"""An outcome's progress in plain words, for parents: "Sam's score went from 12 in September to 18 in March.
The target is 25 by July." The numbers are the same as the chart's and the table's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ..charts import Point


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _month(d: date, *, with_year: bool) -> str:
    return f"{d:%B %Y}" if with_year else f"{d:%B}"


def progress_words(*, name: str, points: Sequence[Point], target: Decimal | None, target_by: date | None) -> str:
    """One or two short sentences. Months only, with the year when the dates fall in different years."""
    dates = [p.when for p in points] + ([target_by] if target_by and target is not None else [])
    with_year = len({d.year for d in dates}) > 1
    if not points:
        sentence = f"There are no scores for {name} yet."
    elif len(points) == 1:
        only = points[0]
        sentence = f"{name}'s score was {_num(only.value)} in {_month(only.when, with_year=with_year)}."
    else:
        first, last = points[0], points[-1]
        start, end = _month(first.when, with_year=with_year), _month(last.when, with_year=with_year)
        if last.value == first.value:
            sentence = f"{name}'s score was {_num(first.value)} in {start}, and still {_num(last.value)} in {end}."
        else:
            sentence = f"{name}'s score went from {_num(first.value)} in {start} to {_num(last.value)} in {end}."
    if target is not None:
        by = f" by {_month(target_by, with_year=with_year)}" if target_by else ""
        sentence += f" The target is {_num(target)}{by}."
    return sentence
