"""Needs assessments: each event opens, meets or waives the right statutory deadlines."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scope

from ehcp import services
from ehcp.models import Deadline, NeedsAssessment
from tests.permission_cases.ehcp import k_pupil, make_plan

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 11, 2, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def senco(demo):
    return demo.user("senco.acorn@oak.test")


@pytest.fixture
def requested(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        yield services.request_assessment(
            pupil=pupil, requested_by="parent", request_received_on=date(2026, 5, 4), actor=senco
        )


def deadlines(a: NeedsAssessment) -> dict[str, tuple[date, str]]:
    return {
        d.rule_id: (d.due, d.status) for d in Deadline.objects.filter(subject_type="needs_assessment", subject_id=a.pk)
    }


def event(a, senco, name, on, **kw):
    return services.record_assessment_event(assessment=a, event=name, on=on, actor=senco, **kw)


def test_a_request_opens_the_las_6_16_and_20_week_deadlines(requested):
    assert deadlines(requested) == {
        "A1": (date(2026, 6, 15), "open"),
        "A3": (date(2026, 8, 24), "open"),
        "A6": (date(2026, 9, 21), "open"),
    }
    assert requested.local_authority == "Shropshire"
    assert all(d.responsible == "la" for d in Deadline.objects.filter(subject_id=requested.pk))


def test_the_whole_journey_to_a_final_plan(demo, requested, senco):
    a = event(requested, senco, "decision", date(2026, 6, 10), decision="assess")
    a = event(a, senco, "advice_requested", date(2026, 6, 15))
    assert deadlines(a)["A2"] == (date(2026, 7, 27), "open")
    assert Deadline.objects.get(subject_id=a.pk, rule_id="A2").responsible == "school"
    a = event(a, senco, "advice_sent", date(2026, 7, 20))
    a = event(a, senco, "draft_served", date(2026, 8, 10))
    assert deadlines(a)["A4"] == (date(2026, 8, 24), "open")
    assert deadlines(a)["A5"] == (date(2026, 8, 24), "open")
    assert deadlines(a)["A3"][1] == "waived"
    a = event(a, senco, "consultation_sent", date(2026, 8, 20))
    a = event(a, senco, "parent_comments", date(2026, 8, 24))
    plan = services.issue_plan(
        pupil=a.pupil,
        issued_on=date(2026, 9, 25),
        local_authority="Shropshire",
        placement="Acorn Primary",
        assessment=a,
        actor=senco,
    )
    result = deadlines(a)
    assert {k: v[1] for k, v in result.items()} == {
        "A1": "met",
        "A2": "met",
        "A3": "waived",
        "A4": "met",
        "A5": "met",
        "A6": "met",
    }
    a6 = Deadline.objects.get(subject_id=a.pk, rule_id="A6")
    assert a6.met_late and a6.days_late == 4  # the LA was four days late
    a.refresh_from_db()
    assert a.outcome == "plan_issued" and plan.assessment_id == a.pk


def test_a_decision_not_to_assess_waives_the_later_la_deadlines_with_that_reason(requested, senco):
    a = event(requested, senco, "decision", date(2026, 6, 1), decision="not_assess")
    result = deadlines(a)
    assert result["A1"] == (date(2026, 6, 15), "met")
    assert result["A3"][1] == result["A6"][1] == "waived"
    assert (
        Deadline.objects.get(subject_id=a.pk, rule_id="A6").waived_reason
        == "The LA decided on 1 June 2026 not to assess."
    )
    assert a.outcome == "not_assessed"
    with pytest.raises(ValidationError, match="closed"):
        event(a, senco, "draft_served", date(2026, 7, 1))


def test_notice_that_no_plan_will_be_issued_meets_a3_and_waives_a6(requested, senco):
    a = event(requested, senco, "decision", date(2026, 6, 1), decision="assess")
    a = event(a, senco, "no_plan", date(2026, 8, 25))
    result = deadlines(a)
    assert result["A3"] == (date(2026, 8, 24), "met")
    assert Deadline.objects.get(subject_id=a.pk, rule_id="A3").met_late
    assert result["A6"][1] == "waived"


def test_withdrawing_waives_every_open_deadline(requested, senco):
    with pytest.raises(ValidationError, match="Say why"):
        event(requested, senco, "withdrawn", date(2026, 6, 20), reason=" ")
    a = event(requested, senco, "decision", date(2026, 6, 1), decision="assess")
    a = event(a, senco, "withdrawn", date(2026, 6, 20), reason="Family moved away")
    assert {k: v[1] for k, v in deadlines(a).items()} == {"A1": "met", "A3": "waived", "A6": "waived"}
    assert "Family moved away" in Deadline.objects.get(subject_id=a.pk, rule_id="A3").waived_reason


def test_correcting_the_request_date_recomputes_the_las_deadlines(requested, senco):
    services.correct_request_date(assessment=requested, request_received_on=date(2026, 5, 11), actor=senco)
    assert deadlines(requested) == {
        "A1": (date(2026, 6, 22), "open"),
        "A3": (date(2026, 8, 31), "open"),
        "A6": (date(2026, 9, 28), "open"),
    }


def test_correcting_the_advice_request_date_recomputes_a2(requested, senco):
    a = event(requested, senco, "decision", date(2026, 6, 10), decision="assess")
    a = event(a, senco, "advice_requested", date(2026, 6, 15))
    a = event(a, senco, "advice_requested", date(2026, 6, 17))
    assert deadlines(a)["A2"] == (date(2026, 7, 29), "open")
    assert Deadline.objects.filter(subject_id=a.pk, rule_id="A2").count() == 1


@pytest.mark.parametrize(
    ("name", "on", "kw", "message"),
    [
        ("advice_sent", date(2026, 7, 1), {}, "Record when the LA asked"),
        ("consultation_sent", date(2026, 7, 1), {}, "Record when the draft plan was served"),
        ("decision", date(2026, 7, 1), {"decision": ""}, "Choose whether the LA will assess"),
        ("advice_requested", date(2026, 5, 1), {}, "before the request was received"),
        ("advice_requested", date(2026, 11, 3), {}, "cannot be in the future"),
        ("nonsense", date(2026, 7, 1), {}, "Choose a step"),
    ],
)
def test_events_out_of_order_are_refused_with_a_clear_message(requested, senco, name, on, kw, message):
    with pytest.raises(ValidationError, match=message):
        event(requested, senco, name, on, **kw)
    assert set(deadlines(requested)) == {"A1", "A3", "A6"}


def test_a_second_assessment_in_progress_is_refused(requested, senco):
    with pytest.raises(ValidationError, match="already has an assessment in progress"):
        services.request_assessment(
            pupil=requested.pupil, requested_by="school", request_received_on=date(2026, 6, 1), actor=senco
        )


def test_a_future_request_date_is_refused_and_nothing_is_written(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="cannot be in the future"):
            services.request_assessment(
                pupil=pupil, requested_by="school", request_received_on=date(2026, 11, 3), actor=senco
            )
        assert not NeedsAssessment.objects.filter(pupil=pupil).exists()
        assert not Deadline.objects.filter(pupil=pupil).exists()


def test_reassessment_within_six_months_needs_changed_needs_and_opens_x2(demo, senco):
    plan = make_plan(demo, demo.acorn, issued_on=date(2026, 7, 15))
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="earliest date is 15 January 2027"):
            services.request_assessment(
                pupil=plan.pupil,
                requested_by="school",
                kind="reassessment",
                request_received_on=date(2026, 11, 1),
                actor=senco,
            )
        a = services.request_assessment(
            pupil=plan.pupil,
            requested_by="school",
            kind="reassessment",
            request_received_on=date(2026, 11, 1),
            needs_changed=True,
            actor=senco,
        )
        assert deadlines(a) == {"X2": (date(2027, 2, 7), "open")}
        version = services.amend_plan(
            plan=plan, issued_on=date(2026, 11, 2), placement="Acorn Primary", assessment=a, actor=senco
        )
        assert version.number == 2
        assert deadlines(a)["X2"] == (date(2027, 2, 7), "met")


def test_reassessment_needs_a_plan(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match="for a pupil who has an EHC plan"):
        services.request_assessment(
            pupil=pupil, requested_by="school", kind="reassessment", request_received_on=date(2026, 6, 1), actor=senco
        )


def test_a5_counts_from_the_day_the_la_consulted_the_school(demo, requested, senco):
    """The draft goes to the parent on 10 August (A4: 15 days counting the day, 24 August); the LA consults
    the school it proposes to name only on 17 August, so the school's 15 days (A5) run to 31 August."""
    a = event(requested, senco, "decision", date(2026, 6, 10), decision="assess")
    a = event(a, senco, "draft_served", date(2026, 8, 10))
    with pytest.raises(ValidationError, match="cannot be consulted before the draft was served"):
        event(a, senco, "school_consulted", date(2026, 8, 9))
    a = event(a, senco, "school_consulted", date(2026, 8, 17))
    assert deadlines(a)["A4"] == (date(2026, 8, 24), "open")
    assert deadlines(a)["A5"] == (date(2026, 8, 31), "open")
    assert Deadline.objects.filter(subject_id=a.pk, rule_id="A5").count() == 1  # recomputed, not added
    # Correcting the draft's date keeps A5 on the consultation date.
    a = event(a, senco, "draft_served", date(2026, 8, 11))
    assert deadlines(a)["A4"] == (date(2026, 8, 25), "open")
    assert deadlines(a)["A5"] == (date(2026, 8, 31), "open")
    a = event(a, senco, "consultation_sent", date(2026, 8, 28))
    assert deadlines(a)["A5"] == (date(2026, 8, 31), "met")
