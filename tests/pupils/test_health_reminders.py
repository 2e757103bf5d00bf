"""The daily reminder of individual health care plan reviews (pupils.tasks.remind_health_plan_reviews)."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import HealthCarePlan
from pupils.tasks import remind_health_plan_reviews
from tests.factories import pupil_at
from tests.permission_cases.health import make_health_plan
from trusts.models import Notification

pytestmark = pytest.mark.django_db


def _notes() -> list[tuple[str, str]]:
    with scopes_disabled():
        return sorted(
            Notification.objects.filter(kind="health_plan_review").values_list("recipient__email", "dedupe_key")
        )


def test_reminded_once_before_and_once_when_overdue_never_another_trust(demo) -> None:
    plan = make_health_plan(pupil_at(demo, demo.acorn), review_in=40)
    far = make_health_plan(pupil_at(demo, demo.acorn), review_in=300)
    make_health_plan(pupil_at(demo, demo.willow), review_in=400)  # River: not due, so never told
    today = timezone.localdate()
    assert remind_health_plan_reviews() == 0  # 40 days away: not yet

    with time_machine.travel(dt.datetime.combine(today + timedelta(days=10), dt.time(7)), tick=False):  # 30 days to go
        assert remind_health_plan_reviews() == 2
        assert remind_health_plan_reviews() == 0  # idempotent: a rerun tells no one again
    due = f"ihcp:{plan.pk}:due"
    assert _notes() == [("head.acorn@oak.test", due), ("senco.acorn@oak.test", due)]
    with scopes_disabled():
        note = Notification.objects.filter(kind="health_plan_review").first()
    assert note is not None and "Acorn Primary" in note.text and plan.pupil.legal_surname not in note.text
    assert note.link == f"/pupils/{plan.pupil_id}/health/"

    with time_machine.travel(
        dt.datetime.combine(today + timedelta(days=41), dt.time(7)), tick=False
    ):  # overdue: told once more, after days of downtime too
        assert remind_health_plan_reviews() == 2
        assert remind_health_plan_reviews() == 0
    assert len(_notes()) == 4
    assert not any(str(far.pk) in key for _, key in _notes())
    assert all("willow" not in email and "river" not in email for email, _ in _notes())


def test_a_superseded_plan_is_not_reminded_and_another_trusts_due_plan_goes_to_its_own_staff(demo) -> None:
    old = make_health_plan(pupil_at(demo, demo.acorn), review_in=5)
    with scopes_disabled():
        HealthCarePlan.objects.filter(pk=old.pk).update(superseded_at=timezone.now())
    river = make_health_plan(pupil_at(demo, demo.willow), review_in=5)
    assert remind_health_plan_reviews() >= 1
    emails = {email for email, _ in _notes()}
    assert emails and all(email.endswith("river.test") for email in emails)
    assert all(key == f"ihcp:{river.pk}:due" for _, key in _notes())
