"""Disclosure control: the rules of `reports.disclosure`, a property that no hidden figure can be worked out,
and every page that takes figures out of casework read back as a reader would, trying to work them out."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import io
import pickle
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from reports import disclosure as dc
from tests.factories import make_pupil

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)  # a Monday well inside the autumn term
TODAY = NOW.date()


# The rules -----------------------------------------------------------------------------------------


def test_the_worked_examples_in_the_module_hold() -> None:
    result = doctest.testmod(dc)
    assert result.attempted >= 15 and result.failed == 0


def test_counts_from_1_to_4_are_shown_as_fewer_than_5_and_0_as_0() -> None:
    assert [dc.suppress_count(n) for n in (0, 1, 2, 3, 4, 5, 12)] == ["0"] + ["fewer than 5"] * 4 + ["5", "12"]
    assert dc.suppress_count(3).number is None and dc.suppress_count(12).number == 12
    assert dc.suppress_count(None) == "–"


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (5, 6, "hidden"),  # 83% would give away the one pupil short
        (1, 20, "hidden"),
        (16, 20, "hidden"),  # 4 not
        (3, 4, "hidden"),
        (6, 20, "30%"),
        (1, 8, "hidden"),
        (5, 40, "13%"),  # 12.5 rounds half up
        (27, 200, "14%"),  # 13.5
        (0, 20, "0%"),
        (20, 20, "100%"),
        (0, 0, "–"),
    ],
)
def test_a_percentage_is_hidden_when_its_parts_or_their_difference_are_1_to_4(part, whole, shown) -> None:
    assert dc.suppress_share(part, whole) == shown


def test_a_percentage_is_hidden_when_a_count_it_gives_back_is_hidden() -> None:
    hidden = dc.protect_table([[8], [3]], total_row=[11]).rows[0][0]
    assert hidden == "hidden"
    assert dc.suppress_share(8, 20, depends_on=[hidden]) == "hidden"


def test_figures_survive_the_cache() -> None:
    figure = dc.suppress_share(6, 20)
    back = pickle.loads(pickle.dumps(figure, protocol=pickle.HIGHEST_PROTOCOL))
    assert (back, back.number, back.hidden, type(back)) == ("30%", 30, False, dc.Figure)


def test_one_hidden_cell_in_a_column_hides_the_next_smallest() -> None:
    table = dc.protect_table([[40, 2], [9, 0], [7, 12], [3, 30]], total_row=[59, 44])
    # Column 1: 59 - 40 - 9 would give the 3 back, so the 7 goes too. Column 2: 44 - 30 - 0 would give
    # the 2 back; the 0 is no cover (a hidden 0 reads back as 0), so the 12 goes.
    assert [[str(c) for c in row] for row in table.rows] == [
        ["40", "fewer than 5"],
        ["9", "0"],
        ["hidden", "hidden"],
        ["fewer than 5", "30"],
    ]
    assert table.total_row == ["59", "44"]


def test_rows_and_columns_with_totals_are_both_protected() -> None:
    table = dc.protect_table([[5, 1], [0, 2]], row_totals=[6, 2], total_row=[5, 3], grand_total=8)
    cells = [c for row in table.rows for c in row] + table.row_totals + table.total_row
    assert all(_published(c) is None for c in cells if c.hidden)
    assert table.rows[0][0] == "hidden"  # 6 - 5 would give the 1 back


# The property: nothing hidden can be worked out ---------------------------------------------------


def _range(figure: dc.Figure, cap: int) -> set[int]:
    """What the label tells a reader who knows the rules (counts above `cap` left out: see below)."""
    if not figure.hidden:
        return {int(figure.number or 0)}
    if figure == dc.FEWER_THAN_5:
        return {1, 2, 3, 4}
    return set(range(dc.SMALLEST_SHOWN, cap))


def _sums(ranges: list[set[int]], cap: int) -> set[int]:
    result = {0}
    for r in ranges:
        result = {a + b for a in result for b in r if a + b < cap}
    return result


def _recoverable(cells: list[dc.Figure], total: dc.Figure, cap: int) -> list[int]:
    """Brute force, independent of the module: for each hidden member of a line (cells adding up to a
    total), every value consistent with the published figures; a hidden member with only one is given
    away. Returns the positions given away (len(cells) for the total). Values of `cap` and over are not
    tried: a cap above the true total can only make this stricter (fewer alternatives found)."""
    members = [*cells, total]
    given_away = []
    for h, figure in enumerate(members):
        if not figure.hidden:
            continue
        others = [_range(f, cap) for i, f in enumerate(cells) if i != h]
        if h == len(cells):
            possible = _range(total, cap) & _sums(others, cap)
        else:
            sums = _sums(others, cap)
            totals = _range(total, cap)
            possible = {x for x in _range(figure, cap) if any(x + s in totals for s in sums)}
        if len(possible) == 1:
            given_away.append(h)
    return given_away


def _published(figure: dc.Figure) -> int | None:
    return figure.number if not figure.hidden else None


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda rows: st.integers(min_value=1, max_value=3).flatmap(
        lambda cols: st.lists(
            st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 14, 30]), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(rows=tables, with_row_totals=st.booleans())
def test_no_hidden_cell_can_be_worked_out_from_any_published_total(rows, with_row_totals) -> None:
    column_totals = [sum(col) for col in zip(*rows, strict=True)]
    row_totals = [sum(row) for row in rows] if with_row_totals else None
    table = dc.protect_table(
        rows,
        total_row=column_totals,
        row_totals=row_totals,
        grand_total=sum(column_totals) if with_row_totals else None,
    )
    lines = [([row[j] for row in table.rows], table.total_row[j]) for j in range(len(column_totals))]
    if with_row_totals:
        assert table.grand_total is not None
        lines += list(zip(table.rows, table.row_totals, strict=True))
        lines += [(table.row_totals, table.grand_total), (table.total_row, table.grand_total)]
    cap = 2 * sum(v for row in rows for v in row) + 12
    for cells, total in lines:
        hidden = [c for c in [*cells, total] if c.hidden]
        if all(c == dc.FEWER_THAN_5 for c in hidden) and len(hidden) == 5 and total.hidden:
            continue  # four counts of exactly 1 under a total below 5: documented, nothing left to hide
        # Subtraction from a published total, the plain attack; then every value the labels allow.
        assert not (not total.hidden and len(hidden) == 1), (rows, cells, total)
        assert _recoverable(cells, total, cap) == [], (rows, [str(c) for c in cells], str(total))
    # Primary suppression everywhere, and nothing shown that differs from the count.
    flat = [v for row in rows for v in row]
    shown = [c for row in table.rows for c in row]
    for value, figure in zip(flat, shown, strict=True):
        assert figure.hidden == (figure != str(value))
        if 0 < value < 5:
            assert figure == dc.FEWER_THAN_5


# The pages, read as a reader would ------------------------------------------------------------------


class _Page(HTMLParser):
    """Tables (rows of cell texts) and summary lists (each term with its values) of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.terms: dict[str, list[str]] = {}
        self._text: list[str] | None = None
        self._term = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th", "dt", "dd"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("td", "th", "dt", "dd") or self._text is None:
            return
        text = " ".join("".join(self._text).split())
        self._text = None
        if tag in ("td", "th") and self.tables:
            self.tables[-1][-1].append(text)
        elif tag == "dt":
            self._term = text
        elif tag == "dd":
            self.terms.setdefault(self._term, []).append(text)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def table_with(self, heading: str) -> list[list[str]]:
        return next(t for t in self.tables if t and heading in t[0])


