"""The demo's access arrangements: Beech Academy's pupil with 25% extra time and a reader, and one to review
after a move from Acorn Primary; seeding twice adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from graduated import queries
from graduated.demo.arrangements import seed_access_arrangements
from graduated.models import AccessArrangement
from register.demo import seed_pupils_and_register
from trusts.demo import seed_tenancy

pytestmark = pytest.mark.django_db


def test_demo_seeds_arrangements_once() -> None:
    with scopes_disabled():
        objects = seed_tenancy()
        seed_pupils_and_register(objects)
        assert seed_access_arrangements(objects) == "4 access arrangements."
        assert seed_access_arrangements(objects) == "Access arrangements were already there."
        beech = objects["schools"]["beech"]
        exam = AccessArrangement.objects.get(kind="extra_time", school=beech)
        assert exam.extra_time_percent == 25 and exam.form8_document_id is not None
        reader = AccessArrangement.objects.get(pupil=exam.pupil, kind="reader", status="granted")
        assert reader.form8_document_id == exam.form8_document_id  # one Form 8 covers both
    with scope(trust=beech.trust_id):
        due = queries.arrangements_due_for_review(beech, today=timezone.localdate())
        moved = [a for a in due if a.not_confirmed]
        assert len(moved) == 2 and "not yet confirmed at Beech Academy" in moved[0].review_note
