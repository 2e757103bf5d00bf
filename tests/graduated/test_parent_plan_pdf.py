"""The SEN support plan for parents: only what is marked for parents, as a page-ready dict and as a PDF."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from graduated import services
from graduated.pdf import render_support_plan_pdf
from graduated.queries import plan_for_parent
from tests.permission_cases.graduated import active_cycle, casework_user, provision
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
STAFF_ONLY = [
    "SECRET assessment note",
    "SECRET outside advice",
    "SECRET hidden outcome",
    "SECRET staff strategy",
    "SECRET meeting note",
    "SECRET provision",
    "SECRET score",
]


@pytest.fixture
def cycle(demo):
    cycle = active_cycle(demo, demo.acorn, legal_forename="Maisie", legal_surname="Okonjo")
    senco = casework_user(demo.acorn)
    with scope(trust=demo.oak.pk):
        services.update_assessment(
            cycle=cycle,
            actor=senco,
            assess_notes="SECRET assessment note",
            outside_advice="SECRET outside advice",
            liked_admired="Maisie is kind and loves drawing horses",
            important_to_me="My cat Pepper",
            how_to_support="Show me a picture of what comes next",
        )
        services.add_outcome(
            cycle=cycle,
            actor=senco,
            description="SECRET hidden outcome",
            baseline="b",
            target="t",
            measured_by="m",
            share_with_parents=False,
        )
        services.add_strategy(cycle=cycle, actor=senco, text="SECRET staff strategy", share_with_parents=False)
        services.allocate_provision(
            cycle=cycle, actor=senco, provision=provision(demo.acorn, "SECRET provision"), share_with_parents=False
        )
        services.add_assessment_result(
            cycle=cycle,
            actor=senco,
            name="SECRET score",
            taken_on=TODAY,
            score=Decimal(85),
            scale="standardised",
        )
        services.record_parent_meeting(
            pupil=cycle.pupil,
            actor=senco,
            held_on=TODAY,
            attendees="Mum",
            notes="SECRET meeting note",
            agreed_actions="Practise the word list at bedtime",
        )
    return cycle


def test_plan_for_parent_holds_only_what_is_shared(cycle) -> None:
    with scope(trust=cycle.trust_id):
        plan = plan_for_parent(cycle.pupil)
    assert plan is not None
    assert [o["description"] for o in plan["outcomes"]] == ["Read the first 100 high-frequency words"]
    assert plan["outcomes"][0]["target"] == "Reads 80 of 100"
    assert [p["name"] for p in plan["provision"]] == ["Phonics catch-up group"]
    assert plan["provision"][0]["how_often"] == "3 times a week, 20 minutes each, in a group of up to 4"
    assert plan["strategies"] == ["Give instructions one step at a time"]
    assert plan["review_date"] == cycle.review_date
    assert plan["meetings"] == [{"date": TODAY, "summary": "Practise the word list at bedtime"}]
    assert plan["profile"]["important_to_me"] == "My cat Pepper"
    assert plan["assessments"] == []
    assert "SECRET" not in repr(plan)


def test_no_plan_for_parents_until_one_is_agreed(demo) -> None:
    from tests.permission_cases.graduated import assessing_cycle

    cycle = assessing_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        assert plan_for_parent(cycle.pupil) is None


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_has_the_pupil_outcomes_provision_and_nothing_staff_only(cycle) -> None:
    with scope(trust=cycle.trust_id):
        pdf = render_support_plan_pdf(cycle.pupil)
    assert pdf.startswith(b"%PDF")
    text = " ".join(_text(pdf).split())
    assert "Maisie Okonjo" in text
    assert "What people like and admire about me" in text and "loves drawing horses" in text
    assert "Read the first 100 high-frequency words" in text
    assert "Phonics catch-up group" in text
    assert "Give instructions one step at a time" in text
    assert f"{cycle.review_date.day} {cycle.review_date:%B %Y}" in text
    assert "Practise the word list at bedtime" in text
    for secret in STAFF_ONLY:
        assert secret not in text


def test_staff_download_the_pdf_and_it_is_audited(demo, cycle) -> None:
    response = demo.client_for("ta.acorn@oak.test").get(reverse("graduated:plan_pdf", args=[cycle.pupil_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Maisie Okonjo" in _text(response.content)
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(pupil_id=cycle.pupil_id, action="export").count() == 1