def _number(text: str) -> int | None:
    return int(text.replace(",", "")) if re.fullmatch(r"\d[\d,]*", text.strip()) else None


def _attack_column(cells: list[str], total: str) -> int | None:
    """What a reader works out by subtracting the visible counts from a visible total, if exactly one
    count is not shown."""
    known = _number(total)
    unknown = [c for c in cells if _number(c) is None]
    if known is None or len(unknown) != 1:
        return None
    return known - sum(_number(c) or 0 for c in cells)


def _attack_percentages(rows: list[list[str]], roll: int, count: int, share: int) -> list[int]:
    """Counts given back by a shown percentage of a shown roll where the count itself is not shown."""
    found = []
    for row in rows:
        n = _number(row[roll])
        pct = re.fullmatch(r"(\d+)%", row[share].strip())
        if n and pct and _number(row[count]) is None:
            found.append(round(int(pct.group(1)) * n / 100))
    return found


def _on_register(pupil, status, need=""):
    from register.services import change_status

    with scope(trust=pupil.trust_id):
        change_status(
            pupil=pupil,
            to_status=status,
            actor=None,
            reason="x",
            primary_need=need if status != "M" else "",
            parents_told_on=timezone.localdate() if status != "M" else None,
            check_permission=False,
        )


@pytest.fixture
def small_numbers(demo):
    """Acorn, 20 pupils. Year 3: 8 on SEN support (SLCN). Year 5: 3 on SEN support (SEMH), 2 with an EHC
    plan (ASD), 1 monitored. 3 concerns raised this year, 2 still waiting. 6 final plans due, 5 on time.
    Beech, 10 pupils in year 4: 6 on SEN support (ASD), 5 of whom had three parent meetings this year.

    Hidden values a reader must not learn: year 5's 3 and 2, SEMH's 3, the 1 monitored, the 3 raised and
    2 waiting, the 1 late plan, Beech's 1 pupil short of meetings."""
    from ehcp.deadlines import meet_deadline, open_deadline
    from graduated.models import ParentMeeting
    from register.models import CauseForConcern
    from tests.permission_cases.reviews import make_plan

    with time_machine.travel(NOW, tick=False):
        year3 = [make_pupil(demo.acorn, year_group="3") for _ in range(10)]
        year5 = [make_pupil(demo.acorn, year_group="5") for _ in range(8)]
        for p in year3[:8]:
            _on_register(p, "K", "SLCN")
        for p in year5[:3]:
            _on_register(p, "K", "SEMH")
        for _ in range(2):  # an EHC plan is recorded in the EHC section; the register follows (ASD)
            make_plan(demo, demo.acorn, year_group="5")
        _on_register(year5[5], "M")
        beech = [make_pupil(demo.beech, year_group="4") for _ in range(10)]
        for p in beech[:6]:
            _on_register(p, "K", "ASD")
        senco = demo.user("senco.acorn@oak.test")
        with scope(trust=demo.oak.pk):
            for p in beech[:5]:
                for i in range(3):
                    ParentMeeting.objects.create(
                        trust=demo.oak,
                        school=demo.beech,
                        pupil=p,
                        recorded_by=senco,
                        held_on=TODAY - timedelta(days=i),
                        attendees="Mother",
                    )
            for i, p in enumerate(year3[:3]):
                CauseForConcern.objects.create(
                    trust=demo.oak,
                    school=demo.acorn,
                    pupil=p,
                    raised_by=senco,
                    observations="x",
                    noticed_since=TODAY,
                    strategies_tried="x",
                    strategies_effect="x",
                    status="new" if i < 2 else "in_progress",
                    triaged_at=None if i < 2 else NOW + timedelta(days=2),
                )
            for n in range(6):
                d = open_deadline(
                    rule_id="A6",
                    trigger_date=dt.date(2026, 1, 5),
                    school=demo.acorn,
                    pupil=year3[n],
                    subject_type="needs_assessment",
                    subject_id=500 + n,
                    actor=None,
                )
                meet_deadline(deadline=d, met_on=dt.date(2026, 5, 1) if n < 5 else dt.date(2026, 6, 10), actor=None)
    return demo


