from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ehcp.rules import (
    FAMILY_AWAY,
    HOLIDAY,
    MISSED_APPOINTMENT,
    PERSONAL_CIRCUMSTANCES,
    RULES,
    add_days_counting_first,
    add_months,
    add_school_days,
    add_weeks,
    allowed_exceptions,
    annual_review_due,
    before_meeting,
    due_date,
    get_rule,
    is_school_day,
    phase_transfer_due,
    stricter,
)


def test_every_rule_in_domain_table_is_present_with_source():
    expected = {f"A{i}" for i in range(1, 7)} | {f"R{i}" for i in range(1, 10)} | {"X1", "X2", "C1"} | {"S1", "S2"}
    assert set(RULES) == expected
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.source and rule.wording and rule.trigger and rule.action
        assert rule.effective_from <= date(2026, 1, 1)


def test_sources_name_the_regulation():
    assert get_rule("A1").source == "SEND Regulations 2014, reg 5"
    assert get_rule("R5").source == "SEND Regulations 2014, reg 21(7)"
    assert "reg 9" in get_rule("C1").source


def test_rules_are_frozen():
    with pytest.raises(AttributeError):
        RULES["A1"].limit = 8  # type: ignore[misc]


def test_unknown_rule_says_which():
    with pytest.raises(KeyError, match="no deadline rule 'Z9'"):
        due_date("Z9", date(2026, 1, 1))


# Hand-worked dates from domain.md -------------------------------------------------------------


def test_six_weeks_from_monday_4_may_2026_is_monday_15_june():
    assert add_weeks(date(2026, 5, 4), 6) == date(2026, 6, 15)
    assert due_date("A1", date(2026, 5, 4)) == date(2026, 6, 15)
    assert due_date("A2", date(2026, 5, 4)) == date(2026, 6, 15)


def test_sixteen_and_twenty_weeks_from_the_request():
    assert due_date("A3", date(2026, 5, 4)) == date(2026, 8, 24)
    assert due_date("A6", date(2026, 5, 4)) == date(2026, 9, 21)


def test_fifteen_days_count_the_day_served_as_day_one():
    assert add_days_counting_first(date(2026, 3, 10), 15) == date(2026, 3, 24)
    for rule_id in ("A4", "A5", "R7"):
        assert due_date(rule_id, date(2026, 3, 10)) == date(2026, 3, 24)


def test_days_counting_first_needs_at_least_one_day():
    with pytest.raises(ValueError, match="at least 1 day"):
        add_days_counting_first(date(2026, 3, 10), 0)


@pytest.mark.parametrize(
    ("anchor", "due"),
    [
        (date(2025, 6, 15), date(2026, 6, 14)),
        (date(2025, 1, 31), date(2026, 1, 30)),
        (date(2026, 1, 1), date(2026, 12, 31)),  # across the year end
        (date(2025, 12, 31), date(2026, 12, 30)),
        (date(2024, 2, 28), date(2025, 2, 27)),
        (date(2024, 2, 29), date(2025, 2, 27)),  # no 29 Feb 2025: the earlier, safer date
        (date(2024, 3, 1), date(2025, 2, 28)),
        (date(2023, 3, 1), date(2024, 2, 29)),
    ],
)
def test_annual_review_is_due_12_months_less_a_day(anchor, due):
    assert annual_review_due(anchor) == due
    assert due_date("R1", anchor) == due


def test_under_five_review_within_three_months_the_earlier_of_three_to_six():
    assert due_date("R2", date(2026, 1, 10)) == date(2026, 4, 9)
    assert due_date("R2", date(2025, 11, 30)) == date(2026, 2, 27)  # 30 February does not exist: 28th less a day


def test_two_weeks_before_a_meeting():
    assert before_meeting(date(2026, 6, 10)) == date(2026, 5, 27)
    assert before_meeting(date(2026, 1, 7), weeks=3) == date(2025, 12, 17)
    assert due_date("R3", date(2026, 6, 10)) == date(2026, 5, 27)
    assert due_date("R4", date(2026, 6, 10)) == date(2026, 5, 27)


def test_after_the_review_meeting():
    assert due_date("R5", date(2026, 6, 10)) == date(2026, 6, 24)
    assert due_date("R6", date(2026, 6, 10)) == date(2026, 7, 8)
    assert due_date("R8", date(2026, 3, 10)) == date(2026, 5, 5)


def test_phase_transfer_before_15_february_or_31_march():
    assert phase_transfer_due(2027, post16=False) == date(2027, 2, 14)
    assert phase_transfer_due(2027, post16=True) == date(2027, 3, 30)
    assert due_date("R9", date(2027, 9, 1)) == date(2027, 2, 14)
    assert due_date("R9", date(2027, 9, 1), post16=True) == date(2027, 3, 30)


