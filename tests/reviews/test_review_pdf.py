"""The annual review report PDF, read back with pypdf: the pupil, the person-centred headings, the actions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from reviews import services
from reviews.pdf import render_review_pdf, review_pdf_html
from tests.permission_cases.reviews import casework_user, make_plan

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def held_review(demo):
    plan = make_plan(demo, demo.acorn, legal_forename="Zainab", legal_surname="Okonkwo")
    actor = casework_user(demo.acorn)
    held = TODAY - timedelta(days=3)
    with scope(trust=demo.oak.pk):
        review = services.start_review(plan=plan, actor=actor)
        services.schedule_meeting(review=review, meeting_date=held, actor=actor)
        return services.record_meeting(
            review=review,
            held_on=held,
            record=services.MeetingRecord(
                progress_on_outcomes="Now reads aloud to the class.",
                appreciated_admired="Her sense of humour.",
                important_now="Time with friends at break.",
                important_future="Becoming a vet.",
                how_to_support="Pre-teach new vocabulary.",
                questions_issues="Does she need a laptop for exams?",
                parent_views="Happier at school this year.",
                pupil_views="Maths is hard but I try.",
                recommendation="amend",
                proposed_amendments="Add a laptop to section F.",
            ),
            actions=[
                services.ActionInput("Apply for exam access arrangements", "SENCO", TODAY + timedelta(days=30)),
                services.ActionInput("Trial a laptop in English", "Class teacher", TODAY + timedelta(days=14)),
            ],
            actor=actor,
        )


def test_the_report_pdf_carries_the_pupil_the_headings_and_the_actions(demo) -> None:
    review = held_review(demo)
    with scope(trust=demo.oak.pk):
        pdf = render_review_pdf(review)
    assert pdf.startswith(b"%PDF-")
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Annual review report: Zainab Okonkwo" in text
    for heading in (
        "Progress on outcomes",
        "What is appreciated and admired",
        "What is important now",
        "What is important for the future",
        "How best to support",
        "Questions and issues",
        "Action plan",
        "The pupil's views",
        "The parents' views",
    ):
        assert heading in text, heading
    assert "Apply for exam access arrangements" in text and "Trial a laptop in English" in text
    assert "Becoming a vet." in text and "Add a laptop to section F." in text
    assert "SEND Regulations 2014, reg 21(7)" in text


def test_the_report_uses_the_print_stylesheet(demo) -> None:
    review = held_review(demo)
    with scope(trust=demo.oak.pk):
        html = review_pdf_html(review)
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    # What the renderer may fetch: tests/trusts/test_pdf_renderer.py.