RULES = 'Numbers from 1 to 4 are shown as "fewer than 5", and other figures that would let you work them out'


def _assert_concerns_hidden(text: str) -> None:
    text = " ".join(text.split())
    assert re.search(r"\b3 raised", text) is None and re.search(r"\b2 waiting", text) is None
    assert "fewer than 5 raised" in text and "fewer than 5 waiting" in text
    assert "half were decided within" not in text  # one decision: its wait is that family's


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("url", ["/", "/figures/school/"])
def test_governor_pages_hide_small_numbers_and_what_would_give_them_away(small_numbers, url) -> None:
    response = small_numbers.client_for("governor.acorn@oak.test").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    page = _Page(html)
    headline = page.terms
    years = page.table_with("K and E %")[1:]
    needs = page.table_with("Primary need")[1:]
    # What a reader can work out: by subtraction from the headline, and from a percentage of a roll.
    for column, total in ((2, headline["On SEN support (K)"][0]), (3, headline["With an EHC plan (E)"][0])):
        assert _attack_column([r[column] for r in years], total) is None
        assert _attack_column([r[column - 1] for r in needs], total) is None
    assert _attack_percentages(years, roll=1, count=2, share=4) == []
    _assert_concerns_hidden(re.sub(r"<[^>]+>", " ", html))
    assert "83%" not in html and "83.3%" not in html and "5 of 6" not in html
    compliance = {r[0]: r[1] for r in page.table_with("Measure")[1:]}
    # 5 on time and 1 late: hiding the 5 is not enough ("hidden" is 5 or more, so 6 - hidden is at most 1).
    assert compliance["Statutory deadlines due in the period"] == "hidden"
    assert compliance["Met within the statutory time limit"] == "hidden"
    assert compliance["Final EHC plans within 20 weeks (including exceptions)"] == "hidden"
    # What is shown, and how.
    assert headline["On SEN support (K)"][0] == "11" and headline["On SEN support (K)"][1].startswith("55% of pupils")
    assert headline["With an EHC plan (E)"][0] == "fewer than 5"
    assert headline["With an EHC plan (E)"][1].startswith("Percentage hidden")  # 10% of 20 would give back 2
    assert headline["Being monitored"][0] == "fewer than 5"
    assert [r[2:] for r in years] == [["hidden", "0", "hidden"], ["fewer than 5", "fewer than 5", "hidden"]]
    assert {r[0]: r[1] for r in needs}["Social, emotional and mental health (SEMH)"] == "fewer than 5"
    assert RULES in html


