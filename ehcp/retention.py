"""ehcp's part of destroying a former pupil's record and of a subject access export (pupils.retention).

Beyond what cascades from the pupil: the wording checks of their drafts go with them; the plans' PDFs and
the consultation drafts leave storage; and a consultation linked to the pupil (its foreign key is SET_NULL,
so it would otherwise keep the child's name and date of birth) is deleted with its deadlines.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from pupils.models import Pupil
from pupils.retention import Destroyed, delete_rows, rows_of

from .models import (
    Consultation,
    Deadline,
    DraftWording,
    EhcPlan,
    NeedsAssessment,
    PhaseTransfer,
    PlanOutcome,
    PlanVersion,
    ProvisionLine,
    SubjectType,
)


def _records(pupil: Pupil) -> list[QuerySet[Any]]:
    consultations = Consultation.objects.filter(pupil=pupil)
    return [
        DraftWording.objects.filter(
            Q(pupil=pupil) | Q(consultation__pupil=pupil) | Q(assessment__pupil=pupil) | Q(plan__pupil=pupil)
        ),
        Deadline.objects.filter(
            Q(pupil=pupil)
            | Q(subject_type=SubjectType.CONSULTATION, subject_id__in=list(consultations.values_list("pk", flat=True)))
        ),
        consultations,
        PhaseTransfer.objects.filter(pupil=pupil),
        ProvisionLine.objects.filter(version__plan__pupil=pupil),
        PlanOutcome.objects.filter(version__plan__pupil=pupil),
        PlanVersion.objects.filter(plan__pupil=pupil),
        EhcPlan.objects.filter(pupil=pupil),
        NeedsAssessment.objects.filter(pupil=pupil),
    ]


def destroy_pupil_records(pupil: Pupil) -> Destroyed:
    """Deadlines, consultations, assessments, plans and their versions; their files after commit."""
    files = [(v.pdf.storage, v.pdf.name) for v in PlanVersion.objects.filter(plan__pupil=pupil).exclude(pdf="")]
    files += [(c.draft.storage, c.draft.name) for c in Consultation.objects.filter(pupil=pupil).exclude(draft="")]
    return Destroyed(counts=delete_rows(*_records(pupil)), files=files)


def export_pupil_records(pupil: Pupil) -> dict[str, list[dict[str, Any]]]:
    return rows_of(*_records(pupil))
