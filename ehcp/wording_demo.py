"""Demo data for the wording checks: in the first demo school of each trust, an EHC needs assessment whose draft
plan the LA served 4 days ago, with its vague wording pasted in (provision with "access to", "regular", "up to",
an outcome with no measure or timescale, a need with no provision, an empty section C), so the SENCO opens a
draft with specific findings and their sources, and an A5 reply to write. Idempotent: a trust that has the
assessment is left alone. Runs inside seed_demo (tenant scope disabled), through the ehcp services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from trusts.models import Membership, Role

from . import services, wording
from .demo import first_school_of_each_trust, support_pupil_without_ehc
from .models import NeedsAssessment

NOTE = "Demo: a draft plan with vague wording, served 4 days ago."
VAGUE_DRAFT = {
    "A": "Enjoys football and building things. Wants to be a mechanic. Says lessons are too noisy.",
    "B": (
        "Has difficulties with speech, language and communication: finds it hard to follow spoken instructions "
        "and has a limited vocabulary for their age.\n\n"
        "Has difficulty with fine motor skills and handwriting, and tires quickly when writing.\n\n"
        "Can become anxious at unstructured times such as lunchtime."
    ),
    "C": "",
    "D": "No social care needs.",
    "E": (
        "- Will improve their communication skills.\n"
        "- By the end of Key Stage 2, will follow two-step spoken instructions in class on 4 out of 5 occasions.\n"
        "- Will be supported to manage their anxiety."
    ),
    "F": (
        "- Access to a quiet space when needed.\n"
        "- Regular speech and language therapy.\n"
        "- Up to 10 hours a week of teaching assistant support in class.\n"
        "- Opportunities to join a social skills group.\n"
        "- A 20-minute one-to-one vocabulary session every day with a trained teaching assistant."
    ),
    "G": "Review by the community paediatrician once a year.",
    "H1": "None.",
    "H2": "None.",
    "I": "Mainstream primary school (the school consulted).",
    "J": "No personal budget.",
    "K": "Educational psychologist's advice; speech and language therapy advice; the school's advice.",
}


@transaction.atomic
def seed_wording(objects: dict[str, Any]) -> str:
    today = timezone.localdate()
    served = today - timedelta(days=4)
    received = served - timedelta(weeks=14)
    made = 0
    for trust_id, school in first_school_of_each_trust(objects["schools"]).items():
        if NeedsAssessment.objects.filter(trust_id=trust_id, notes=NOTE).exists():
            continue
        senco = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
        pupil = support_pupil_without_ehc(school, newest=True)
        if senco is None or pupil is None:
            continue
        actor = senco.user
        a = services.request_assessment(
            pupil=pupil, requested_by="school", request_received_on=received, actor=actor, notes=NOTE
        )
        steps = [
            ("decision", received + timedelta(weeks=5)),
            ("advice_requested", received + timedelta(weeks=5, days=2)),
            ("advice_sent", received + timedelta(weeks=9)),
            ("draft_served", served),
        ]
        for event, on in steps:
            extra = {"decision": "assess"} if event == "decision" else {}
            services.record_assessment_event(assessment=a, event=event, on=on, actor=actor, **extra)
        wording.record_wording(subject=a, received_on=served, sections=VAGUE_DRAFT, actor=actor)
        made += 1
    return f"{made} draft plan{'s' if made != 1 else ''} with vague wording to check." if made else ""