@time_machine.travel(NOW, tick=False)
def test_trust_figures_and_their_csvs_hide_small_numbers_and_what_would_give_them_away(small_numbers) -> None:
    client = small_numbers.client_for("trustee@oak.test")
    html = client.get(reverse("reports:trust_dashboard")).content.decode()
    page = _Page(html)
    schools = {r[0]: r for r in page.table_with("Monitoring")[1:]}
    acorn, beech = schools["Acorn Primary"], schools["Beech Academy"]
    k_total, e_total = page.terms["SEN support (K)"][0], page.terms["EHC plan (E)"][0]
    years = page.table_with("K and E %")[1:]
    needs = page.table_with("Primary need")[1:]
    for total, school_col, year_col, need_col in ((k_total, 3, 2, 1), (e_total, 5, 3, 2)):
        assert _attack_column([acorn[school_col], beech[school_col]], total) is None
        assert _attack_column([r[year_col] for r in years], total) is None
        assert _attack_column([r[need_col] for r in needs], total) is None
    assert _attack_percentages(years, roll=1, count=2, share=4) == []
    assert beech[8] == "hidden"  # 5 of Beech's 6 had three meetings: 83% would give away the one short
    assert "83%" not in html and "83.3%" not in html and "5 of 6" not in html
    _assert_concerns_hidden(re.sub(r"<[^>]+>", " ", html))
    # Compliance: every deadline is Acorn's, 5 of 6 on time; the trust's figures would give the one late.
    summary = {r[0]: r[1] for t in page.tables for r in t if r and r[0].startswith(("Statutory", "Met within"))}
    assert summary["Met within the statutory time limit"] == "hidden"
    by_school = {r[0]: r for r in page.table_with("Deadlines due")[1:]}
    assert _attack_column([r[1] for r in by_school.values()], summary["Statutory deadlines due in the period"]) is None

    def table(name: str) -> list[list[str]]:
        text = client.get(reverse("reports:trust_csv", args=[name])).content.decode().lstrip("\ufeff")
        return list(csv.reader(io.StringIO(text)))

    years_csv = table("years")[1:]
    assert _attack_column([r[2] for r in years_csv], k_total) is None
    assert _attack_percentages(years_csv, roll=1, count=2, share=4) == []
    needs_csv = table("needs")[1:]
    assert _attack_column([r[2] for r in needs_csv], k_total) is None
    rows = {r[0]: r for r in table("schools")[1:]}
    assert rows["Beech Academy"][8] == "hidden"
    for name in ("schools", "years", "needs", "compliance", "trend"):
        text = " ".join(",".join(r) for r in table(name))
        assert "83%" not in text and "83.3%" not in text and ".0%" not in text
    # What is shown, and how.
    assert acorn[1:7] == ["20", "fewer than 5", "11", "55%", "fewer than 5", "hidden"]
    assert beech[1:7] == ["10", "0", "6", "hidden", "0", "0%"]  # 60% of 10 would give back the 4 not
    assert acorn[8] == "0%"
    assert (k_total, e_total) == ("17", "fewer than 5")
    assert {r[0]: r[2] for r in years}["5"] == "fewer than 5"
    assert rows["Acorn Primary"][1:7] == ["20", "fewer than 5", "11", "55%", "fewer than 5", "hidden"]
    assert {r[0]: r for r in table("compliance")[1:]}["Acorn Primary"][1:3] == ["hidden", "hidden"]
    assert RULES in html


