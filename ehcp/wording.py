"""The wording of a draft EHC plan or of proposed amendments, checked against the Code of Practice.

When the LA sends a school a draft plan (a consultation on naming it, or the draft of an assessment of a pupil
on roll) or proposes amendments after an annual review, the SENCO pastes the sections' text; the rules of
`trusts.plan_wording` find provision that is not specific or quantified, outcomes with no measure or
timescale, needs with no outcome or provision and empty sections, each with the paragraph it rests on. The
findings become a list the SENCO edits (`points`) for the school's reply: the consultation's A5 reply starts
from it, and the page keeps it for the others. Casework roles only (SENCO, headteacher, inclusion lead).
Writes are keyword-only, in one transaction, audited; a refused write changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from trusts import audit
from trusts.models import User
from trusts.permissions import can, schools_where
from trusts.plan_wording import CheckedSection, Finding, findings_as_text, review_plan

from .models import SECTIONS, Consultation, DraftWording, EhcPlan, NeedsAssessment

Kind = DraftWording.Kind
Subject = Consultation | NeedsAssessment | EhcPlan
# The sections the checks read sentence by sentence; the page asks for these first.
CHECKED_LETTERS = ("B", "E", "F")
FIELD_OF = {letter: field for field, letter, _ in SECTIONS}
TITLE_OF = {letter: title for _, letter, title in SECTIONS}
# Pasted text is kept whole, but a section longer than this is not a section (a whole PDF pasted into one box).
MAX_SECTION_CHARS = 20_000


@dataclass(frozen=True)
class CheckedWording:
    wording: DraftWording
    sections: list[CheckedSection]

    @property
    def findings(self) -> list[Finding]:
        return [f for section in self.sections for f in section.all_findings]

    @property
    def suggested_points(self) -> str:
        return findings_as_text(self.findings)

    @property
    def points_saved(self) -> bool:
        return self.wording.points_saved_at is not None

    @property
    def starting_points(self) -> str:
        """What the points form shows: the SENCO's saved list (saved empty means "no points to make"), else the
        findings as a list to start from."""
        return self.wording.points if self.points_saved else self.suggested_points

    @property
    def points_stale(self) -> bool:
        """The LA's text was pasted again after the points were saved: they may no longer fit the findings."""
        saved_at = self.wording.points_saved_at
        return saved_at is not None and self.wording.pasted_at > saved_at


# Reads ----------------------------------------------------------------------------------------------


def wording_visible_to(user: User) -> QuerySet[DraftWording]:
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return DraftWording.objects.none()
    schools = schools_where(user, "casework.view")
    return DraftWording.objects.filter(school__in=schools).select_related(
        "school", "pupil", "consultation", "assessment__pupil", "plan__pupil"
    )


def subject_of(wording: DraftWording) -> Subject:
    subject = wording.consultation or wording.assessment or wording.plan
    assert subject is not None  # the check constraint: exactly one
    return subject


def subject_label(wording: DraftWording) -> str:
    """What the wording belongs to, in words ("Consultation on naming the school for Ada Lovelace")."""
    if wording.consultation is not None:
        return f"Consultation on naming the school for {wording.consultation.child_name}"
    if wording.assessment is not None:
        return f"EHC needs assessment of {wording.assessment.pupil.display_name}"
    assert wording.plan is not None
    return f"EHC plan of {wording.plan.pupil.display_name}"


def subject_url(wording: DraftWording) -> str:
    if wording.consultation_id is not None:
        return reverse("ehcp:consultation_detail", kwargs={"pk": wording.consultation_id})
    if wording.assessment_id is not None:
        return reverse("ehcp:assessment_detail", kwargs={"pk": wording.assessment_id})
    return reverse("ehcp:plan_detail", kwargs={"pk": wording.plan_id})


def highlighted(text: str, findings: list[Finding]) -> list[tuple[str, bool]]:
    """The sentence in pieces, each marked when it is words a finding quotes ("access to"), for the page."""
    spans = sorted({(f.at, f.at + len(f.phrase)) for f in findings if f.phrase and f.at >= 0})
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start < at:
            continue  # overlapping quotes: the first one is marked
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def check(wording: DraftWording) -> CheckedWording:
    """Every section with its sentences and their findings. A draft is checked for every section (an empty
    one is a finding); proposed amendments only for the sections they change (the others stand as issued)."""
    given = {letter: text for letter, _, text in wording.sections()}
    if wording.kind == Kind.AMENDMENTS:
        given = {letter: text for letter, text in given.items() if text.strip()}
    return CheckedWording(wording=wording, sections=review_plan(given, titles=TITLE_OF))


def wording_for(subject: Subject) -> DraftWording | None:
    """The draft's wording check of a consultation or an assessment (one each), if the SENCO made one."""
    if isinstance(subject, Consultation):
        return DraftWording.objects.filter(consultation=subject).first()
    if isinstance(subject, NeedsAssessment):
        return DraftWording.objects.filter(assessment=subject).first()
    return None


def amendments_for(plan: EhcPlan) -> QuerySet[DraftWording]:
    return DraftWording.objects.filter(plan=plan, kind=Kind.AMENDMENTS)


def reply_start(consultation: Consultation) -> str:
    """What the A5 reply form starts from: the wording points the SENCO kept, else nothing."""
    wording = wording_for(consultation)
    return wording.points if wording is not None else ""


# Writes ---------------------------------------------------------------------------------------------


def _may_change(actor: User, subject: Subject) -> None:
    if not can(actor, "ehcp.change", subject):
        raise PermissionDenied("You cannot record the LA's wording for this school.")


