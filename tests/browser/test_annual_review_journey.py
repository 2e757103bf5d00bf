"""The SENCO runs an annual review in the browser: starts it, books the meeting, records the invitations and
the advice, records the meeting and the report, then the LA's decision; every statutory deadline of the review
is met on time and none is left on the deadline list. Axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ehcp.models import Deadline
from reviews.models import AnnualReview
from tests.permission_cases.reviews import make_plan

from .conftest import navigate, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_senco_runs_an_annual_review_and_its_deadlines_clear(live_demo, page, axe_clean) -> None:
    today = timezone.localdate()
    plan = make_plan(
        live_demo,
        live_demo.acorn,
        issued_on=today - timedelta(days=300),
        legal_forename="Rosie",
        legal_surname="Reviewfield",
    )
    base = live_demo.url
    sign_in(page, base, "senco.acorn@oak.test")

    page.goto(f"{base}/reviews/")
    assert page.get_by_role("heading", level=1).inner_text() == "Annual reviews"
    axe_clean(page)
    navigate(page, page.get_by_role("link", name="Start the review for Rosie Reviewfield"))
    assert page.get_by_role("heading", level=1).inner_text() == "Start an annual review"
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Start the review"))
    assert page.get_by_role("heading", level=1).inner_text() == "Annual review"
    assert "Annual review started" in page.content()
    axe_clean(page)

    # Book the meeting (today, so it can be recorded in this journey).
    navigate(page, page.get_by_role("link", name="Book the review meeting"))
    assert page.get_by_role("heading", level=1).inner_text() == "Book the review meeting"
    axe_clean(page)
    navigate(page, page.get_by_role("button", name="Save the meeting date"))
    assert "Enter the date of the review meeting." in page.get_by_role("alert").inner_text()
    axe_clean(page)
    page.get_by_label("Date of the review meeting").fill(today.isoformat())
    navigate(page, page.get_by_role("button", name="Save the meeting date"))
    assert "Meeting booked for" in page.content()
    axe_clean(page)

    # Add the LA's SEN officer, then record the invitations: sent three weeks ago to everyone.
    navigate(page, page.get_by_role("link", name="Add someone to invite"))
    axe_clean(page)
    page.get_by_label("LA SEN officer").check()
    page.get_by_label("Name", exact=True).fill("Sam Patel")
    page.get_by_label("Email address").fill("sam.patel@la.example")
    navigate(page, page.get_by_role("button", name="Add"))
    assert "Sam Patel added" in page.content()
    navigate(page, page.get_by_role("link", name="Send the invitations").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Record the invitations sent"
    axe_clean(page)
    assert page.get_by_role("checkbox").count() == 3 and all(
        page.get_by_role("checkbox").nth(n).is_checked() for n in range(3)
    )
    page.get_by_label("Date the invitations were sent").fill((today - timedelta(days=21)).isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    assert "Invitations recorded for 3 people" in page.content()

    navigate(page, page.get_by_role("link", name="Send the advice gathered to everyone invited"))
    axe_clean(page)
    page.get_by_label("Date the advice was sent to everyone invited").fill((today - timedelta(days=15)).isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    assert "the advice was sent to everyone invited" in page.content()

    # The meeting, under the person-centred headings, with a time-bound action.
    navigate(page, page.get_by_role("link", name="Record the meeting").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Record the review meeting"
    axe_clean(page)
    page.locator("#id_actions-0-action").fill("Ring the LA")
    navigate(page, page.get_by_role("button", name="Save the meeting record"))
    problems = page.get_by_role("alert").inner_text()
    assert "Enter progress on outcomes." in problems and "Action 1: Say who will do it." in problems
    axe_clean(page)
    page.get_by_label("Progress on outcomes").fill("Reads aloud in class; asks for help when stuck.")
    page.get_by_label("What is appreciated and admired").fill("Her kindness to younger pupils.")
    page.get_by_label("What is important now").fill("A quiet place at lunch.")
    page.get_by_label("How best to support").fill("Visual timetable; warn about changes.")
    page.get_by_label("The pupil's views").fill("I like art club.")
    page.get_by_label("The parents' views").fill("Happier at school.")
    page.locator("#id_actions-0-action").fill("Apply for access arrangements")
    page.locator("#id_actions-0-who").fill("SENCO")
    page.locator("#id_actions-0-by_when").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Keep the plan as it is").check()
    navigate(page, page.get_by_role("button", name="Save the meeting record"))
    assert "Meeting recorded" in page.content()
    assert "Apply for access arrangements" in page.content()
    axe_clean(page)

    # The report, then the LA's decision.
    navigate(page, page.get_by_role("link", name="Send the report to the LA and everyone invited"))
    assert page.get_by_role("heading", level=1).inner_text() == "Record that the report was sent"
    axe_clean(page)
    page.get_by_label("Date the report was sent").fill(today.isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    assert "the report was sent" in page.content()
    navigate(page, page.get_by_role("link", name="Record the LA's decision").first)
    axe_clean(page)
    page.get_by_label("Keep the plan as it is").check()
    page.get_by_label("Date of the LA's decision").fill(today.isoformat())
    navigate(page, page.get_by_role("button", name="Save"))
    assert "Nothing more to do on this review" in page.content()
    assert page.get_by_text("Done on time").count() == 5  # R1, R3, R4, R5, R6
    assert page.get_by_text("Overdue").count() == 0
    axe_clean(page)

    with scopes_disabled():
        review = AnnualReview.objects.get(plan=plan, previous=None)
        assert review.status == "completed"
        left = Deadline.objects.filter(pupil=plan.pupil, status__in=["open", "missed"])
        assert [(d.rule_id, d.subject_type) for d in left] == [("R1", "annual_review")]  # the next review, in a year

    page.goto(f"{base}/ehc/deadlines/")
    axe_clean(page)
    assert "Rosie Reviewfield" not in page.content()