def _board_text(demo) -> str:
    from reports.models import BoardReport
    from reports.tasks import render_board_report

    client = demo.client_for("trustee@oak.test")
    with scope(trust=demo.oak.pk):
        report = BoardReport.objects.create(
            trust=demo.oak,
            requested_by=demo.user("trustee@oak.test"),
            period_start=TODAY - timedelta(days=365),
            period_end=TODAY,
        )
    assert render_board_report(report_id=report.pk) == "done"
    pdf = client.get(reverse("reports:board_report_download", args=[report.pk]))
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)


@time_machine.travel(NOW, tick=False)
def test_the_board_report_pdf_hides_small_numbers_and_what_would_give_them_away(small_numbers) -> None:
    flat = " ".join(_board_text(small_numbers).split())
    assert "83%" not in flat and "83.3%" not in flat and "5 of 6" not in flat
    _assert_concerns_hidden(flat)
    # Year 5's two small cells and the combined share beside them: nothing to work them out from; year
    # 4's 6 is hidden, or 17 - 8 - 6 would give back year 5's 3.
    assert "5 10 fewer than 5 fewer than 5 hidden" in flat
    assert "4 10 hidden 0 hidden" in flat
    assert "Acorn Primary 20 fewer than 5 11 55% fewer than 5 hidden" in flat
    assert "Trust 30 17 57% fewer than 5 hidden" in flat
    assert "Numbers from 1 to 4 are shown as" in flat and "Percentages are rounded to whole numbers" in flat


@time_machine.travel(NOW, tick=False)
def test_the_sen_information_report_hides_small_numbers_on_the_page_and_in_the_pdf(small_numbers) -> None:
    client = small_numbers.client_for("senco.acorn@oak.test")
    html = client.get(reverse("reports:sen_information")).content.decode()
    flat = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    pdf = client.get(reverse("reports:sen_information_pdf"))
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    # SLCN's 8 would give SEMH's 3 back from the 11 on SEN support; 10% of 20 would give back the 2 plans.
    for published in (flat, text):
        assert re.search(r"\b8 on SEN support", published) is None
        assert re.search(r"\b10(\.0)?%", published) is None
    assert "Speech, language and communication needs: hidden on SEN support" in flat
    assert "Social, emotional and mental health: fewer than 5 on SEN support" in flat
    assert "20 pupils on roll: 11 on SEN support (55%) and fewer than 5 with an EHC plan (hidden)" in flat
    assert "11 on SEN support (55%) and fewer than 5 with an EHC plan (hidden)" in text
    assert "Percentages are rounded to whole numbers" in text
    assert RULES in html


def test_attacks_find_what_the_old_pages_gave_away() -> None:
    """The attacks above are real: on the figures the pages printed before disclosure control they find the
    hidden counts."""
    old_years = [["3", "10", "8", "0", "80.0%"], ["5", "10", "fewer than 5", "fewer than 5", "50.0%"]]
    assert _attack_column([r[2] for r in old_years], "11") == 3
    assert _attack_percentages([["Beech", "6", "fewer than 5", "83%"]], roll=1, count=2, share=3) == [5]
