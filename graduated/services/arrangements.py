"""Exam access arrangements and classroom reasonable adjustments: recording, granting, reviewing, ending.

The rules (JCQ "Adjustments for candidates with disabilities and learning difficulties"; trust policy: "an
arrangement granted in Year 6 will not automatically carry over into Year 7"):
- every arrangement has evidence (the normal way of working, standardised scores or a specialist report) and
  an assessor with their qualification;
- extra time has a percentage from 1 to 100: 25% is standard, more needs exceptional evidence;
- at secondary, extra time, a reader, a scribe, speech recognition and modified language papers are granted
  only with a completed JCQ Form 8 (who completed it, when, and the form itself, uploaded through the
  record's document checks);
- a granted arrangement has a grant date and a review date after it; granting records the school and phase
  it is granted for (graduated.services.arrangement_review brings it up for review after a move or a new
  phase).
Every problem is collected and nothing is written unless all pass.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pupils.documents import check_upload, upload_document
from pupils.models import Document, Pupil
from trusts import audit
from trusts.models import User
from trusts.permissions import can

from ..models import AccessArrangement
from ..phases import SECONDARY_PHASES, phase_of_year
from ._common import _long, _today

Kind = AccessArrangement.Kind
Status = AccessArrangement.Status

STANDARD_EXTRA_TIME = 25
# What JCQ asks the exams office to hold a Form 8 for (the centre decides the others itself).
FORM_8_KINDS = frozenset({Kind.EXTRA_TIME, Kind.READER, Kind.SCRIBE, Kind.SPEECH_RECOGNITION, Kind.MODIFIED_LANGUAGE})
DESCRIBED_KINDS = frozenset({Kind.OTHER, Kind.CLASSROOM})
MANAGE = "arrangements.manage"


@dataclass
class ArrangementInput:
    """What a person enters for one arrangement (the form's fields; `form8_file` an uploaded file)."""

    kind: str
    status: str = Status.PROPOSED
    details: str = ""
    extra_time_percent: int | None = None
    exceptional_evidence: str = ""
    normal_way_of_working: str = ""
    standardised_scores: str = ""
    specialist_report: str = ""
    assessor_name: str = ""
    assessor_qualification: str = ""
    form8_completed_on: date | None = None
    form8_completed_by: str = ""
    form8_file: Any = None
    granted_on: date | None = None
    review_on: date | None = None
    ended_on: date | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                setattr(self, f.name, value.strip())


def needs_form_8(kind: str, pupil: Pupil) -> bool:
    """At secondary (and post-16) extra time, a reader, a scribe... need a completed JCQ Form 8."""
    return kind in FORM_8_KINDS and phase_of_year(pupil.year_group) in SECONDARY_PHASES


def _label(kind: str) -> str:
    return Kind(kind).label if kind in Kind.values else "this arrangement"


def arrangement_problems(
    data: ArrangementInput, *, pupil: Pupil, existing: AccessArrangement | None = None
) -> dict[str, list[str]]:
    """Everything wrong with `data`, keyed by field, in plain words (empty when it can be saved)."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    today = _today()
    if data.kind not in Kind.values:
        add("kind", "Choose the arrangement or adjustment.")
    if data.status not in Status.values:
        add("status", "Choose whether it is proposed, granted, to review or ended.")
    if data.kind == Kind.EXTRA_TIME:
        percent = data.extra_time_percent
        if percent is None:
            add("extra_time_percent", "Enter how much extra time, as a percentage (25% is standard).")
        elif not 1 <= percent <= 100:
            add("extra_time_percent", "Extra time must be between 1% and 100%.")
        elif percent > STANDARD_EXTRA_TIME and not data.exceptional_evidence:
            add(
                "exceptional_evidence",
                f"Extra time over 25% ({percent}%) needs exceptional evidence: describe it (for example "
                "standardised scores of 69 or below in speed of working), or grant 25%.",
            )
    elif data.extra_time_percent is not None:
        add("extra_time_percent", f"Only extra time has a percentage: leave it blank for {_label(data.kind)}.")
    if data.kind in DESCRIBED_KINDS and not data.details:
        add("details", f"Describe the {_label(data.kind).lower()}: what it is and when it applies.")
    if not (data.normal_way_of_working or data.standardised_scores or data.specialist_report):
        add(
            "normal_way_of_working",
            "Enter the evidence: the pupil's normal way of working, standardised scores or a specialist report.",
        )
    if not data.assessor_name:
        add("assessor_name", "Enter who assessed the need for this arrangement.")
    if not data.assessor_qualification:
        add("assessor_qualification", "Enter the assessor's qualification (for example specialist teacher, Level 7).")
    _date_problems(data, add, today)
    _form8_problems(data, pupil=pupil, existing=existing, add=add, today=today)
    return problems


def _date_problems(data: ArrangementInput, add: Any, today: date) -> None:
    if data.status in {Status.GRANTED, Status.TO_REVIEW}:
        if data.granted_on is None:
            add("granted_on", "Enter the date it was granted.")
        elif data.granted_on > today:
            add("granted_on", "The date it was granted cannot be in the future.")
        if data.review_on is None:
            add("review_on", "Enter the date to review it.")
    if data.granted_on and data.review_on and data.review_on <= data.granted_on:
        add("review_on", f"The review date must be after the date it was granted ({_long(data.granted_on)}).")
    if data.ended_on and data.granted_on and data.ended_on < data.granted_on:
        add("ended_on", f"The end date cannot be before the date it was granted ({_long(data.granted_on)}).")
    if data.ended_on and data.ended_on > today:
        add("ended_on", "The end date cannot be in the future: end it on or after the day it stops.")


def _form8_problems(
    data: ArrangementInput, *, pupil: Pupil, existing: AccessArrangement | None, add: Any, today: date
) -> None:
    if data.form8_completed_on and data.form8_completed_on > today:
        add("form8_completed_on", "The date Form 8 was completed cannot be in the future.")
    if data.form8_file is not None:
        try:
            check_upload(data.form8_file)
        except ValidationError as exc:
            for message in exc.messages:
                add("form8_file", message)
    given = data.form8_completed_on or data.form8_completed_by or data.form8_file is not None
    required = data.status == Status.GRANTED and data.kind in Kind.values and needs_form_8(data.kind, pupil)
    if not (given or required):
        return
    what = _label(data.kind)
    if required and not given:
        add(
            "form8_completed_on",
            f"At secondary, {what.lower()} is granted only with a completed JCQ Form 8: enter when it was "
            "completed and by whom, and upload it (or record the arrangement as proposed for now).",
        )
        return
    if not data.form8_completed_on:
        add("form8_completed_on", "Enter the date Form 8 was completed.")
    if not data.form8_completed_by:
        add("form8_completed_by", "Enter who completed Form 8 (the assessor or the SENCO).")
    has_document = (
        data.form8_file is not None
        or (existing is not None and existing.form8_document_id is not None)
        or _pupils_form8(pupil) is not None
    )
    if required and not has_document:
        add("form8_file", "Upload the completed Form 8: the exams office keeps it for inspection.")


def _pupils_form8(pupil: Pupil) -> int | None:
    """The Form 8 already on file for the pupil at their school (one form covers all their arrangements)."""
    return (
        AccessArrangement.objects.filter(pupil=pupil, school_id=pupil.school_id, form8_document__isnull=False)
        .exclude(status=Status.ENDED)
        .order_by("-form8_completed_on", "-pk")
        .values_list("form8_document_id", flat=True)
        .first()
    )


def _require_manager(actor: User | None, pupil: Pupil) -> User:
    if actor is None or not can(actor, MANAGE, pupil):
        raise ValidationError("Only the SENCO, headteacher or inclusion lead can change access arrangements.")
    return actor


_COPIED = (
    "kind",
    "status",
    "details",
    "extra_time_percent",
    "exceptional_evidence",
    "normal_way_of_working",
    "standardised_scores",
    "specialist_report",
    "assessor_name",
    "assessor_qualification",
    "form8_completed_on",
    "form8_completed_by",
    "granted_on",
    "review_on",
    "ended_on",
)


def _apply(arrangement: AccessArrangement, data: ArrangementInput, *, pupil: Pupil, actor: User) -> None:
    before = arrangement.status if arrangement.pk else None
    for name in _COPIED:
        setattr(arrangement, name, getattr(data, name))
    if data.kind != Kind.EXTRA_TIME:
        arrangement.exceptional_evidence = ""
    arrangement.school_id = pupil.school_id
    if data.status == Status.GRANTED:
        # Granted (or confirmed after a review) for this school and phase.
        arrangement.phase, arrangement.granted_year_group = phase_of_year(pupil.year_group), pupil.year_group
        arrangement.review_reason, arrangement.review_since = "", None
    elif data.status == Status.TO_REVIEW and before != Status.TO_REVIEW:
        arrangement.review_reason = f"Marked for review by {actor.full_name or actor.email}: not yet confirmed."
        arrangement.review_since = _today()
    if data.status == Status.ENDED and arrangement.ended_on is None:
        arrangement.ended_on = _today()
    if data.status != Status.ENDED:
        arrangement.ended_on = None


def _attach_form8(arrangement: AccessArrangement, data: ArrangementInput, *, pupil: Pupil, actor: User) -> None:
    """Keep an uploaded Form 8 on the record; without one, link the pupil's Form 8 already on file."""
    if data.form8_file is None:
        if arrangement.form8_document_id is None and data.form8_completed_on:
            on_file = _pupils_form8(pupil)
            if on_file is not None:
                arrangement.form8_document_id = on_file
                arrangement.save(update_fields=["form8_document", "updated_at"])
        return
    document = upload_document(
        pupil=pupil,
        uploaded_file=data.form8_file,
        category=Document.Category.OTHER,
        visibility=Document.Visibility.STAFF,
        title=f"JCQ Form 8: {arrangement.label}",
        actor=actor,
    )
    arrangement.form8_document = document
    arrangement.save(update_fields=["form8_document", "updated_at"])


@transaction.atomic
def record_arrangement(*, pupil: Pupil, actor: User | None, **values: Any) -> AccessArrangement:
    """Record a new arrangement for the pupil (`values`: the fields of ArrangementInput).

    Side effects: the arrangement; a Form 8 file kept on the pupil's record as a staff-only document; both
    audited. Raises ValidationError (keyed by field) and writes nothing when anything is wrong.
    """
    user = _require_manager(actor, pupil)
    data = ArrangementInput(**values)
    problems = arrangement_problems(data, pupil=pupil)
    if problems:
        raise ValidationError(problems)
    arrangement = AccessArrangement(trust_id=pupil.trust_id, pupil=pupil, recorded_by=user)
    _apply(arrangement, data, pupil=pupil, actor=user)
    arrangement.save()
    audit.record(
        actor=user,
        action=audit.Action.CREATE,
        obj=arrangement,
        pupil_id=pupil.pk,
        summary=f"Access arrangement recorded: {arrangement.label} ({arrangement.get_status_display().lower()})",
    )
    _attach_form8(arrangement, data, pupil=pupil, actor=user)
    return arrangement


@transaction.atomic
def update_arrangement(*, arrangement: AccessArrangement, actor: User | None, **values: Any) -> AccessArrangement:
    """Change, grant, confirm after a review, or end an arrangement (`values` as for record_arrangement).

    Granting records the pupil's current school and phase and clears a pending review. Side effects and
    refusals as `record_arrangement`.
    """
    arrangement = AccessArrangement.objects.select_for_update().select_related("pupil").get(pk=arrangement.pk)
    pupil = arrangement.pupil
    user = _require_manager(actor, pupil)
    data = ArrangementInput(**values)
    problems = arrangement_problems(data, pupil=pupil, existing=arrangement)
    if problems:
        raise ValidationError(problems)
    before = arrangement.get_status_display().lower()
    _apply(arrangement, data, pupil=pupil, actor=user)
    arrangement.save()
    now = arrangement.get_status_display().lower()
    audit.record(
        actor=user,
        action=audit.Action.CHANGE,
        obj=arrangement,
        pupil_id=pupil.pk,
        summary=f"Access arrangement changed: {arrangement.label} ({before} to {now})"
        if before != now
        else f"Access arrangement changed: {arrangement.label} ({now})",
    )
    _attach_form8(arrangement, data, pupil=pupil, actor=user)
    return arrangement
