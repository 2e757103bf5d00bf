"""EHC needs assessments and plans on the pupil record's timeline (pupils.timeline)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from pupils.models import Pupil
from pupils.timeline import Row, TimelineEvent, event_rows
from trusts.models import User
from trusts.permissions import can

from .models import CeaseReason, EhcPlan, NeedsAssessment, PlanVersion


def sources(user: User, pupil: Pupil) -> Iterable[QuerySet[Any]]:
    """Casework staff only (SENCO, headteacher, inclusion lead), as for every EHC page."""
    if not can(user, "casework.view", pupil):
        return []
    assessments = NeedsAssessment.objects.filter(pupil=pupil)
    return [
        event_rows(assessments, kind="ehc_requested", day="request_received_on", note=F("kind")),
        event_rows(assessments, kind="ehc_decided", day="decision_on", note=F("decision")),
        event_rows(assessments, kind="ehc_outcome", day="outcome_on", note=F("outcome")),
        event_rows(
            PlanVersion.objects.filter(plan__pupil=pupil),
            kind="ehc_plan_version",
            day="issued_on",
            ref="plan_id",
            note=Concat(
                F("kind"), Value("|"), Cast("number", output_field=CharField()), Value("|"), F("local_authority")
            ),
        ),
        event_rows(
            EhcPlan.objects.filter(pupil=pupil), kind="ehc_plan_ceased", day="ceased_on", note=F("cease_reason")
        ),
    ]


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _assessment_url(row: Row) -> str:
    return reverse("ehcp:assessment_detail", kwargs={"pk": row["ref"]})


def _requested(row: Row) -> TimelineEvent:
    what = _label(NeedsAssessment.Kind, row["note"])
    return TimelineEvent(row["day"], f"{what} requested.", _assessment_url(row))


def _decided(row: Row) -> TimelineEvent:
    words = _label(NeedsAssessment.Decision, row["note"])
    return TimelineEvent(row["day"], f"EHC needs assessment: {words[0].lower()}{words[1:]}.", _assessment_url(row))


def _outcome(row: Row) -> TimelineEvent:
    words = _label(NeedsAssessment.Outcome, row["note"])
    return TimelineEvent(
        row["day"], f"EHC needs assessment closed: {words[0].lower()}{words[1:]}.", _assessment_url(row)
    )


def _version(row: Row) -> TimelineEvent:
    kind, number, la = (row["note"].split("|", 2) + ["", "", ""])[:3]
    url = reverse("ehcp:plan_detail", kwargs={"pk": row["ref"]})
    if kind == PlanVersion.Kind.ISSUED:
        return TimelineEvent(row["day"], f"EHC plan issued by {la}.", url)
    return TimelineEvent(row["day"], f"Amended EHC plan issued by {la} (version {number}).", url + f"?version={number}")


def _ceased(row: Row) -> TimelineEvent:
    words = _label(CeaseReason, row["note"])
    url = reverse("ehcp:plan_detail", kwargs={"pk": row["ref"]})
    return TimelineEvent(row["day"], f"EHC plan ceased. {words}.", url)


TEXTS = {
    "ehc_requested": _requested,
    "ehc_decided": _decided,
    "ehc_outcome": _outcome,
    "ehc_plan_version": _version,
    "ehc_plan_ceased": _ceased,
}
