"""Reads of access arrangements: a pupil's, the passport's, the parent's (plain words), the school's list.

An arrangement is "not confirmed" when it is marked to review (after a move, or set by the SENCO) or when it
was granted for another phase than the pupil's now (shown at once, before the daily sweep records it). Each
read runs a fixed number of queries whatever the number of arrangements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from pupils.models import Pupil
from pupils.queries import own_pupils
from trusts.models import School, User
from trusts.permissions import can, schools_where

from ..models import AccessArrangement
from ..phases import PHASES, REMIND_DAYS, phase_review_reason, years_in
from .access import on_roll

Kind = AccessArrangement.Kind
Status = AccessArrangement.Status
SHOWN = [Status.PROPOSED, Status.GRANTED, Status.TO_REVIEW]


def arrangement_pupils(user: User) -> QuerySet[Pupil]:
    """Pupils whose arrangements the person may read: every pupil of a school where they manage them (SENCO,
    headteacher, inclusion lead), and a teacher's or TA's own pupils."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    rule = Q(pk__in=[])
    schools = schools_where(user, "arrangements.manage")
    if schools:
        rule |= Q(school__in=schools)
    own_schools = schools_where(user, "arrangements.view_own")
    if own_schools:
        rule |= Q(pk__in=own_pupils(user).values("pk"), school__in=own_schools)
    return Pupil.objects.filter(rule)


def may_manage_arrangements(user: User, pupil: Pupil) -> bool:
    return can(user, "arrangements.manage", pupil)


def decorate(arrangement: AccessArrangement, pupil: Pupil) -> AccessArrangement:
    """Sets `not_confirmed` and `review_note` (why), from the stored status or a phase change."""
    note = arrangement.review_reason if arrangement.status == Status.TO_REVIEW else ""
    note = note or phase_review_reason(arrangement, pupil)
    arrangement.not_confirmed = bool(note)  # type: ignore[attr-defined]
    arrangement.review_note = note  # type: ignore[attr-defined]
    return arrangement


def _current_phase() -> Case:
    return Case(
        *[When(pupil__year_group__in=years_in(p), then=Value(p)) for p in PHASES],
        default=Value(""),
        output_field=CharField(),
    )


def not_confirmed() -> Q:
    """To review, or granted for another phase than the pupil's now (needs the `current_phase` annotation)."""
    return Q(status=Status.TO_REVIEW) | (Q(status=Status.GRANTED) & ~Q(phase="") & ~Q(phase=F("current_phase")))


def arrangements_of(pupil: Pupil, *, include_ended: bool = True) -> list[AccessArrangement]:
    """The pupil's arrangements, live first (one query)."""
    qs = AccessArrangement.objects.filter(pupil=pupil).select_related("form8_document", "recorded_by")
    if not include_ended:
        qs = qs.exclude(status=Status.ENDED)
    order = {Status.TO_REVIEW: 0, Status.GRANTED: 1, Status.PROPOSED: 2, Status.ENDED: 3}
    found = [decorate(a, pupil) for a in qs]
    return sorted(found, key=lambda a: (order[Status(a.status)], a.kind, a.pk))


def arrangements_for_passport(pupil: Pupil) -> list[AccessArrangement]:
    """What the pupil's teachers apply in class and tests: granted ones, and those to review (marked)."""
    return [a for a in arrangements_of(pupil, include_ended=False) if a.status != Status.PROPOSED]


PLAIN: dict[str, str] = {
    Kind.EXTRA_TIME: "{name} gets {percent}% extra time in tests and exams.",
    Kind.READER: "An adult reads the questions aloud to {name} in tests and exams.",
    Kind.COMPUTER_READER: "{name} uses a computer that reads the questions aloud.",
    Kind.SCRIBE: "An adult writes down the answers {name} says.",
    Kind.SPEECH_RECOGNITION: "{name} says the answers and a computer types them.",
    Kind.WORD_PROCESSOR: "{name} types the answers on a computer.",
    Kind.REST_BREAKS: "{name} can take short breaks in tests, with an adult there.",
    Kind.SEPARATE_ROOM: "{name} sits tests in a room away from the other pupils.",
    Kind.SMALLER_ROOM: "{name} sits tests in a small room with fewer pupils.",
    Kind.PROMPTER: "An adult quietly helps {name} keep going in tests.",
    Kind.ENLARGED_PAPER: "{name} gets test papers in big print.",
    Kind.COLOURED_PAPER: "{name} gets test papers on coloured paper.",
    Kind.BRAILLE_PAPER: "{name} gets test papers in braille.",
    Kind.MODIFIED_LANGUAGE: "{name} gets test papers in simpler words.",
    Kind.PRACTICAL_ASSISTANT: "An adult helps {name} with practical tasks, as {name} asks.",
    Kind.COLOUR_OVERLAY: "{name} puts a coloured sheet over the page to make reading easier.",
    Kind.CLASSROOM: "In class: {details}",
    Kind.OTHER: "{details}",
}


