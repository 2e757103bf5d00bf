"""Events in their legal order: request → decision → advice → draft → the parent's and school's 15 days →
final plan; meeting → report → LA decision → proposed amendments → final amended plan. A step before the
one it depends on is refused naming that step; the LA acting inside a window the law gives the parent or
school is kept as the LA's breach, never silently waived."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scope

from ehcp import services
from ehcp.models import Deadline, NeedsAssessment
from tests.permission_cases.ehcp import k_pupil

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)


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


def event(a, senco, name, on, **kw) -> NeedsAssessment:
    return services.record_assessment_event(assessment=a, event=name, on=on, actor=senco, **kw)


def status(a, rule_id) -> Deadline:
    return Deadline.objects.get(subject_type="needs_assessment", subject_id=a.pk, rule_id=rule_id)


@pytest.mark.parametrize("step", ["advice_requested", "draft_served"])
def test_advice_and_draft_wait_for_the_las_decision(requested, senco, step) -> None:
    with pytest.raises(ValidationError, match="Record the LA's decision to assess first"):
        event(requested, senco, step, date(2026, 6, 1))


def test_steps_cannot_be_dated_before_the_step_they_follow(requested, senco) -> None:
    a = event(requested, senco, "decision", date(2026, 6, 10), decision="assess")
    with pytest.raises(ValidationError, match=r"cannot be before the LA's decision to assess \(10 June 2026\)"):
        event(a, senco, "advice_requested", date(2026, 6, 9))
    a = event(a, senco, "advice_requested", date(2026, 6, 15))
    with pytest.raises(ValidationError, match=r"before the LA asked for advice \(15 June 2026\)"):
        event(a, senco, "draft_served", date(2026, 6, 14))
    a = event(a, senco, "draft_served", date(2026, 8, 10))
    with pytest.raises(ValidationError, match="cannot be after a step that follows it"):
        event(a, senco, "decision", date(2026, 6, 20), decision="assess")


def test_a_final_plan_needs_the_draft_and_comes_after_it(requested, senco) -> None:
    a = event(requested, senco, "decision", date(2026, 6, 10), decision="assess")
    kwargs = {"pupil": a.pupil, "local_authority": "Shropshire", "placement": "Acorn Primary", "actor": senco}
    with pytest.raises(ValidationError, match="Record when the draft plan was served first"):
        services.issue_plan(issued_on=date(2026, 9, 1), assessment=a, **kwargs)
    a = event(a, senco, "draft_served", date(2026, 8, 10))
    with pytest.raises(ValidationError, match=r"before the draft was served \(10 August 2026\)"):
        services.issue_plan(issued_on=date(2026, 8, 9), assessment=a, **kwargs)


def test_a_final_plan_inside_the_15_days_is_the_las_breach_not_a_missed_deadline(requested, senco) -> None:
    a = event(requested, senco, "decision", date(2026, 6, 10), decision="assess")
    a = event(a, senco, "draft_served", date(2026, 8, 10))  # the 15 days run to 24 August
    services.issue_plan(
        pupil=a.pupil,
        issued_on=date(2026, 8, 20),
        local_authority="Shropshire",
        placement="Acorn Primary",
        assessment=NeedsAssessment.objects.get(pk=a.pk),
        actor=senco,
    )
    for rule_id in ("A4", "A5"):
        d = status(a, rule_id)
        assert d.status == "waived" and d.la_breach
        assert "Issued early" in d.waived_reason and "24 August 2026" in d.waived_reason
    from ehcp.sweep import sweep_trust

    sweep_trust(trust_id=a.trust_id, today=date(2026, 9, 1))
    assert status(a, "A4").status == "waived"  # never marked missed afterwards


def test_correcting_the_request_date_checks_the_row_as_it_is_now(requested, senco) -> None:
    stale = NeedsAssessment.objects.get(pk=requested.pk)
    event(requested, senco, "decision", date(2026, 6, 10), decision="assess")  # recorded meanwhile
    with pytest.raises(ValidationError, match="cannot be after a later step"):
        services.correct_request_date(assessment=stale, request_received_on=date(2026, 6, 12), actor=senco)


def test_a_mistyped_issue_date_is_corrected_and_r1_follows(demo, senco) -> None:
    from ehcp.models import EhcPlan
    from reviews import services as review_services
    from reviews.models import AnnualReview
    from tests.permission_cases.ehcp import make_plan
    from trusts.models import AuditEntry

    plan = make_plan(demo, demo.acorn, issued_on=date(2026, 3, 15))  # the LA's letter says 15 January
    with scope(trust=demo.oak.pk):
        review = review_services.start_review(plan=plan, actor=senco)
        assert review.due_date == date(2027, 3, 14)
        client = demo.client_for("senco.acorn@oak.test")
        url = f"/ehc/plans/{plan.pk}/issue-date/"
        bad = client.post(url, {"issued_on": "2027-01-01", "reason": ""})
        assert bad.status_code == 400
        page = bad.content.decode()
        assert "cannot be in the future" in page or "Say why the date is being corrected." in page
        ok = client.post(url, {"issued_on": "2026-01-15", "reason": "Typed March for January"})
        assert ok.status_code == 302
        plan = EhcPlan.objects.get(pk=plan.pk)
        assert plan.first_issued_on == date(2026, 1, 15)
        r1 = Deadline.objects.get(subject_type="ehc_plan", subject_id=plan.pk, rule_id="R1")
        assert r1.due == date(2027, 1, 14)
        assert AnnualReview.objects.get(pk=review.pk).due_date == date(2027, 1, 14)
        entry = AuditEntry.objects.filter(object_type="ehcp.EhcPlan", summary__startswith="Issue date corrected").get()
        assert "from 15 March 2026 to 15 January 2026: Typed March for January" in entry.summary
    # Only casework roles of the school may correct it (the permission matrix covers every role).
    assert demo.client_for("teacher.acorn@oak.test").get(url).status_code == 404
