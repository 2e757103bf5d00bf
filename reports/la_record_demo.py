"""Demo data for the local authorities' record: in the first demo school of each trust, one more request for an
EHC needs assessment, received 14 weeks ago, on which the LA decided 9 days after the 6 weeks of A1 (SEND Regs
2014 reg 5). With the request ehcp.demo leaves undecided after 8 weeks, the LA has one deadline met late and one
overdue, so the inclusion lead's escalation letter has content. Idempotent: a trust that has the request is
left alone. Runs inside seed_demo (tenant scope disabled), through the ehcp services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ehcp import services as ehcp
from ehcp.demo import first_school_of_each_trust, support_pupil_without_ehc
from ehcp.models import NeedsAssessment
from trusts.models import Membership, Role

NOTE = "Demo: the LA decided 9 days after the 6 weeks."
DAYS_LATE = 9


@transaction.atomic
def seed_la_record(objects: dict[str, Any]) -> str:
    today = timezone.localdate()
    received = today - timedelta(weeks=14)
    made = 0
    for trust_id, school in first_school_of_each_trust(objects["schools"]).items():
        if NeedsAssessment.objects.filter(trust_id=trust_id, notes=NOTE).exists():
            continue
        lead = Membership.objects.filter(trust_id=trust_id, role=Role.INCLUSION_LEAD).select_related("user").first()
        pupil = support_pupil_without_ehc(school)
        if lead is None or pupil is None:
            continue
        assessment = ehcp.request_assessment(
            pupil=pupil, requested_by="school", request_received_on=received, actor=lead.user, notes=NOTE
        )
        ehcp.record_assessment_event(
            assessment=assessment,
            event="decision",
            on=received + timedelta(weeks=6, days=DAYS_LATE),
            decision="assess",
            actor=lead.user,
        )
        made += 1
    return f"{made} LA decisions made late for the local authorities' record." if made else ""