def test_six_months_after_keeps_the_day_number():
    assert add_months(date(2025, 10, 12), 6) == date(2026, 4, 12)
    assert due_date("X1", date(2025, 10, 12)) == date(2026, 4, 12)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_reassessment_fourteen_weeks():
    assert due_date("X2", date(2026, 5, 4)) == date(2026, 8, 10)


def test_school_days_skip_weekends():
    assert add_school_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert add_school_days(date(2026, 3, 2), 15) == date(2026, 3, 23)
    assert add_school_days(date(2026, 3, 2), 0) == date(2026, 3, 2)


def test_school_days_skip_closures():
    half_term = {date(2026, 2, 16) + timedelta(days=i) for i in range(5)}
    assert add_school_days(date(2026, 2, 13), 1, half_term) == date(2026, 2, 23)
    assert not is_school_day(date(2026, 2, 18), half_term)
    assert is_school_day(date(2026, 2, 23), half_term)


def test_common_transfer_file_counts_the_leaving_day_as_day_one():
    assert due_date("C1", date(2026, 3, 2)) == date(2026, 3, 20)
    # Left on a Saturday: day 1 is the Monday.
    assert due_date("C1", date(2026, 2, 28)) == date(2026, 3, 20)
    inset = {date(2026, 3, 16)}
    assert due_date("C1", date(2026, 3, 2), closed_days=inset) == date(2026, 3, 23)


# Exceptions ---------------------------------------------------------------------------------


def test_holiday_exception_only_for_la_assessment_limits():
    with_holiday = {rule_id for rule_id in RULES if HOLIDAY in allowed_exceptions(rule_id)}
    assert with_holiday == {"A1", "A3", "A6", "X2"}


def test_advice_exceptions_have_no_holiday():
    assert allowed_exceptions("A2") == frozenset({PERSONAL_CIRCUMSTANCES, FAMILY_AWAY, MISSED_APPOINTMENT})


def test_la_assessment_exceptions():
    for rule_id in ("A1", "A3", "A6", "X2"):
        assert allowed_exceptions(rule_id) == frozenset({HOLIDAY, PERSONAL_CIRCUMSTANCES, FAMILY_AWAY})


def test_missed_appointment_only_for_advice():
    assert {rule_id for rule_id in RULES if MISSED_APPOINTMENT in allowed_exceptions(rule_id)} == {"A2"}


@pytest.mark.parametrize("rule_id", [r for r in RULES if r.startswith("R")] + ["A4", "A5", "X1", "C1"])
def test_no_exceptions_elsewhere(rule_id):
    assert allowed_exceptions(rule_id) == frozenset()


# Properties ---------------------------------------------------------------------------------

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
FORWARD_RULES = sorted(
    rule_id for rule_id, rule in RULES.items() if rule.unit not in {"before_meeting_weeks", "fixed_date"}
)


@given(st.sampled_from(FORWARD_RULES), dates)
def test_forward_rules_are_never_due_before_the_trigger(rule_id, trigger):
    assert due_date(rule_id, trigger) >= trigger


@given(st.sampled_from(["R3", "R4"]), dates)
def test_before_meeting_rules_fall_before_the_meeting(rule_id, meeting):
    assert due_date(rule_id, meeting) == meeting - timedelta(days=14)


@given(dates, st.none() | dates)
def test_stricter_is_never_later_than_statutory(statutory, internal):
    result = stricter(statutory, internal)
    assert result <= statutory
    assert result in {statutory, internal}
    if internal is not None:
        assert result <= internal


@given(dates, dates)
def test_annual_review_due_never_goes_backwards(first, second):
    earlier, later = sorted([first, second])
    assert annual_review_due(earlier) <= annual_review_due(later)


@given(dates)
def test_annual_review_is_within_a_year(anchor):
    due = annual_review_due(anchor)
    assert anchor + timedelta(days=363) <= due <= anchor + timedelta(days=365)


@given(dates, st.integers(-120, 120))
def test_add_months_keeps_day_number_or_clamps(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (result.day < start.day and (result + timedelta(days=1)).day == 1)


@given(dates, st.integers(0, 40), st.sets(st.integers(0, 70), max_size=30))
def test_add_school_days_counts_only_school_days(start, n, closed_offsets):
    closed = {start + timedelta(days=offset) for offset in closed_offsets}
    result = add_school_days(start, n, closed)
    days_between = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(is_school_day(d, closed) for d in days_between) == n
    if n:
        assert is_school_day(result, closed)
