"""The EHC needs-assessment evidence pack: a PDF with the pupil's history, cycles, provision and costs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from graduated import services as graduated
from register.services import change_status
from tests.factories import pupil_at
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_evidence_pack_reads_back(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, legal_surname="Okonkwo")
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        change_status(
            pupil=pupil,
            to_status="K",
            actor=senco,
            reason="Two terms of APDR",
            primary_need="SLCN",
            parents_told_on=TODAY,
        )
        cycle = graduated.start_cycle(pupil=pupil, actor=senco)
        graduated.add_outcome(
            cycle=cycle,
            actor=senco,
            description="Use five new topic words in a sentence",
            baseline="1 word",
            target="5 words",
            measured_by="Weekly probe",
        )
        graduated.confirm_plan(
            cycle=cycle,
            actor=senco,
            review_date=TODAY + dt.timedelta(days=30),
            expected_impact="Better vocabulary",
            notify_staff=False,
        )
    response = demo.client_for("senco.acorn@oak.test").get(reverse("reports:evidence_pack", args=[pupil.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Evidence for an EHC needs assessment",
        "Okonkwo",
        pupil.upn,
        "Two terms of APDR",
        "Use five new topic words in a sentence",
        "Cycle 1",
    ):
        assert expected in text
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(pupil_id=pupil.pk, action="export").count() == 1


def test_evidence_pack_only_for_casework_roles(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    url = reverse("reports:evidence_pack", args=[pupil.pk])
    for email in (
        "teacher.acorn@oak.test",
        "ta.acorn@oak.test",
        "governor.acorn@oak.test",
        "parent.acorn@oak.test",
        "senco.beech@oak.test",
        "lead@river.test",
        "trustee@oak.test",
    ):
        assert demo.client_for(email).get(url).status_code == 404
    assert demo.client_for("lead@oak.test").get(url).status_code == 200


def test_evidence_pack_lists_meetings_with_parents(demo) -> None:
    """A pupil with a parent meeting: the pack lists it (it used to answer 500 on a template lookup)."""
    pupil = pupil_at(demo, demo.acorn)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        graduated.record_parent_meeting(
            pupil=pupil,
            actor=senco,
            held_on=TODAY - dt.timedelta(days=3),
            attendees="Mother, SENCO",
            agreed_actions="Try a visual timetable at home",
        )
        graduated.record_parent_meeting(
            pupil=pupil,
            actor=senco,
            held_on=TODAY - dt.timedelta(days=1),
            attendees="Father, class teacher",
            notes="Talked through the reading plan",
        )
    client = demo.client_for("senco.acorn@oak.test")
    client.raise_request_exception = False
    response = client.get(reverse("reports:evidence_pack", args=[pupil.pk]))
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Meetings with parents" in text
    assert "Try a visual timetable at home" in text
    assert "Mother, SENCO" in text
    assert "Talked through the reading plan" in text
    assert (TODAY - dt.timedelta(days=3)).strftime("%-d %b %Y") in text
