"""Access arrangements do not carry over: a move to another school, or into a new phase (Year 6 to Year 7,
Year 11 to Year 12), brings them up for review there instead of letting them continue silently."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from graduated import queries, services
from graduated.models import AccessArrangement
from graduated.services.arrangement_review import sweep_arrangements
from pupils.models import Pupil
from pupils.moves import record_move
from tests.factories import pupil_at
from tests.permission_cases.graduated import casework_user
from trusts.models import Notification

TODAY = timezone.localdate()
Status = AccessArrangement.Status


def _granted(demo, school, **pupil_fields) -> AccessArrangement:
    pupil = pupil_at(demo, school, **pupil_fields)
    with scope(trust=school.trust_id):
        return services.record_arrangement(
            pupil=pupil,
            actor=casework_user(school),
            kind=AccessArrangement.Kind.COLOUR_OVERLAY,
            status=Status.GRANTED,
            normal_way_of_working="Uses a yellow overlay for all reading in class.",
            assessor_name="Sam Hughes",
            assessor_qualification="SENCO, NASENCO award",
            granted_on=TODAY - timedelta(days=60),
            review_on=TODAY + timedelta(days=200),
        )


def test_a_move_brings_the_arrangements_up_for_review_at_the_new_school(demo) -> None:
    arrangement = _granted(demo, demo.acorn, year_group="5")
    with scope(trust=demo.oak.pk):
        result = record_move(pupil=arrangement.pupil, to_school=demo.beech, moved_on=TODAY, actor=None)
        arrangement.refresh_from_db()
        assert arrangement.status == Status.TO_REVIEW
        assert arrangement.school_id == demo.beech.pk
        assert "Acorn Primary" in arrangement.review_reason and "Beech Academy" in arrangement.review_reason
        assert any("access arrangement" in line for line in result.lines)
        # On the new SENCO's list, marked as not yet confirmed; gone from the old school's.
        due = queries.arrangements_due_for_review(demo.beech, today=TODAY)
        assert [a.pk for a in due] == [arrangement.pk]
        assert queries.arrangements_due_for_review(demo.acorn, today=TODAY) == []
        shown = queries.arrangements_of(arrangement.pupil)
        assert shown[0].not_confirmed and "not yet confirmed" in shown[0].review_note


def test_a_new_phase_brings_them_up_for_review_even_before_the_sweep(demo) -> None:
    arrangement = _granted(demo, demo.beech, year_group="6")
    with scopes_disabled():
        Pupil.objects.filter(pk=arrangement.pupil_id).update(year_group="7")  # the MIS import's new year
    with scope(trust=demo.oak.pk):
        pupil = Pupil.objects.get(pk=arrangement.pupil_id)
        shown = queries.arrangements_of(pupil)
        assert shown[0].not_confirmed
        assert "Year 6" in shown[0].review_note and "secondary" in shown[0].review_note
        assert [a.pk for a in queries.arrangements_due_for_review(demo.beech, today=TODAY)] == [arrangement.pk]
        # The sweep records it and tells the SENCO once, however often it runs.
        sweep_arrangements(trust_id=demo.oak.pk, today=TODAY)
        sweep_arrangements(trust_id=demo.oak.pk, today=TODAY)
        arrangement.refresh_from_db()
        assert arrangement.status == Status.TO_REVIEW
        senco = casework_user(demo.beech)
        assert Notification.objects.filter(recipient=senco, kind="access.to_review").count() == 1


def test_year_11_to_year_12_is_a_new_phase_but_year_10_to_11_is_not(demo) -> None:
    sixth = _granted(demo, demo.beech, year_group="11")
    stays = _granted(demo, demo.beech, year_group="10")
    with scopes_disabled():
        Pupil.objects.filter(pk=sixth.pupil_id).update(year_group="12")
        Pupil.objects.filter(pk=stays.pupil_id).update(year_group="11")
    with scope(trust=demo.oak.pk):
        sweep_arrangements(trust_id=demo.oak.pk, today=TODAY)
        sixth.refresh_from_db()
        stays.refresh_from_db()
    assert sixth.status == Status.TO_REVIEW and "post-16" in sixth.review_reason
    assert stays.status == Status.GRANTED
