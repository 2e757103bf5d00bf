"""Disclosure control: the one place that decides which figures may leave casework.

Every number a governor, a trustee, the board or the public reads (their home pages, the school and trust
figures, the trust CSVs, the board report PDF, the SEN information report) is made here from raw counts.
Nothing else in the project suppresses a number; `docs/figures-and-privacy.md` states the same rules for
the people who read the figures.

The rules (the practice of DfE and ONS statistical releases, for groups as small as one school's year):

1. Primary suppression. A count from 1 to 4 could identify a child: it is shown as "fewer than 5".
   0 is shown as 0 (nobody is identified by nobody).
2. Secondary suppression. Where counts add up to a total that is also published (schools to the trust,
   types of need or year groups to the pupils on SEN support, on-time and late to the deadlines due), no
   hidden count may be worked out from the total and the counts shown. A line (the counts and their total)
   with exactly one hidden figure gives it away by subtraction; two hidden counts that can only be 4 and
   4 give themselves away by their sum. In either case the next smallest count in the line is hidden too
   (shown as "hidden"), or, when there is none, the total. Zeros are never hidden in their stead: a
   hidden 0 would be read back as 0.
3. Percentages. A percentage is hidden whenever its numerator, its denominator or their difference is
   1 to 4 ("5 of 6" would show 83% and give away the one pupil short), or a count it would let a reader
   work out is hidden. Shown percentages are rounded to whole numbers (half up).
4. Averages. An average over fewer than 5 pupils is one family's figure: it is not shown. Nor is a median or
   a longest wait over fewer than 5 cases (`suppress_days`).

What a reader is assumed to know: every published figure, and these rules (so that "fewer than 5" means 1
to 4 and "hidden" means 0 or at least 5). Lines are checked one at a time, as the rule above says; the
one case it cannot mend is four counts of exactly 1 whose total is itself below 5 (all of them are hidden
already, nothing is left to hide).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SMALLEST_SHOWN = 5
FEWER_THAN_5 = "fewer than 5"
HIDDEN = "hidden"
NOTHING = "–"  # nothing to show: no pupils to take a percentage of, no value at all

_INF = float("inf")


class Figure(str):
    """A figure as it may be published: the text itself, so a template or a CSV row prints it as it is.

    `number` is the published value, for charts (None when hidden or when there is nothing to show);
    `hidden` says whether a value was held back. The true value of a hidden figure is not kept.

    >>> f = suppress_count(3)
    >>> (str(f), f.number, f.hidden)
    ('fewer than 5', None, True)
    """

    number: int | None
    hidden: bool

    def __new__(cls, text: str, number: int | None = None, hidden: bool = False) -> Figure:
        figure = super().__new__(cls, text)
        figure.number = number
        figure.hidden = hidden
        return figure

    def __getnewargs__(self) -> tuple[str, int | None, bool]:  # type: ignore[override]
        # The trust figures are cached (pickled): keep the number and the flag across the round trip.
        return (str(self), self.number, self.hidden)

    def __repr__(self) -> str:
        return f"Figure({str(self)!r}, number={self.number!r}, hidden={self.hidden!r})"


def is_small(n: int) -> bool:
    """1 to 4: the counts that could identify a child (0 cannot)."""
    return 0 < n < SMALLEST_SHOWN


def shown(n: int) -> Figure:
    """A count that may be published as it is (already checked by the caller or by `protect_table`)."""
    return Figure(str(n), n)


def suppress_count(n: int | None) -> Figure:
    """Primary suppression of one count that adds up to nothing else on the page.

    >>> [str(suppress_count(n)) for n in (None, 0, 1, 4, 5, 12)]
    ['–', '0', 'fewer than 5', 'fewer than 5', '5', '12']
    """
    if n is None:
        return Figure(NOTHING)
    if is_small(n):
        return Figure(FEWER_THAN_5, hidden=True)
    return shown(n)


def percent(part: int, whole: int) -> int:
    """`part` as a whole-number percentage of `whole`, halves rounded up (Python's round() would send
    12.5 to 12 and 13.5 to 14; readers expect both to go up).

    >>> percent(1, 8), percent(5, 6), percent(6, 20)
    (13, 83, 30)
    """
    value = Decimal(100 * part) / Decimal(whole)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def suppress_share(part: int, whole: int, *, depends_on: Iterable[Figure] = ()) -> Figure:
    """`part` of `whole` as a whole-number percentage, or hidden (rule 3).

    `depends_on`: the published figures the percentage would let a reader work out (its numerator and
    denominator as printed). If any is hidden, so is the percentage: 30% of a roll of 20 gives back 6.

    >>> [str(suppress_share(p, w)) for p, w in ((6, 20), (0, 20), (3, 20), (5, 6), (6, 6), (1, 0))]
    ['30%', '0%', 'hidden', 'hidden', '100%', '–']
    >>> str(suppress_share(12, 40, depends_on=[Figure(HIDDEN, hidden=True)]))
    'hidden'
    """
    if whole <= 0:
        return Figure(NOTHING)
    if is_small(part) or is_small(whole) or is_small(whole - part) or any(f.hidden for f in depends_on):
        return Figure(HIDDEN, hidden=True)
    value = percent(part, whole)
    return Figure(f"{value}%", value)


def suppress_average(total: Decimal, count: int, *, text: str = "{:,}") -> Figure:
    """The average of `total` over `count` pupils, to the whole unit, only over 5 pupils or more (rule 4).

    >>> [str(suppress_average(Decimal(t), n, text="£{:,}")) for t, n in (("1755", 5), ("900", 3), ("0", 0))]
    ['£351', 'hidden', '–']
    """
    if count <= 0:
        return Figure(NOTHING)
    if count < SMALLEST_SHOWN:
        return Figure(HIDDEN, hidden=True)
    value = int((total / count).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Figure(text.format(value), value)


def suppress_days(days: float | None, over: int) -> Figure:
    """A median or a longest number of days taken over `over` cases (the local authority's record), only over
    5 cases or more: over fewer it is one family's wait (rule 4, as for averages). Halves are kept.

    >>> [str(suppress_days(d, n)) for d, n in ((12, 6), (3.5, 8), (40, 2), (None, 0))]
    ['12 days', '3.5 days', 'hidden', '–']
    """
    if days is None or over <= 0:
        return Figure(NOTHING)
    if over < SMALLEST_SHOWN:
        return Figure(HIDDEN, hidden=True)
    return shown_days(days)


def shown_days(days: float) -> Figure:
    """A number of days as it is printed: "1 day", "12 days", "3.5 days"."""
    number = int(days) if float(days).is_integer() else days
    return Figure(f"{number} day" if number == 1 else f"{number} days", int(days))


def ratio(part: Figure, whole: Figure, share: Figure, *, rest: int, empty: str = NOTHING) -> Figure:
    """ "part of whole (share)", from figures already protected together (see `suppress_ratio`).

    When the share is hidden only because `part` is 1 to 4, the reader may still learn "fewer than 5 of
    20"; anything else that is hidden hides the whole ratio. `rest` is whole minus part (never printed).
    """
    if whole.number == 0:
        return Figure(empty)
    if not share.hidden and not part.hidden and not whole.hidden:
        return Figure(f"{part} of {whole} ({share})", part.number)
    if str(part) == FEWER_THAN_5 and not whole.hidden and rest >= SMALLEST_SHOWN:
        return Figure(f"{FEWER_THAN_5} of {whole}", hidden=True)
    return Figure(HIDDEN, hidden=True)


def suppress_ratio(part: int, whole: int, *, within: tuple[int, int] | None = None, empty: str = NOTHING) -> Figure:
    """ "5 of 8 (63%)", or as much of it as may be shown.

    `part` and `whole - part` add up to `whole`: they are protected as one line. `within`, the (part,
    whole) of a ratio published beside it that contains this one (local authority deadlines within all
    deadlines), makes the difference of the two a published figure too: if that difference is 1 to 4,
    this ratio is hidden.

    >>> [str(suppress_ratio(p, w)) for p, w in ((5, 10), (3, 20), (5, 8), (5, 6), (4, 8), (0, 0))]
    ['5 of 10 (50%)', 'fewer than 5 of 20', 'hidden', 'hidden', 'hidden', '–']
    >>> str(suppress_ratio(20, 30, within=(22, 40)))
    'hidden'
    """
    if whole <= 0:
        return Figure(empty)
    table = protect_table([[part], [whole - part]], total_row=[whole])
    (part_fig,), (rest_fig,) = table.rows
    whole_fig = table.total_row[0]
    share = suppress_share(part, whole, depends_on=[part_fig, rest_fig, whole_fig])
    if within is not None:
        outer_part, outer_whole = within
        others = (outer_part - part, (outer_whole - outer_part) - (whole - part))
        if any(is_small(n) for n in others):
            return Figure(HIDDEN, hidden=True)
    return ratio(part_fig, whole_fig, share, rest=whole - part, empty=empty)


# Tables ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A protected table: the same shape as the counts given, as figures."""

    rows: list[list[Figure]]
    total_row: list[Figure]
    row_totals: list[Figure]
    grand_total: Figure | None


def protect_table(
    rows: Sequence[Sequence[int]],
    *,
    total_row: Sequence[int] | None = None,
    row_totals: Sequence[int] | None = None,
    grand_total: int | None = None,
) -> Table:
    """Primary and secondary suppression of one table of counts (rules 1 and 2).

    `total_row[j]` is the published total of column j, `row_totals[i]` that of row i, `grand_total` the
    total of both (each must be the exact sum of its cells). Leave out a total the page does not publish.

    Worked example: pupils on SEN support by year group, adding up to the 11 of the headline.

    >>> t = protect_table([[8], [3]], total_row=[11])
    >>> [[str(c) for c in row] for row in t.rows], [str(c) for c in t.total_row]
    ([['hidden'], ['fewer than 5']], ['11'])

    Without the second figure hidden, 11 - 8 would give back the 3. Two small counts that can only be
    4 and 4 are given away by their total, so that is hidden instead:

    >>> [str(c) for c in protect_table([[4], [4]], total_row=[8]).total_row]
    ['hidden']
    """
    return protect_tables([rows], total_row=total_row, row_totals=[row_totals], grand_total=grand_total)[0]


def protect_tables(
    tables: Sequence[Sequence[Sequence[int]]],
    *,
    total_row: Sequence[int] | None = None,
    row_totals: Sequence[Sequence[int] | None] | None = None,
    grand_total: int | None = None,
) -> list[Table]:
    """Several tables whose columns add up to the same published totals, protected together: a total hidden
    for one table is hidden on every table (and wherever else the page prints it). Each returned table
    carries the shared total row (and its own row totals, given in `row_totals` in the same order).

    >>> needs, years = protect_tables([[[10], [2]], [[6], [6]]], total_row=[12])
    >>> [str(r[0]) for r in needs.rows], [str(r[0]) for r in years.rows], str(needs.total_row[0])
    (['hidden', 'fewer than 5'], ['6', '6'], '12')
    """
    values: list[int] = []
    lines: list[tuple[list[int], int]] = []
    column_totals: list[int] = []
    if total_row is not None:
        for n in total_row:
            column_totals.append(len(values))
            values.append(n)
    grand_index = None
    if grand_total is not None:
        grand_index = len(values)
        values.append(grand_total)
    layout: list[tuple[list[list[int]], list[int]]] = []
    for t, table in enumerate(tables):
        cells = []
        for row in table:
            cells.append(list(range(len(values), len(values) + len(row))))
            values.extend(row)
        own_totals = (row_totals[t] if row_totals is not None else None) or []
        totals_index = list(range(len(values), len(values) + len(own_totals)))
        values.extend(own_totals)
        layout.append((cells, totals_index))
        if total_row is not None:
            for j, total in enumerate(column_totals):
                lines.append(([row[j] for row in cells], total))
        for i, total in enumerate(totals_index):
            lines.append((cells[i], total))
        if totals_index and grand_index is not None:
            lines.append((totals_index, grand_index))
    if total_row is not None and grand_index is not None:
        lines.append((column_totals, grand_index))
    state = _protect(values, lines)

    def figure(i: int) -> Figure:
        if state[i] == "shown":
            return shown(values[i])
        return Figure(FEWER_THAN_5 if state[i] == "primary" else HIDDEN, hidden=True)

    shared_total = [figure(i) for i in column_totals]
    grand = figure(grand_index) if grand_index is not None else None
    return [
        Table(
            rows=[[figure(i) for i in row] for row in cells],
            total_row=shared_total,
            row_totals=[figure(i) for i in totals_index],
            grand_total=grand,
        )
        for cells, totals_index in layout
    ]


def _domain(state: str, value: int) -> tuple[float, float]:
    """What a reader who knows the rules can tell of a figure: its value, 1 to 4, or 0 or 5 and over
    (we only ever hide counts of 5 and over in the second round, so: 5 and over)."""
    if state == "shown":
        return (value, value)
    if state == "primary":
        return (1, SMALLEST_SHOWN - 1)
    return (SMALLEST_SHOWN, _INF)


def determined(values: Sequence[int], states: Sequence[str], line: tuple[Sequence[int], int]) -> bool:
    """Whether a reader can work out a hidden figure of this line exactly, from the figures shown in it, its
    total and the ranges the labels give ("fewer than 5": 1 to 4; "hidden": 5 or more). Subtraction
    from a published total is the plainest case (one figure hidden); interval reasoning finds the rest.

    >>> determined([8, 3, 11], ["hidden", "primary", "shown"], ([0, 1], 2))
    False
    >>> determined([8, 3, 11], ["shown", "primary", "shown"], ([0, 1], 2))
    True
    """
    cells, total = line
    members = [*cells, total]
    lo = {i: _domain(states[i], values[i])[0] for i in members}
    hi = {i: _domain(states[i], values[i])[1] for i in members}
    hidden = [i for i in members if states[i] != "shown"]
    for h in hidden:
        # sum(cells) = total, so h = (total if h is a cell, else 0) - (the other cells) + ...: bound it by
        # the other members' ranges.
        if h == total:
            low = sum(lo[i] for i in cells)
            high = sum(hi[i] for i in cells)
        else:
            others = [i for i in cells if i != h]
            low = lo[total] - sum(hi[i] for i in others)
            high = hi[total] - sum(lo[i] for i in others)
        if min(hi[h], high) - max(lo[h], low) == 0:
            return True
    return False


def _protect(values: Sequence[int], lines: Sequence[tuple[Sequence[int], int]]) -> list[str]:
    """The state of each figure ("shown", "primary" or "secondary") after rules 1 and 2; stops when no line
    gives a hidden figure away, or when a line that does has nothing left to hide."""
    states = ["primary" if is_small(v) else "shown" for v in values]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not determined(values, states, line):
                continue
            cells, total = line
            candidates = [i for i in cells if states[i] == "shown" and values[i] > 0]
            if candidates:
                states[min(candidates, key=lambda i: (values[i], i))] = "secondary"
                changed = True
            elif states[total] == "shown" and values[total] > 0:
                states[total] = "secondary"
                changed = True
    return states


def suppress_delivery_rate(delivered: Decimal, promised: Decimal, *, pupils: int) -> Figure:
    """The share of the hours EHC plans promised that were delivered, as a whole percentage: an average over
    the pupils' hours, so (rule 4) not shown for fewer than 5 pupils. Hours themselves are never published
    beside it, so no pupil's hours can be worked out from a school's rate and the trust's.

    >>> [str(suppress_delivery_rate(Decimal(90), Decimal(100), pupils=n)) for n in (0, 3, 5)]
    ['–', 'hidden', '90%']
    """
    if pupils <= 0 or promised <= 0:
        return Figure(NOTHING)
    if pupils < SMALLEST_SHOWN:
        return Figure(HIDDEN, hidden=True)
    percent = int((delivered * 100 / promised).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Figure(f"{percent}%", percent)
