"""The pupil record's timeline gathers the apps above register (support cycles, parent meetings, EHC
assessments and plans, annual reviews) in one query, showing each person only what they may see."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from ehcp import services as ehcp
from graduated import services as graduated
from pupils.timeline import events_for
from register.services import change_status
from reviews import services as reviews
from tests.factories import pupil_at
from tests.permission_cases.reviews import make_plan
from trusts.mfa import SSO_MFA_SESSION_KEY

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 20)


def at(day: date):
    return time_machine.travel(day, tick=False)


def _support_cycle(pupil, senco, *, planned: date, reviewed: date) -> None:
    with at(planned):
        cycle = graduated.start_cycle(pupil=pupil, actor=senco)
        outcome = graduated.add_outcome(
            cycle=cycle,
            actor=senco,
            description="Reads 40 words",
            baseline="12",
            target="40",
            measured_by="Word list",
        )
        graduated.confirm_plan(
            cycle=cycle, actor=senco, review_date=reviewed, expected_impact="Reading", notify_staff=False
        )
    with at(reviewed):
        graduated.record_review(
            cycle=cycle,
            actor=senco,
            results={outcome.pk: ("partly", "31 words")},
            reviewed_on=reviewed,
            next_step="ehc_request",
        )


@pytest.fixture
def history(demo):
    """A Year 4 pupil at Acorn (in teacher.acorn's class) through SEN support, an EHC needs assessment,
    a plan, an annual review where the LA decided to cease it, and the cessation."""
    senco = demo.user("senco.acorn@oak.test")
    pupil = pupil_at(demo, demo.acorn, legal_forename="Imogen")
    with scope(trust=demo.oak.pk):
        with at(date(2025, 1, 6)):
            change_status(
                pupil=pupil,
                to_status="K",
                actor=senco,
                reason="Reading",
                primary_need="SPLD",
                parents_told_on=date(2025, 1, 6),
                effective_date=date(2025, 1, 6),
            )
        _support_cycle(pupil, senco, planned=date(2025, 1, 13), reviewed=date(2025, 3, 24))
        with at(date(2025, 3, 25)):
            graduated.record_parent_meeting(
                pupil=pupil,
                actor=senco,
                held_on=date(2025, 3, 25),
                attendees="Mum, SENCO",
                notes="Agreed to ask for an assessment",
            )
            ehcp.request_assessment(
                pupil=pupil, requested_by="school", request_received_on=date(2025, 3, 25), actor=senco
            )
        with at(date(2025, 6, 1)):
            plan = make_plan(demo, demo.acorn, pupil=pupil, issued_on=date(2025, 6, 1))
        with at(date(2026, 6, 20)):
            review = reviews.start_review(plan=plan, actor=senco)
            reviews.schedule_meeting(review=review, meeting_date=date(2026, 5, 11), actor=senco)
            record = reviews.MeetingRecord(progress_on_outcomes="All met", recommendation="cease")
            reviews.record_meeting(review=review, held_on=date(2026, 5, 11), record=record, actions=[], actor=senco)
            reviews.record_report_sent(review=review, sent_on=date(2026, 5, 15), actor=senco)
            reviews.record_la_decision(review=review, decision="cease", decided_on=date(2026, 6, 1), actor=senco)
        with at(TODAY):
            ehcp.cease_plan(
                plan=plan,
                ceased_on=date(2026, 7, 17),
                reason="after_review",
                register_status="K",
                parents_told_on=None,
                actor=senco,
            )
    return pupil, plan, review


def test_the_senco_sees_every_step_in_date_order_with_links(demo, history) -> None:
    pupil, plan, review = history
    with at(TODAY):
        page = demo.client_for("senco.acorn@oak.test").get(reverse("pupils:record", args=[pupil.pk]))
    text = page.content.decode()
    timeline = text[text.index('<h2 class="govuk-heading-m">Timeline</h2>') :]
    expected = [
        "EHC plan ceased. The LA decided after an annual review that the plan is no longer needed.",
        "The LA&#x27;s decision after the annual review: cease the plan.",
        "Annual review meeting held. Recommended: cease the plan.",
        "EHC plan issued by",
        "Meeting with parents (Mum, SENCO).",  # the same day: in the order the apps registered
        "EHC needs assessment requested.",
        "SEN support plan 1 reviewed. Next step: request an EHC needs assessment.",
        "SEN support plan 1 agreed.",
    ]
    positions = [timeline.find(words) for words in expected]
    assert -1 not in positions, [w for w, p in zip(expected, positions, strict=True) if p == -1]
    assert positions == sorted(positions), "newest first"
    assert reverse("ehcp:plan_detail", kwargs={"pk": plan.pk}) in timeline
    assert reverse("reviews:detail", kwargs={"pk": review.pk}) in timeline


def test_a_teacher_sees_the_support_plan_steps_but_no_ehc_casework(demo, history) -> None:
    pupil, _, _ = history
    with at(TODAY):
        page = demo.client_for("teacher.acorn@oak.test").get(reverse("pupils:record", args=[pupil.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "SEN support plan 1 agreed." in text
    # The register's own history says the pupil had a plan (E is on the register they see), but none of the
    # EHC casework steps or links reach them.
    for words in (
        "EHC needs assessment requested",
        "Annual review meeting held",
        "LA&#x27;s decision",
        "/ehc/",
        "/reviews/",
    ):
        assert words not in text


def test_the_events_come_from_one_query_whatever_their_number(demo, history) -> None:
    pupil, _, _ = history
    senco = demo.user("senco.acorn@oak.test")
    other = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as ctx:
        many = events_for(senco, pupil)
        none = events_for(senco, other)
    assert len(many) == 8 and none == []
    assert len(ctx.captured_queries) == 2  # one UNION query per pupil


def test_the_record_page_queries_do_not_grow_with_the_history(demo, history) -> None:
    pupil, _, _ = history
    other = pupil_at(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    # Signed in as staff are in production: the second factor passed, so no "must they set up MFA?" lookup.
    session = client.session
    session[SSO_MFA_SESSION_KEY] = str(demo.user("senco.acorn@oak.test").pk)
    session.save()
    counts = []
    with at(TODAY):
        for p in (other, pupil):
            url = reverse("pupils:record", args=[p.pk])
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
    # Within the page budget of 20. The moves within the trust are timeline events (in its one UNION query);
    # the data protection links reuse the documents the page read; a SENCO may raise a concern about any
    # pupil on roll at their school without a lookup. Register, the health banner (plan and conditions),
    # "All about me", referrals, access arrangements, grants, contacts and groups read their own.
    assert counts[0] == counts[1] and counts[0] <= 20, counts
