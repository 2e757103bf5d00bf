"""When a service refuses a field, its message is beside that field and a link to it in the error summary
(GOV.UK error pattern, WCAG 3.3.1), not only plain text at the top; length limits are shown, never cut
silently by the browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.permission_cases.concerns import make_concern
from tests.permission_cases.ehcp import k_pupil
from tests.permission_cases.graduated import active_cycle

pytestmark = pytest.mark.django_db
TOMORROW = (timezone.localdate() + timedelta(days=1)).isoformat()


def _beside(response, field: str, message: str) -> None:
    form = response.context["form"]
    assert message in " ".join(form.errors.get(field, [])), form.errors
    html = response.content.decode().replace("&#x27;", "'")
    assert f'id="id_{field}_error"' in html
    assert f'href="#id_{field}' in html  # the summary links to the field


def test_triage_without_a_primary_need_says_so_beside_the_field(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    response = client.post(
        reverse("register:concern_triage", kwargs={"pk": concern.pk}),
        {"outcome": "sen_support", "notes": "Needs support", "parents_told_on": timezone.localdate().isoformat()},
    )
    _beside(response, "primary_need", "Choose the primary type of need")


def test_a_future_date_on_an_ehc_request_says_so_beside_the_date(demo) -> None:
    pupil = k_pupil(demo, demo.acorn)
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("ehcp:assessment_new", kwargs={"pupil_id": pupil.pk}),
        {"kind": "initial", "requested_by": "school", "request_received_on": TOMORROW},
    )
    _beside(response, "request_received_on", "cannot be in the future")


def test_a_future_session_date_says_so_beside_the_date(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    client = demo.client_for("ta.acorn@oak.test")
    with scopes_disabled():
        allocation_id = cycle.allocations.get().pk
    response = client.post(
        reverse("graduated:log_session", args=[cycle.pupil_id]),
        {"allocation": allocation_id, "session_date": TOMORROW, "attended": "yes"},
    )
    _beside(response, "session_date", "The session date cannot be in the future.")


def test_limits_are_shown_and_not_cut_by_the_browser(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    html = demo.client_for("ta.acorn@oak.test").get(reverse("graduated:log_session", args=[cycle.pupil_id]))
    page = html.content.decode()
    assert "maxlength=" not in page.split('id="app-header-search"')[-1].split("</header>")[-1]
    assert "At most 300 characters." in page


def test_a_step_dated_before_the_request_says_so_beside_the_date(demo) -> None:
    from tests.permission_cases.ehcp import make_assessment

    received = timezone.localdate() - timedelta(days=10)
    assessment = make_assessment(demo, demo.acorn, received=received)
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("ehcp:assessment_event", kwargs={"pk": assessment.pk, "event": "decision"}),
        {"on": (received - timedelta(days=1)).isoformat(), "decision": "assess"},
    )
    _beside(response, "on", "The date cannot be before the request was received")


def test_annual_review_dates_are_refused_beside_their_field(demo) -> None:
    from tests.permission_cases.reviews import make_review

    client = demo.client_for("senco.acorn@oak.test")
    held = make_review(demo, demo.acorn, stage="held")
    response = client.post(reverse("reviews:report_sent", kwargs={"pk": held.pk}), {"sent_on": TOMORROW})
    _beside(response, "sent_on", "cannot be in the future")
    planning = make_review(demo, demo.acorn)
    far = (timezone.localdate() + timedelta(days=800)).isoformat()
    response = client.post(reverse("reviews:schedule", kwargs={"pk": planning.pk}), {"meeting_date": far})
    _beside(response, "meeting_date", "within the next two years")


def test_a_step_before_the_decision_to_assess_says_so_beside_the_date(demo) -> None:
    from tests.permission_cases.ehcp import make_assessment

    received = timezone.localdate() - timedelta(days=20)
    assessment = make_assessment(demo, demo.acorn, received=received)
    client = demo.client_for("senco.acorn@oak.test")
    decided = (received + timedelta(days=10)).isoformat()
    url = reverse("ehcp:assessment_event", kwargs={"pk": assessment.pk, "event": "decision"})
    assert client.post(url, {"on": decided, "decision": "assess"}).status_code == 302
    response = client.post(
        reverse("ehcp:assessment_event", kwargs={"pk": assessment.pk, "event": "advice_requested"}),
        {"on": (received + timedelta(days=5)).isoformat()},
    )
    _beside(response, "on", "cannot be before the LA's decision to assess")
