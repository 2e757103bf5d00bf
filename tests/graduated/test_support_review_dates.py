"""The plan's review date defaults to the end of the current half-term from the school's own calendar
(in a holiday, the end of the next half-term)."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from graduated.services import default_review_date
from tests.permission_cases.graduated import assessing_cycle
from trusts.services import HalfTermDates, ensure_calendar, update_calendar

pytestmark = pytest.mark.django_db

# Acorn's own dates for 2025/26, deliberately unlike the English default (which ends Autumn 1 on 24 October).
ACORN_2025 = [
    HalfTermDates("Autumn 1", date(2025, 9, 4), date(2025, 10, 17)),
    HalfTermDates("Autumn 2", date(2025, 10, 27), date(2025, 12, 17)),
    HalfTermDates("Spring 1", date(2026, 1, 6), date(2026, 2, 13)),
    HalfTermDates("Spring 2", date(2026, 2, 23), date(2026, 3, 27)),
    HalfTermDates("Summer 1", date(2026, 4, 13), date(2026, 5, 22)),
    HalfTermDates("Summer 2", date(2026, 6, 1), date(2026, 7, 21)),
]


@pytest.fixture
def acorn_calendar(demo):
    with scope(trust=demo.oak.pk):
        calendar = ensure_calendar(school=demo.acorn, academic_year=2025)
        update_calendar(calendar=calendar, terms=ACORN_2025, actor=demo.user("senco.acorn@oak.test"))
    return demo


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 9, 4), date(2025, 10, 17)),  # first day of Autumn 1
        (date(2025, 10, 8), date(2025, 10, 17)),  # inside Autumn 1
        (date(2025, 10, 17), date(2025, 10, 17)),  # its last day
        (date(2025, 10, 20), date(2025, 12, 17)),  # October half-term holiday: the end of Autumn 2
        (date(2025, 12, 25), date(2026, 2, 13)),  # Christmas holiday: the end of Spring 1
        (date(2026, 4, 1), date(2026, 5, 22)),  # Easter holiday: the end of Summer 1
        (date(2026, 6, 15), date(2026, 7, 21)),  # inside Summer 2
    ],
)
def test_review_date_follows_the_schools_own_calendar(acorn_calendar, on, expected) -> None:
    with scope(trust=acorn_calendar.oak.pk):
        assert default_review_date(school=acorn_calendar.acorn, on=on) == expected


def test_summer_holiday_gives_the_end_of_next_years_first_half_term(acorn_calendar) -> None:
    with scope(trust=acorn_calendar.oak.pk):
        # Acorn has no 2026/27 dates yet: the English default is created (Autumn 1 ends 23 October 2026).
        assert default_review_date(school=acorn_calendar.acorn, on=date(2026, 8, 5)) == date(2026, 10, 23)
        assert default_review_date(school=acorn_calendar.acorn, on=date(2026, 7, 25)) == date(2026, 10, 23)


def test_each_school_uses_its_own_dates(acorn_calendar) -> None:
    with scope(trust=acorn_calendar.oak.pk):
        # Beech has entered no dates: the English default applies (Autumn 1 ends 24 October 2025).
        assert default_review_date(school=acorn_calendar.beech, on=date(2025, 10, 8)) == date(2025, 10, 24)
        assert default_review_date(school=acorn_calendar.acorn, on=date(2025, 10, 8)) == date(2025, 10, 17)


LONDON = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.datetime(2025, 10, 8, 10, tzinfo=LONDON), "2025-10-17"),
        (dt.datetime(2025, 10, 22, 10, tzinfo=LONDON), "2025-12-17"),
    ],
    ids=["in a half-term", "in a holiday"],
)
def test_the_plan_form_offers_the_default_review_date(acorn_calendar, today, expected) -> None:
    with time_machine.travel(today, tick=False):
        cycle = assessing_cycle(acorn_calendar, acorn_calendar.acorn)
        page = acorn_calendar.client_for("senco.acorn@oak.test").get(reverse("graduated:plan", args=[cycle.pk]))
    assert page.status_code == 200
    assert f'value="{expected}"' in page.content.decode()
