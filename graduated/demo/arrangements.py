"""Demo access arrangements: at Beech Academy a Year 10 pupil with 25% extra time and a reader (JCQ Form 8
on file), and a Year 7 pupil whose arrangements from Acorn Primary are to review after the move."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pupils.models import Pupil
from trusts.dates import academic_year_start

from .. import services
from ..models import AccessArrangement
from ..phases import phase_of_year

Kind = AccessArrangement.Kind
Status = AccessArrangement.Status

# A minimal valid PDF standing in for the scanned Form 8.
FORM_8_PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
)
ASSESSOR = {"assessor_name": "Priya Shah", "assessor_qualification": "Specialist teacher, Level 7 (AMBDA)"}


def _first(school: Any, year: str) -> Pupil | None:
    return (
        Pupil.objects.filter(school=school, year_group=year, leaving_date=None, access_arrangements=None)
        .order_by("pk")
        .first()
    )


def seed_access_arrangements(objects: dict[str, Any]) -> str:
    """Idempotent: a school that already has arrangements is left alone. Runs with scopes disabled."""
    schools, users = objects["schools"], objects["users"]
    beech, acorn = schools.get("beech"), schools.get("acorn")
    senco = users.get("senco.beech@oak.test")
    if beech is None or acorn is None or senco is None:
        return ""
    if AccessArrangement.objects.filter(school=beech).exists():
        return "Access arrangements were already there."
    today = timezone.localdate()
    made = 0
    exam = _first(beech, "10")
    if exam is not None:
        form8 = {"form8_completed_on": today - timedelta(days=60), "form8_completed_by": ASSESSOR["assessor_name"]}
        common = {
            "status": Status.GRANTED,
            "granted_on": today - timedelta(days=45),
            "review_on": today + timedelta(days=25),  # due for review soon: on the list and reminded
            "standardised_scores": "Reading speed (TOWRE-2) 76; speed of processing (SDMT) 79; 12 May.",
            "normal_way_of_working": "Uses extra time and has questions read aloud in class tests and mocks.",
            **ASSESSOR,
            **form8,
        }
        services.record_arrangement(
            pupil=exam,
            actor=senco,
            kind=Kind.EXTRA_TIME,
            extra_time_percent=25,
            form8_file=SimpleUploadedFile("JCQ Form 8.pdf", FORM_8_PDF, content_type="application/pdf"),
            **common,
        )
        services.record_arrangement(pupil=exam, actor=senco, kind=Kind.READER, **common)
        made += 2
    arrived = _first(beech, "7")
    if arrived is not None:
        # Granted at Acorn in Year 6, then the pupil moved up to Beech: what the move does to them.
        for kind in (Kind.COLOUR_OVERLAY, Kind.REST_BREAKS):
            AccessArrangement.objects.create(
                trust_id=acorn.trust_id,
                school=acorn,
                pupil=arrived,
                kind=kind,
                status=Status.GRANTED,
                normal_way_of_working="Used in every lesson and in the Year 6 tests.",
                granted_on=today - timedelta(days=300),
                review_on=today + timedelta(days=60),
                phase=phase_of_year("6"),
                granted_year_group="6",
                recorded_by=senco,
                **ASSESSOR,
            )
        services.move_arrangements(
            pupil=arrived, from_school=acorn, to_school=beech, moved_on=academic_year_start(today), actor=None
        )
        made += 2
    return f"{made} access arrangements." if made else ""
