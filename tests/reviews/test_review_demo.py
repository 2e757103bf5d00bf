"""The demo reviews: every state on the school's list, through the services, and idempotent."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reviews.demo import seed_reviews
from reviews.models import AnnualReview
from reviews.queries import review_list
from tests.permission_cases.reviews import make_plan
from trusts.calendar_defaults import academic_year_of

pytestmark = pytest.mark.django_db


def test_the_demo_puts_reviews_in_every_state_and_runs_twice_safely(demo) -> None:
    today = timezone.localdate()
    for n in range(7):
        make_plan(demo, demo.acorn, issued_on=today - timedelta(days=500 + n))
    young = make_plan(demo, demo.acorn, issued_on=today - timedelta(days=10))
    objects = {"schools": demo.schools, "users": demo.users}
    with scopes_disabled():
        summary = seed_reviews(objects)
        for state in (
            "due soon",
            "report overdue",
            "completed",
            "invitations overdue",
            "amended",
            "waiting for the LA",
        ):
            assert state in summary
        assert seed_reviews(objects).startswith("Annual reviews were already there")
        # The young plan's meeting is booked in 10 days with nobody invited yet: invitations are overdue.
        assert AnnualReview.objects.get(plan=young).status == "scheduled"
    with scope(trust=demo.oak.pk):
        listing = review_list(demo.user("senco.acorn@oak.test"))
    assert [r.plan_id for r in listing.invitations_overdue] == [young.pk]
    assert len(listing.report_overdue) == 1
    assert len(listing.due_soon) == 3  # two not booked yet (a second round), one booked and on track
    assert len(listing.completed) == 2  # one kept as it is, one amended
    assert len(listing.waiting_for_la) == 1
    html = demo.client_for("senco.acorn@oak.test").get("/reviews/").content.decode()
    assert "Invitations overdue (1)" in html and "Completed in the last 12 months (2)" in html


def test_the_scale_seed_adds_a_review_with_its_deadlines_to_every_plan(demo) -> None:
    import random

    from ehcp.models import Deadline
    from reviews.demo import seed_scale

    today = timezone.localdate()
    plans = [make_plan(demo, demo.acorn, issued_on=today - timedelta(days=400 + n)) for n in range(6)]
    context = {"trust": demo.oak, "rng": random.Random(3), "today": today, "users": demo.users}
    with scopes_disabled():
        assert seed_scale(context) == "6 annual reviews"
        assert seed_scale(context) == ""
        reviews = list(AnnualReview.objects.filter(plan__in=plans))
        booked = [r for r in reviews if r.meeting_date]
        assert len(reviews) == 6 and booked
        assert Deadline.objects.filter(subject_type="annual_review").count() == 4 * len(booked)
    with scope(trust=demo.oak.pk):
        listing = review_list(demo.user("senco.acorn@oak.test"))
    assert len(listing.not_started) == 0


def _days_to_try() -> list[date]:
    """Days on which a held demo meeting lands on a closed day: each half-term's first and last day, the day
    after it ends, and the days whose meetings (held 18, 20, 60 or 100 days before) fall on that first closed
    day; and the two days `seed_demo` once failed on."""
    from reviews.demo import HELD_DAYS_AGO
    from trusts.calendar_defaults import default_terms

    days = {date(2027, 3, 10), date(2027, 5, 15)}
    for term in default_terms(2026):
        closed = term.end + timedelta(days=1)
        days |= {term.start, term.end, closed} | {closed + timedelta(days=n) for n in HELD_DAYS_AGO.values()}
    return sorted(days)


def test_the_demo_reviews_seed_on_every_kind_of_day(demo) -> None:
    """Plans just old enough for each state as it was once counted (3 weeks of invitations before a meeting
    held 20, 60 or 100 days ago): where a holiday moves the meeting back, the plan is too young for it and the
    demo gives it another state instead of failing. Every meeting is on a school day."""
    from trusts.school_days import school_days_in_year

    objects = {"schools": {"acorn": demo.acorn}, "users": demo.users}
    failures = []
    for today in _days_to_try():
        with (
            time_machine.travel(dt.datetime(today.year, today.month, today.day, 10, tzinfo=dt.UTC), tick=False),
            transaction.atomic(),
        ):
            for age in (5, 41, 81, 121, 290):
                make_plan(demo, demo.acorn, issued_on=today - timedelta(days=age))
            with scopes_disabled():
                try:
                    summary = seed_reviews(objects)
                except ValidationError as error:
                    failures.append(f"{today}: {error.messages}")
                else:
                    assert "report overdue" in summary and "due soon" in summary, (today, summary)
                    meetings = set(
                        AnnualReview.objects.exclude(meeting_date=None).values_list("meeting_date", flat=True)
                    )
                    open_days = frozenset().union(
                        *(
                            school_days_in_year(school=demo.acorn, academic_year=year)
                            for year in {academic_year_of(d) for d in meetings}
                        )
                    )
                    assert meetings <= open_days, (today, sorted(meetings - open_days))
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)
