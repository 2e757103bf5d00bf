from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp.rules import due_date
from trusts.calendar_defaults import (
    HALF_TERM_NAMES,
    TermDates,
    academic_year_of,
    closed_weekdays,
    default_terms,
    easter_sunday,
    half_term_end_on_or_after,
    school_days,
)

TERMS_2026 = default_terms(2026)


def test_2026_27_default_dates():
    assert TERMS_2026 == [
        TermDates("Autumn 1", date(2026, 9, 2), date(2026, 10, 23)),
        TermDates("Autumn 2", date(2026, 11, 2), date(2026, 12, 18)),
        TermDates("Spring 1", date(2027, 1, 4), date(2027, 2, 12)),
        TermDates("Spring 2", date(2027, 2, 22), date(2027, 3, 19)),
        TermDates("Summer 1", date(2027, 4, 5), date(2027, 5, 28)),
        TermDates("Summer 2", date(2027, 6, 7), date(2027, 7, 16)),
    ]


def test_2026_27_has_about_190_school_days():
    assert 185 <= len(school_days(TERMS_2026)) <= 195


@pytest.mark.parametrize("year", range(2020, 2046))
def test_half_terms_are_sensible_every_year(year):
    terms = default_terms(year)
    assert [term.name for term in terms] == list(HALF_TERM_NAMES)
    for term in terms:
        assert term.start.weekday() in {0, 1, 2}, term  # Monday to Wednesday
        assert term.end.weekday() == 4, term  # Friday
        assert term.start < term.end
    for earlier, later in zip(terms, terms[1:], strict=False):
        assert earlier.end < later.start
    assert terms[0].start >= date(year, 9, 1)
    assert terms[-1].end <= date(year + 1, 7, 22)
    assert 190 <= len(school_days(terms)) <= 200


@pytest.mark.parametrize("year", range(2020, 2046))
def test_bank_holidays_and_christmas_are_not_school_days(year):
    days = set(school_days(default_terms(year)))
    easter = easter_sunday(year + 1)
    assert date(year, 12, 25) not in days
    assert date(year + 1, 1, 1) not in days
    assert easter - timedelta(days=2) not in days  # Good Friday
    assert easter + timedelta(days=1) not in days  # Easter Monday
    first_may_monday = next(date(year + 1, 5, d) for d in range(1, 8) if date(year + 1, 5, d).weekday() == 0)
    assert first_may_monday not in days


def test_early_may_bank_holiday_is_not_a_school_day():
    assert date(2027, 5, 3) not in school_days(TERMS_2026)
    assert date(2027, 5, 4) in school_days(TERMS_2026)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2024, date(2024, 3, 31)),
        (2000, date(2000, 4, 23)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


@given(st.integers(1583, 4099))
def test_easter_is_a_sunday_between_22_march_and_25_april(year):
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 9, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 8, 31), 2026),
    ],
)
def test_academic_year_of(day, year):
    assert academic_year_of(day) == year


def test_half_term_end_for_a_day_inside_a_half_term():
    assert half_term_end_on_or_after(date(2026, 10, 1), TERMS_2026) == date(2026, 10, 23)
    assert half_term_end_on_or_after(date(2026, 10, 23), TERMS_2026) == date(2026, 10, 23)


def test_half_term_end_for_a_day_in_a_holiday_is_the_next_half_term():
    assert half_term_end_on_or_after(date(2026, 10, 28), TERMS_2026) == date(2026, 12, 18)
    assert half_term_end_on_or_after(date(2026, 12, 25), TERMS_2026) == date(2027, 2, 12)
    assert half_term_end_on_or_after(date(2026, 8, 20), TERMS_2026) == date(2026, 10, 23)


def test_half_term_end_after_the_last_half_term_asks_for_next_year():
    with pytest.raises(ValueError, match="after the last half-term"):
        half_term_end_on_or_after(date(2027, 8, 1), TERMS_2026)


def test_closed_weekdays_cover_holidays_in_the_academic_year():
    closed = closed_weekdays(TERMS_2026)
    assert date(2026, 9, 1) in closed  # before pupils start
    assert date(2026, 10, 26) in closed  # October half-term
    assert date(2027, 8, 31) in closed  # summer holiday
    assert date(2026, 10, 1) not in closed
    assert all(day.weekday() < 5 for day in closed)


def test_common_transfer_file_deadline_skips_half_term():
    # Leaves Fri 16 Oct 2026 (day 1); days 2-6 are 19-23 Oct; half-term; day 15 is Thu 12 Nov.
    closed = closed_weekdays(TERMS_2026)
    assert due_date("C1", date(2026, 10, 16), closed_days=closed) == date(2026, 11, 12)
