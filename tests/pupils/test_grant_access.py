"""What a person with an access grant sees, and until when: cover teachers chosen from the school's
teachers, external professionals, the end date (time-machine) and the nightly expiry task."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from pupils import grants, tasks
from pupils.models import AccessGrant, PupilUserObjectPermission
from tests.factories import make_pupil, pupil_at
from tests.permission_cases.documents import make_document, make_external_user, make_grant
from tests.pupils.grant_helpers import SENCO, has_permission, invite, signed_in, visible
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------- cover teachers


def test_cover_teacher_is_chosen_from_the_schools_teachers_and_sees_only_that_pupil(demo) -> None:
    pupil, other = make_pupil(demo.acorn), make_pupil(demo.acorn)  # not in the teacher's class
    teacher = demo.user("teacher.acorn@oak.test")
    assert pupil.pk not in visible(teacher)
    with scope(trust=demo.oak.pk):
        choices = set(grants.cover_teacher_choices(pupil).values_list("email", flat=True))
    assert choices == {"teacher.acorn@oak.test", "ta.acorn@oak.test"}
    response = signed_in(demo.user(SENCO)).post(
        reverse("pupils:grant_cover", args=[pupil.pk]),
        {
            "teacher": teacher.pk,
            "ends_on": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
            "reason": "Covering 4C this week",
        },
    )
    assert response.status_code == 302
    assert pupil.pk in visible(teacher) and other.pk not in visible(teacher)
    with scope(trust=demo.oak.pk):
        assert AccessGrant.objects.get().kind == "cover"
        assert Notification.objects.filter(recipient=teacher, kind="access.granted").exists()


def test_cover_grant_refuses_people_who_are_not_teachers_of_the_school(demo) -> None:
    pupil = make_pupil(demo.acorn)
    client = signed_in(demo.user(SENCO))
    for email in ("senco.beech@oak.test", "teacher.willow@river.test", "governor.acorn@oak.test"):
        response = client.post(
            reverse("pupils:grant_cover", args=[pupil.pk]),
            {"teacher": demo.user(email).pk, "ends_on": dt.date.today().isoformat(), "reason": "Cover"},
        )
        assert "Choose a teacher or teaching assistant from the list." in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert not AccessGrant.objects.exists()
        with pytest.raises(ValidationError, match="already sees this pupil's record through their role"):
            grants.grant_external_access(
                pupil=pupil,
                email="head.acorn@oak.test",
                full_name="Sarah Whitfield",
                profession="Headteacher",
                ends_on=dt.date.today(),
                reason="r",
                actor=demo.user(SENCO),
            )


@pytest.mark.parametrize("email", ["teacher.willow@river.test", "senco.beech@oak.test", "parent.acorn@oak.test"])
def test_cover_service_refuses_anyone_but_a_teacher_or_ta_of_the_school(demo, email) -> None:
    pupil = make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as refused:
        grants.grant_cover_access(
            pupil=pupil, teacher=demo.user(email), ends_on=dt.date.today(), reason="Cover", actor=demo.user(SENCO)
        )
    assert refused.value.message_dict == {"teacher": ["Choose a teacher or teaching assistant of Acorn Primary."]}
    assert not PupilUserObjectPermission.objects.exists()


# ---------------------------------------------------------------------- what a grantee sees, and when


def test_external_professional_sees_only_the_granted_pupil(demo) -> None:
    pupil, other_same_class = pupil_at(demo, demo.acorn), pupil_at(demo, demo.acorn)
    beech_pupil = pupil_at(demo, demo.beech)
    professional = make_external_user(demo.oak)
    make_grant(pupil, professional)
    assert visible(professional) == {pupil.pk}
    client = signed_in(professional)
    page = client.get(reverse("pupils:shared_with_me")).content.decode()
    assert pupil.display_name in page
    assert other_same_class.display_name not in page and beech_pupil.display_name not in page
    assert client.get(reverse("pupils:document_upload", args=[pupil.pk])).status_code == 200
    for not_granted in (other_same_class, beech_pupil):
        assert client.get(reverse("pupils:document_upload", args=[not_granted.pk])).status_code == 404
    # A grantee never manages access.
    assert client.get(reverse("pupils:access_grants", args=[pupil.pk])).status_code == 404


def test_access_stops_the_day_after_the_end_date_and_the_nightly_task_tidies_up(demo) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        pupil = pupil_at(demo, demo.acorn)
        document = make_document(pupil)
        professional = make_external_user(demo.oak)
        grant = invite(demo, pupil, email=professional.email, ends_on=dt.date(2026, 3, 20))
    client = signed_in(professional)
    download = reverse("pupils:document_download", args=[pupil.pk, document.pk])

    # The end date itself, late in the evening: still allowed (dates are Europe/London).
    with time_machine.travel(dt.datetime(2026, 3, 20, 23, 30, tzinfo=dt.UTC), tick=False):
        assert visible(professional) == {pupil.pk}
        assert pupil.display_name in client.get(reverse("pupils:shared_with_me")).content.decode()
        assert client.get(download).status_code == 200
        assert tasks.expire_access_grants() == 0

    # The day after: gone from the query and the pages, even before the task runs.
    with time_machine.travel(dt.datetime(2026, 3, 21, 0, 30, tzinfo=dt.UTC), tick=False):
        assert visible(professional) == set()
        client.force_login(professional)  # a fresh session (the old one would have idled out)
        page = client.get(reverse("pupils:shared_with_me")).content.decode()
        assert pupil.display_name not in page and "No pupils are shared with you" in page
        assert client.get(download).status_code == 404
        assert client.get(reverse("pupils:document_upload", args=[pupil.pk])).status_code == 404
        assert has_permission(professional, pupil)

        assert tasks.expire_access_grants() == 1
        assert not has_permission(professional, pupil)
        assert tasks.expire_access_grants() == 0  # idempotent
        with scope(trust=demo.oak.pk):
            expired = AuditEntry.objects.filter(action="revoke", object_id=str(grant.pk))
            assert expired.count() == 1
            assert expired.get().actor is None


def test_expiry_task_works_trust_by_trust_and_keeps_grants_in_force(demo) -> None:
    today = dt.date.today()
    oak_pupil, river_pupil, kept_pupil = (
        pupil_at(demo, demo.acorn),
        pupil_at(demo, demo.willow),
        pupil_at(demo, demo.acorn),
    )
    oak_person, river_person = make_external_user(demo.oak), make_external_user(demo.river)
    make_grant(oak_pupil, oak_person, ends_on=today - dt.timedelta(days=3))
    make_grant(river_pupil, river_person, ends_on=today - dt.timedelta(days=1))
    make_grant(kept_pupil, oak_person, ends_on=today)
    assert tasks.expire_access_grants() == 2
    assert not has_permission(oak_person, oak_pupil) and not has_permission(river_person, river_pupil)
    assert has_permission(oak_person, kept_pupil)
    assert visible(oak_person) == {kept_pupil.pk}
