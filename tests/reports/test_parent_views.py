"""Parents give their views before a support-plan review or an annual review, and add their own reports."""

from __future__ import annotations

from django.urls import reverse

from tests.permission_cases.graduated import active_cycle


def test_a_parent_is_asked_for_their_views_before_a_support_plan_review(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    page = demo.client_for("parent.acorn@oak.test").get(reverse("reports:portal_child", args=[cycle.pupil_id]))
    assert "Tell us your views before the review" in page.content.decode()