@dataclass(frozen=True)
class PlainArrangement:
    text: str
    checking: str  # "" when confirmed; otherwise why the school is checking it again


def arrangements_for_parent(pupil: Pupil) -> list[PlainArrangement]:
    """The child's arrangements in plain words: granted ones, and those the school is checking again."""
    found = []
    for a in arrangements_for_passport(pupil):
        text = PLAIN[a.kind].format(name=pupil.forename, percent=a.extra_time_percent, details=a.details)
        checking = ""
        if a.not_confirmed:  # type: ignore[attr-defined]
            checking = (
                f"The school is checking this is still right for {pupil.forename}, now at a new school or in a new "
                "stage. Until then it may not be used in exams."
            )
        found.append(PlainArrangement(text=text, checking=checking))
    return found


@dataclass
class SchoolArrangements:
    school: School
    rows: list[AccessArrangement]
    due: list[AccessArrangement]
    counts: dict[str, int]


def _school_qs(school: School) -> QuerySet[AccessArrangement]:
    return (
        AccessArrangement.objects.filter(school=school, pupil__school=school)
        .filter(on_roll("pupil__"))
        .annotate(current_phase=_current_phase())
        .select_related("pupil", "form8_document")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pupil_id", "kind", "pk")
    )


def arrangements_due_for_review(school: School, *, today: date, within: int = REMIND_DAYS) -> list[AccessArrangement]:
    """Not confirmed (a move, a new phase, marked), or granted with a review date within `within` days."""
    soon = Q(status=Status.GRANTED, review_on__lte=today + timedelta(days=within))
    qs = _school_qs(school).filter(not_confirmed() | soon)
    return sorted((decorate(a, a.pupil) for a in qs), key=_due_order)


def _due_order(a: Any) -> tuple[int, date]:
    return (0 if a.not_confirmed else 1, a.review_on or date.max)


def school_arrangements(school: School, *, today: date, include_ended: bool = False) -> SchoolArrangements:
    """Every arrangement at the school by pupil, what is due for review and counts by status (two queries)."""
    qs = _school_qs(school)
    if not include_ended:
        qs = qs.exclude(status=Status.ENDED)
    rows = [decorate(a, a.pupil) for a in qs]
    horizon = today + timedelta(days=REMIND_DAYS)
    due = sorted(
        (a for a in rows if a.not_confirmed or (a.status == Status.GRANTED and a.review_on and a.review_on <= horizon)),  # type: ignore[attr-defined]
        key=_due_order,
    )
    counts = {s: 0 for s in Status.values}
    for a in rows:
        counts[Status.TO_REVIEW if a.not_confirmed else a.status] += 1  # type: ignore[attr-defined]
    return SchoolArrangements(school=school, rows=rows, due=due, counts=counts)


CSV_HEADER = [
    "Pupil",
    "UPN",
    "Year",
    "Arrangement",
    "Extra time (%)",
    "Status",
    "Not yet confirmed because",
    "Granted on",
    "Review date",
    "Evidence",
    "Assessed by",
    "Assessor's qualification",
    "Form 8 completed on",
    "Form 8 completed by",
    "Form 8 on file",
]


def csv_rows(listing: SchoolArrangements) -> list[list[Any]]:
    return [
        [
            a.pupil.display_name,
            a.pupil.upn,
            a.pupil.get_year_group_display(),
            a.label,
            a.extra_time_percent,
            "To review" if a.not_confirmed else a.get_status_display(),  # type: ignore[attr-defined]
            a.review_note,  # type: ignore[attr-defined]
            a.granted_on,
            a.review_on,
            "; ".join(f"{name}: {text}" for name, text in a.evidence),
            a.assessor_name,
            a.assessor_qualification,
            a.form8_completed_on,
            a.form8_completed_by,
            "Yes" if a.form8_document_id else "No",
        ]
        for a in listing.rows
    ]
