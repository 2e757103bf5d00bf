"""The road of an EHC needs assessment on its page: each statutory step with who acts, its date by law and
where it is (done, next, late, not yet, not needed); only the steps possible next are offered; a step that
cannot come yet is refused naming the step before it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from ehcp import road, services
from ehcp.models import Deadline, NeedsAssessment
from tests.permission_cases.ehcp import k_pupil

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 1)  # 8 weeks after the request of 4 May: the LA's 6 weeks (A1) ran out on 15 June


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
        return services.request_assessment(
            pupil=pupil, requested_by="parent", request_received_on=date(2026, 5, 4), actor=senco
        )


def _event(demo, a, senco, name, on, **kw) -> NeedsAssessment:
    with scope(trust=demo.oak.pk):
        return services.record_assessment_event(assessment=a, event=name, on=on, actor=senco, **kw)


def _road(demo, a) -> dict[str, road.Step]:
    with scope(trust=demo.oak.pk):
        a = NeedsAssessment.objects.get(pk=a.pk)
        deadlines = list(Deadline.objects.filter(subject_type="needs_assessment", subject_id=a.pk))
        return {s.key: s for s in road.steps_of(a, deadlines, TODAY)}


def _offered(demo, a) -> list[str]:
    with scope(trust=demo.oak.pk):
        return road.next_events(NeedsAssessment.objects.get(pk=a.pk), services.EVENTS)


def test_a_new_request_waits_on_the_las_decision_which_is_late(demo, requested) -> None:
    steps = _road(demo, requested)
    assert [s.key for s in steps.values()] == [
        "request", "decision", "advice_requested", "advice_sent", "no_plan", "draft_served",
        "parent_comments", "consultation_sent", "final_plan",
    ]  # fmt: skip
    assert steps["request"].state == "done"
    decision = steps["decision"]
    assert (decision.state, decision.due, decision.days_late, decision.who) == (
        "late", date(2026, 6, 15), 16, "Local authority"
    )  # fmt: skip
    assert {k: s.state for k, s in steps.items() if k not in {"request", "decision"}} == {
        "advice_requested": "waiting", "advice_sent": "waiting", "no_plan": "waiting", "draft_served": "waiting",
        "parent_comments": "waiting", "consultation_sent": "waiting", "final_plan": "waiting",
    }  # fmt: skip
    assert steps["final_plan"].due == date(2026, 9, 21)  # A6: 20 weeks from 4 May
    assert _offered(demo, requested) == ["decision", "withdrawn"]


def test_each_step_offers_only_what_can_come_next(demo, requested, senco) -> None:
    a = _event(demo, requested, senco, "decision", date(2026, 6, 10), decision="assess")
    assert _offered(demo, a) == ["advice_requested", "draft_served", "no_plan", "withdrawn"]
    steps = _road(demo, a)
    assert (steps["decision"].state, steps["decision"].days_late, steps["decision"].note) == (
        "done", 0, "The LA will assess"
    )  # fmt: skip
    a = _event(demo, a, senco, "advice_requested", date(2026, 6, 12))
    assert _offered(demo, a) == ["advice_sent", "draft_served", "no_plan", "withdrawn"]
    assert _road(demo, a)["advice_sent"].state == "due"
    a = _event(demo, a, senco, "draft_served", date(2026, 6, 26))
    assert _offered(demo, a) == ["advice_sent", "school_consulted", "parent_comments", "consultation_sent", "withdrawn"]
    steps = _road(demo, a)
    assert steps["no_plan"].state == "not_needed"
    assert (steps["parent_comments"].state, steps["parent_comments"].due, steps["parent_comments"].who) == (
        "due", date(2026, 7, 10), "Parent or young person"  # 15 days counting the day served
    )  # fmt: skip


def test_the_page_shows_the_road_and_offers_only_the_next_steps(demo, requested) -> None:
    page = demo.client_for("senco.acorn@oak.test").get(reverse("ehcp:assessment_detail", args=[requested.pk]))
    html = page.content.decode()
    assert "Week 8 of 20 since the LA received the request." in html
    assert "Late</strong> by 16 days" in html
    offered = html[html.index("Record what happened") :]
    assert "The LA&#x27;s decision whether to assess" in offered
    assert "The request was withdrawn" in offered
    for not_yet in ("The final EHC plan was issued", "Draft EHC plan served", "The school sent its advice"):
        assert not_yet not in offered


def test_a_step_that_cannot_come_yet_is_refused_naming_the_step_before(demo, requested, senco) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("ehcp:assessment_event", args=[requested.pk, "parent_comments"])
    for response in (client.get(url, follow=True), client.post(url, {"on": "2026-06-20"}, follow=True)):
        assert response.redirect_chain[-1][0] == reverse("ehcp:assessment_detail", args=[requested.pk])
        assert (
            "The parent commented on the draft: record when the draft plan was served first"
            in response.content.decode()
        )
    with pytest.raises(ValidationError, match="Record the LA's decision to assess first"):
        _event(demo, requested, senco, "draft_served", date(2026, 6, 20))


def test_an_out_of_order_date_names_the_earlier_step(demo, requested, senco) -> None:
    a = _event(demo, requested, senco, "decision", date(2026, 6, 10), decision="assess")
    a = _event(demo, a, senco, "advice_requested", date(2026, 6, 12))
    with pytest.raises(ValidationError, match="the LA's request for the school's advice on 12 June 2026"):
        _event(demo, a, senco, "decision", date(2026, 6, 20), decision="assess")


def test_a_closed_assessment_offers_only_late_completions(demo, requested, senco) -> None:
    a = _event(demo, requested, senco, "decision", date(2026, 6, 10), decision="assess")
    a = _event(demo, a, senco, "advice_requested", date(2026, 6, 12))
    a = _event(demo, a, senco, "no_plan", date(2026, 6, 30))
    assert _offered(demo, a) == ["advice_sent"]
    steps = _road(demo, a)
    assert steps["no_plan"].state == "done"
    assert steps["draft_served"].state == steps["final_plan"].state == "not_needed"
