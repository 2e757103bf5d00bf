"""The pupil record lives in pupils; each app above adds its part, and the old address still arrives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pupils.record import RECORD_PARTS
from register.services import change_status
from tests.factories import make_pupil
from trusts.hooks import DECLARED

pytestmark = pytest.mark.django_db


def test_every_app_adds_its_part_to_the_record() -> None:
    assert RECORD_PARTS in DECLARED and RECORD_PARTS.required
    modules = {build.__module__ for build in RECORD_PARTS}
    assert modules == {
        "register.record",
        "register.referral_record",
        "graduated.record",
        "ehcp.record",
        "reports.record",
        "reports.data_protection_record",
        "pupils.moves",
        "pupils.voice",  # the pupil's "All about me"
    }


def test_the_record_shows_each_apps_part_to_a_senco_and_less_to_a_teacher(demo) -> None:
    from django.utils import timezone
    from django_scopes import scope

    pupil = make_pupil(demo.acorn, legal_surname="Recordpupil")
    with scope(trust=pupil.trust_id):
        change_status(
            pupil=pupil,
            to_status="K",
            actor=demo.user("senco.acorn@oak.test"),
            reason="Speech assessment",
            primary_need="SLCN",
            parents_told_on=timezone.localdate(),
        )
    senco = demo.client_for("senco.acorn@oak.test").get(reverse("pupils:record", args=[pupil.pk])).content.decode()
    assert "Speech, language and communication needs" in senco  # register's block
    assert "Register: Not on the SEN register → SEN support. Speech assessment" in senco  # its timeline
    assert reverse("graduated:pupil", args=[pupil.pk]) in senco
    assert reverse("ehcp:pupil_ehc", args=[pupil.pk]) in senco
    assert reverse("reports:evidence_pack", args=[pupil.pk]) in senco
    assert reverse("pupils:access_log", args=[pupil.pk]) in senco
    # A teacher of the school who does not teach the pupil cannot open it; casework links are for casework roles.
    assert demo.client_for("teacher.acorn@oak.test").get(reverse("pupils:record", args=[pupil.pk])).status_code == 404


def test_the_old_address_redirects_to_the_record_which_does_the_checking(demo) -> None:
    pupil = make_pupil(demo.acorn)
    old = f"/register/pupil/{pupil.pk}/"
    senco = demo.client_for("senco.acorn@oak.test")
    response = senco.get(old)
    assert response.status_code == 301 and response["Location"] == reverse("pupils:record", args=[pupil.pk])
    # Another trust's staff are redirected too, and the record answers them 404 (the redirect says nothing).
    outsider = demo.client_for("senco.willow@river.test")
    assert outsider.get(old, follow=True).status_code == 404
