"""The review page offers a step exactly when the service would accept it (reviews.permitted is both)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from reviews import services
from reviews.queries import review_page
from tests.permission_cases.reviews import casework_user, make_review

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _accepts(call) -> bool:
    try:
        call()
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("stage", ["planning", "scheduled", "held", "report_sent"])
def test_each_offered_step_is_one_the_service_accepts(demo, stage) -> None:
    review = make_review(demo, demo.acorn, stage=stage)
    actor = casework_user(demo.acorn)
    with scope(trust=review.trust_id):
        may = review_page(review).may
        # Each service call runs in a savepoint that is rolled back, so one check does not change the next.
        from django.db import transaction

        def trial(call):
            with transaction.atomic():
                ok = _accepts(call)
                transaction.set_rollback(True)
            return ok

        meeting = (review.meeting_date or TODAY) + timedelta(days=1)
        assert may.schedule == trial(
            lambda: services.schedule_meeting(review=review, meeting_date=meeting, actor=actor)
        )
        assert may.cancel == trial(lambda: services.cancel_review(review=review, reason="Pupil left", actor=actor))
        assert may.change_invitees == trial(
            lambda: services.add_invitee(review=review, role="parent", name="A Parent", email="", actor=actor)
        )
        assert may.record_report == trial(
            lambda: services.record_report_sent(review=review, sent_on=review.held_on or TODAY, actor=actor)
        )


def test_a_completed_review_no_longer_offers_or_accepts_a_new_report_date(demo) -> None:
    review = make_review(demo, demo.acorn, stage="report_sent")
    actor = casework_user(demo.acorn)
    with scope(trust=review.trust_id):
        review = services.record_la_decision(review=review, decision="keep", decided_on=TODAY, actor=actor)
        review.refresh_from_db()
        assert review.status == review.Status.COMPLETED
        assert review_page(review).may.record_report is False
        with pytest.raises(ValidationError, match="This review is complete"):
            services.record_report_sent(review=review, sent_on=TODAY, actor=actor)
    page = demo.client_for("senco.acorn@oak.test").get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert reverse("reviews:report_sent", args=[review.pk]) not in page
