"""The local authority's record as its pages print it: full numbers for the casework roles, and for trustees
the same tables with small numbers suppressed by `reports.disclosure` (nothing here decides what is small).

Each LA has one table for the academic year chosen: a row per code whose cells (on time, late, overdue, not
yet due, exception) add up to the code's deadlines due, and a total row; and one row per academic year for
"over time". The chosen year's row over time is the table's total row itself (the same figures, protected
once), so neither can be used to work out what the other hides. Years add up to nothing published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ehcp.rules import RULES, Rule

from . import disclosure as dc
from .la_record import LA_CODES, Counts, LaRecord, year_label


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[dc.Figure]  # on time, late, overdue, not yet due, exception
    due: dc.Figure
    median: dc.Figure
    worst: dc.Figure
    rule: Rule | None = None


@dataclass(frozen=True)
class LaTable:
    name: str
    codes: list[Row]
    total: Row
    years: list[Row]
    missed: int  # late or overdue in the year chosen (exact: says whether a letter would have content)


def _days(counts: Counts, *, protect: bool) -> tuple[dc.Figure, dc.Figure]:
    if protect:
        return (dc.suppress_days(counts.median_days, counts.missed), dc.suppress_days(counts.worst_days, counts.missed))
    median, worst = counts.median_days, counts.worst_days
    return (
        dc.shown_days(median) if median is not None else dc.Figure(dc.NOTHING),
        dc.shown_days(worst) if worst is not None else dc.Figure(dc.NOTHING),
    )


def _row(
    label: str, counts: Counts, cells: list[dc.Figure], due: dc.Figure, *, protect: bool, rule: Rule | None = None
) -> Row:
    median, worst = _days(counts, protect=protect)
    return Row(label=label, cells=cells, due=due, median=median, worst=worst, rule=rule)


def _plain(counts: Counts) -> tuple[list[dc.Figure], dc.Figure]:
    return [dc.shown(n) for n in counts.cells()], dc.shown(counts.due)


def la_table(record: LaRecord, *, year: int, years: list[int], protect: bool) -> LaTable:
    codes = record.year(year)
    total = record.total(year)
    if protect:
        table = dc.protect_table(
            [codes[code].cells() for code in LA_CODES],
            row_totals=[codes[code].due for code in LA_CODES],
            total_row=total.cells(),
            grand_total=total.due,
        )
        assert table.grand_total is not None
        code_cells = list(zip(table.rows, table.row_totals, strict=True))
        total_cells: tuple[list[dc.Figure], dc.Figure] = (table.total_row, table.grand_total)
    else:
        code_cells = [_plain(codes[code]) for code in LA_CODES]
        total_cells = _plain(total)
    code_rows = [
        _row(code, codes[code], cells, due, protect=protect, rule=RULES[code])
        for code, (cells, due) in zip(LA_CODES, code_cells, strict=True)
    ]
    total_row = _row("All LA deadlines", total, *total_cells, protect=protect)
    over_time = []
    for y in years:
        if y == year:
            over_time.append(_row(year_label(y), total, total_row.cells, total_row.due, protect=protect))
            continue
        counts = record.total(y)
        if protect:
            line = dc.protect_table([counts.cells()], row_totals=[counts.due])
            cells, due = line.rows[0], line.row_totals[0]
        else:
            cells, due = _plain(counts)
        over_time.append(_row(year_label(y), counts, cells, due, protect=protect))
    return LaTable(name=record.name, codes=code_rows, total=total_row, years=over_time, missed=total.missed)


def la_page_tables(records: list[LaRecord], *, year: int, years: list[int], protect: bool) -> list[LaTable]:
    return [la_table(r, year=year, years=years, protect=protect) for r in records]


def chosen_year(wanted: str | None, years: list[int]) -> int:
    """The academic year asked for (?year=2025), if the record covers it; else this one."""
    try:
        value = int(wanted or "")
    except ValueError:
        return years[0]
    return value if value in years else years[0]


def period_of(year: int, today: date) -> tuple[date, date]:
    """An academic year as a letter's default period: from 1 September to today, or the whole of a past year."""
    from trusts.dates import academic_year_bounds

    start, end = academic_year_bounds(year)
    return start, min(end, today)