def _problems(
    *, received_on: date, sections: Mapping[str, str], kind: str, earliest: date | None
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if received_on > timezone.localdate():
        problems["received_on"] = ["The date the school received the wording cannot be in the future."]
    elif earliest is not None and received_on < earliest:
        problems["received_on"] = [f"The date cannot be before {earliest:%-d %B %Y}, when the LA's process began."]
    for letter, text in sections.items():
        if letter not in FIELD_OF:
            problems.setdefault("__all__", []).append(f"There is no section {letter} in an EHC plan.")
        elif len(text) > MAX_SECTION_CHARS:
            problems[FIELD_OF[letter]] = [
                f"Section {letter} is {len(text):,} characters: paste only section {letter}, "
                f"at most {MAX_SECTION_CHARS:,} characters."
            ]
    if not any(text.strip() for text in sections.values()):
        problems["__all__"] = [nothing_pasted(kind)]
    return problems


def nothing_pasted(kind: str) -> str:
    what = "the sections the amendments change" if kind == Kind.AMENDMENTS else "at least sections B, E and F"
    return f"Paste the LA's wording: {what}."


def _earliest(subject: Subject) -> date | None:
    if isinstance(subject, Consultation):
        return subject.consulted_on
    if isinstance(subject, NeedsAssessment):
        return subject.draft_served_on or subject.request_received_on
    return subject.first_issued_on


def _clean(sections: Mapping[str, str]) -> dict[str, str]:
    return {letter: (text or "").replace("\r\n", "\n").strip() for letter, text in sections.items()}


@transaction.atomic
def record_wording(*, subject: Subject, received_on: date, sections: Mapping[str, str], actor: User) -> DraftWording:
    """Keep the LA's wording of a draft plan (a consultation or an assessment: one each, replaced when the
    SENCO pastes it again) or of proposed amendments to a plan (a new set each time).

    Side effects: one DraftWording written or updated; an audit entry. Problems are reported at once, keyed
    by field; nothing is written unless all pass. The points for the reply are kept when the text changes.
    """
    _may_change(actor, subject)
    # One paste at a time per subject: a second click waits here, then replaces the first one's text.
    subject = type(subject).objects.select_for_update().get(pk=subject.pk)
    sections = _clean(sections)
    kind = Kind.AMENDMENTS if isinstance(subject, EhcPlan) else Kind.DRAFT
    if isinstance(subject, EhcPlan) and subject.ceased_on is not None:
        raise ValidationError("The plan has ceased: there are no amendments to check.")
    if isinstance(subject, NeedsAssessment) and subject.draft_served_on is None:
        raise ValidationError("Record when the LA served the draft plan first, then check its wording.")
    problems = _problems(received_on=received_on, sections=sections, kind=kind, earliest=_earliest(subject))
    if problems:
        raise ValidationError(problems)
    wording = wording_for(subject) if kind == Kind.DRAFT else None
    if wording is None:
        pupil_id = subject.pupil_id
        wording = DraftWording(
            trust_id=subject.trust_id,
            school_id=subject.school_id,
            pupil_id=pupil_id,
            kind=kind,
            recorded_by=actor,
            consultation=subject if isinstance(subject, Consultation) else None,
            assessment=subject if isinstance(subject, NeedsAssessment) else None,
            plan=subject if isinstance(subject, EhcPlan) else None,
        )
        action = audit.Action.CREATE
    else:
        action = audit.Action.CHANGE
    _set_text(wording, received_on, sections)
    audit.record(
        actor=actor, action=action, obj=wording, pupil_id=wording.pupil_id, summary=f"{wording} (wording check)"
    )
    return wording


def _set_text(wording: DraftWording, received_on: date, sections: Mapping[str, str]) -> None:
    """Write the pasted text and its date; the points for the reply are left as the SENCO saved them."""
    wording.received_on, wording.pasted_at = received_on, timezone.now()
    for letter, field in FIELD_OF.items():
        setattr(wording, field, sections.get(letter, ""))
    if wording.pk is None:
        wording.save()
    else:
        fields = ["received_on", "pasted_at", "updated_at", *FIELD_OF.values()]
        wording.save(update_fields=fields)


@transaction.atomic
def update_wording(
    *, wording: DraftWording, received_on: date, sections: Mapping[str, str], actor: User
) -> DraftWording:
    """Correct the pasted wording of a set of proposed amendments (a draft's is replaced by `record_wording`)."""
    _may_change(actor, subject_of(wording))
    if wording.kind == Kind.DRAFT:
        return record_wording(subject=subject_of(wording), received_on=received_on, sections=sections, actor=actor)
    sections = _clean(sections)
    problems = _problems(
        received_on=received_on, sections=sections, kind=wording.kind, earliest=_earliest(subject_of(wording))
    )
    if problems:
        raise ValidationError(problems)
    locked = DraftWording.objects.select_for_update().get(pk=wording.pk)
    _set_text(locked, received_on, sections)
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=locked, pupil_id=locked.pupil_id, summary=str(locked))
    return locked


MAX_POINTS_CHARS = 20_000


@transaction.atomic
def save_points(*, wording: DraftWording, points: str, actor: User) -> DraftWording:
    """Keep the list of points for the school's reply, as the SENCO edited it (empty: none to make)."""
    _may_change(actor, subject_of(wording))
    points = points.replace("\r\n", "\n").strip()
    if len(points) > MAX_POINTS_CHARS:
        raise ValidationError({"points": [f"Keep the points to {MAX_POINTS_CHARS:,} characters or fewer."]})
    locked = DraftWording.objects.select_for_update().get(pk=wording.pk)
    locked.points, locked.points_saved_at = points, timezone.now()
    locked.save(update_fields=["points", "points_saved_at", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=locked,
        pupil_id=locked.pupil_id,
        summary="Points on the wording for the reply to the LA",
    )
    return locked
