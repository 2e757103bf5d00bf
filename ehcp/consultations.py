"""Consultations on naming a school in a child's EHC plan before the child is on roll (admissions).

The LA consults the school it proposes to name (CFA 2014 s.39(2)-(3); CoP 9.78-9.83). The SENCO records the
consultation with the draft plan; the school replies within 15 days (A5, CoP 9.83), which the deadline engine
tracks like any other deadline (deadlines list, the sweep's reminders, the calendar feed) with no pupil yet;
the LA then names the school or not; a named child's consultation is linked to their pupil record when they
arrive, and the draft joins the pupil's documents. Writes are keyword-only, in one transaction, audited;
a refused action writes nothing. Reads are scoped to the schools where the person does casework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone

from pupils.documents import check_upload, clean_file_name, upload_document
from pupils.models import Document, Pupil
from pupils.timeline import Row, TimelineEvent, event_rows
from trusts import audit
from trusts.models import School, User
from trusts.permissions import can, schools_where

from . import rules
from .deadlines import cancel_for_subject, meet_deadline, open_deadline, record_la_breach
from .models import Consultation, Deadline, SubjectType

SUBJECT = SubjectType.CONSULTATION
A5 = "A5"
Status = Consultation.Status
# EHC plans are for children and young people up to 25 (CFA 2014 s.83(2)).
OLDEST_AGE = 25
OUTCOMES = {
    Status.NAMED: "The LA named the school in the plan",
    Status.NOT_NAMED: "The LA decided not to name the school",
    Status.WITHDRAWN: "The LA withdrew the consultation",
}


def _long(d: date) -> str:
    return f"{d:%-d %B %Y}"


# Reads ----------------------------------------------------------------------------------------------


def consultation_schools(user: User) -> list[School]:
    """Schools whose consultations the person may see: the casework roles (SENCO, headteacher, inclusion lead)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return []
    return schools_where(user, "casework.view")


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    schools = consultation_schools(user)
    if not schools:
        return Consultation.objects.none()
    return Consultation.objects.filter(school__in=schools).select_related("school", "pupil")


def consultation_list(user: User, *, school: School | None = None) -> QuerySet[Consultation]:
    """Open consultations first (soonest A5 date first), then the closed ones, newest first; each with its A5
    date and status (`a5_due`, `a5_status`), in one query whatever their number."""
    a5 = Deadline.objects.filter(subject_type=SUBJECT, subject_id=OuterRef("pk"), rule_id=A5)
    qs = consultations_visible_to(user).annotate(
        a5_due=Subquery(a5.values("due")[:1]),
        a5_status=Subquery(a5.values("status")[:1]),
        closed=Case(When(status__in=Consultation.OPEN_STATUSES, then=Value(0)), default=Value(1)),
    )
    if school is not None:
        qs = qs.filter(school=school)
    return qs.order_by("closed", F("a5_due").asc(nulls_last=True), "-consulted_on", "-id")


def a5_deadline(consultation: Consultation) -> Deadline | None:
    return Deadline.objects.filter(subject_type=SUBJECT, subject_id=consultation.pk, rule_id=A5).first()


def pupils_to_link(consultation: Consultation) -> QuerySet[Pupil]:
    """Pupils on roll at the consulted school who were born on the child's date of birth: the ones it can be."""
    on_roll = Q(leaving_date=None) | Q(leaving_date__gt=timezone.localdate())
    return Pupil.objects.filter(
        on_roll, school_id=consultation.school_id, date_of_birth=consultation.child_date_of_birth
    ).order_by("legal_surname", "legal_forename", "id")


# The pupil record's timeline (pupils.timeline) ---------------------------------------------------------


def timeline_sources(user: User, pupil: Pupil) -> list[QuerySet[Any]]:
    """Casework staff only, as for every EHC page."""
    if not can(user, "casework.view", pupil):
        return []
    linked = Consultation.objects.filter(pupil=pupil)
    return [
        event_rows(linked, kind="ehc_consultation", day="consulted_on", note=F("local_authority")),
        event_rows(linked, kind="ehc_consultation_outcome", day="outcome_on", note=F("status")),
    ]


def _consulted(row: Row) -> TimelineEvent:
    url = reverse("ehcp:consultation_detail", kwargs={"pk": row["ref"]})
    return TimelineEvent(row["day"], f"{row['note']} consulted the school about naming it in the EHC plan.", url)


def _decided(row: Row) -> TimelineEvent:
    url = reverse("ehcp:consultation_detail", kwargs={"pk": row["ref"]})
    words = str(Status(row["note"]).label) if row["note"] in Status.values else row["note"]
    return TimelineEvent(row["day"], f"Consultation on naming the school: {words[0].lower()}{words[1:]}.", url)


TIMELINE_TEXTS = {"ehc_consultation": _consulted, "ehc_consultation_outcome": _decided}


def consultation_link(deadline: Deadline) -> str:
    """Where to act on an A5 deadline of a consultation (ehcp.deadlines.SUBJECT_LINKS)."""
    return reverse("ehcp:consultation_detail", kwargs={"pk": deadline.subject_id})


# Writes ---------------------------------------------------------------------------------------------


def _may_change(actor: User, target: Any) -> None:
    if not can(actor, "ehcp.change", target):
        raise PermissionDenied("You cannot record consultations for this school.")


def _date_problems(day: date, *, what: str, consulted_on: date) -> list[str]:
    if day > timezone.localdate():
        return [f"The date {what} cannot be in the future."]
    if day < consulted_on:
        return [f"The date {what} cannot be before the LA consulted the school ({_long(consulted_on)})."]
    return []


@transaction.atomic
def record_consultation(
    *,
    school: School,
    local_authority: str,
    consulted_on: date,
    child_name: str,
    child_date_of_birth: date,
    draft: Any,
    actor: User,
) -> Consultation:
    """Record that the LA consulted `school` about naming it for a child not yet on roll, with the draft plan.

    Side effects: one Consultation; the draft kept in storage under a random name (checked like any document
    upload: by its contents, size and type); A5 opened (the school's reply within 15 days of being consulted,
    CoP 9.83), with no pupil until the child is linked; an audit entry. Every problem is reported at once,
    keyed by field; nothing is written unless all pass.
    """
    _may_change(actor, school)
    local_authority, child_name = " ".join(local_authority.split()), " ".join(child_name.split())
    problems: dict[str, list[str]] = {}
    today = timezone.localdate()
    rule = rules.get_rule(A5)
    if not local_authority:
        problems["local_authority"] = ["Enter the local authority that consulted the school."]
    if not child_name:
        problems["child_name"] = ["Enter the child's name as the LA gave it."]
    if consulted_on > today:
        problems["consulted_on"] = ["The date the LA consulted the school cannot be in the future."]
    elif consulted_on < rule.effective_from:
        problems["consulted_on"] = [
            f"A5 ({rule.source}) applies from {_long(rule.effective_from)}: check the date of the consultation."
        ]
    if child_date_of_birth > min(today, consulted_on):
        problems["child_date_of_birth"] = ["The child's date of birth must be before the date of the consultation."]
    elif (consulted_on - child_date_of_birth).days > 366 * (OLDEST_AGE + 1):
        problems["child_date_of_birth"] = [
            f"EHC plans are for children and young people up to {OLDEST_AGE} (CFA 2014 s.83(2)): "
            "check the date of birth."
        ]
    kind = None
    try:
        kind, size = check_upload(draft)
    except ValidationError as exc:
        problems["draft"] = list(exc.messages)
    existing = (
        None
        if problems
        else Consultation.objects.filter(
            school=school,
            child_name__iexact=child_name,
            child_date_of_birth=child_date_of_birth,
            consulted_on=consulted_on,
        )
        .exclude(status=Status.WITHDRAWN)
        .first()
    )
    if existing is not None:
        problems["__all__"] = [
            f"This consultation is already recorded: {existing.child_name}, consulted on {_long(consulted_on)}. "
            "Open it from the list of consultations."
        ]
    if problems:
        raise ValidationError(problems)
    assert kind is not None
    name = clean_file_name(getattr(draft, "name", "") or "draft plan", kind)
    consultation = Consultation(
        trust_id=school.trust_id,
        school=school,
        local_authority=local_authority[:100],
        consulted_on=consulted_on,
        child_name=child_name[:200],
        child_date_of_birth=child_date_of_birth,
        draft_name=name,
        draft_content_type=kind.content_type,
        draft_size=size,
        recorded_by=actor,
    )
    draft.seek(0)
    consultation.draft.save(name, draft, save=False)
    try:
        with transaction.atomic():
            consultation.save()
            open_deadline(
                rule_id=A5,
                trigger_date=consulted_on,
                school=school,
                pupil=None,
                subject_type=SUBJECT,
                subject_id=consultation.pk,
                actor=actor,
            )
            audit.record(
                actor=actor,
                action=audit.Action.CREATE,
                obj=consultation,
                summary=f"Consultation from {local_authority} on naming the school recorded",
            )
    except Exception:
        consultation.draft.delete(save=False)
        raise
    return consultation


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _closed_problem(c: Consultation) -> str:
    return f"This consultation is closed ({c.get_status_display().lower()}, {_long(c.outcome_on or c.consulted_on)})."


@transaction.atomic
def record_reply(*, consultation: Consultation, replied_on: date, response: str, actor: User) -> Consultation:
    """The school replied to the LA on `replied_on` with `response` (its view on being named, CoP 9.83).

    Side effects: status "replied"; A5 met on that day, late if after its date (a late reply is still
    recorded, with its real date, and shows as late); an audit entry. Refused for a consultation already
    replied to or closed.
    """
    _may_change(actor, consultation)
    c = _locked(consultation)
    response = response.strip()
    problems: dict[str, list[str]] = {}
    if c.status == Status.REPLIED:
        problems["__all__"] = [f"The school already replied on {_long(c.replied_on or c.consulted_on)}."]
    elif not c.is_open:
        problems["__all__"] = [_closed_problem(c)]
    if not response:
        problems["response"] = ["Write the school's response: what you told the LA."]
    if day_problems := _date_problems(replied_on, what="the school replied", consulted_on=c.consulted_on):
        problems["replied_on"] = day_problems
    if problems:
        raise ValidationError(problems)
    c.status, c.replied_on, c.response = Status.REPLIED, replied_on, response
    c.save(update_fields=["status", "replied_on", "response", "updated_at"])
    deadline = a5_deadline(c)
    if deadline is not None and deadline.status != Deadline.Status.WAIVED:
        meet_deadline(deadline=deadline, met_on=replied_on, actor=actor)
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=c, summary=f"Reply to the LA recorded ({_long(replied_on)})"
    )
    return c


@transaction.atomic
def record_outcome(*, consultation: Consultation, outcome: str, on: date, actor: User, notes: str = "") -> Consultation:
    """The LA's decision: it named the school, did not, or withdrew the consultation (`outcome`).

    Side effects: the status and date; if the school had not replied yet, A5 is closed: a withdrawal waives
    it, and a decision inside the school's 15 days is recorded as the LA's breach (CoP 9.83), never the
    school's; a decision after them leaves A5 to be marked missed. An audit entry.
    """
    _may_change(actor, consultation)
    c = _locked(consultation)
    problems: dict[str, list[str]] = {}
    if not c.is_open:
        problems["__all__"] = [_closed_problem(c)]
    if outcome not in OUTCOMES:
        problems["outcome"] = ["Choose what the LA decided."]
    if day_problems := _date_problems(on, what="of the LA's decision", consulted_on=c.consulted_on):
        problems["on"] = day_problems
    if problems:
        raise ValidationError(problems)
    deadline = a5_deadline(c)
    if deadline is not None and deadline.status == Deadline.Status.OPEN:
        if outcome == Status.WITHDRAWN:
            cancel_for_subject(
                subject_type=SUBJECT,
                subject_id=c.pk,
                actor=actor,
                reason=f"The LA withdrew the consultation on {_long(on)}.",
                not_due_before=on,
            )
        elif on <= deadline.statutory_due:
            record_la_breach(
                deadline=deadline,
                reason=(
                    f"The LA decided on {_long(on)}, inside the school's 15 days to reply "
                    f"(to {_long(deadline.statutory_due)})."
                ),
                actor=actor,
            )
    c.status, c.outcome_on, c.outcome_notes = outcome, on, " ".join(notes.split())[:300]
    c.save(update_fields=["status", "outcome_on", "outcome_notes", "updated_at"])
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=c, summary=f"{OUTCOMES[Status(outcome)]} ({_long(on)})")
    return c


@dataclass(frozen=True)
class Linked:
    consultation: Consultation
    document: Document


@transaction.atomic
def link_to_pupil(*, consultation: Consultation, pupil: Pupil, actor: User) -> Linked:
    """The child arrived: link a consultation that named the school to their pupil record.

    Side effects: the consultation points to the pupil (it shows on their record's timeline) from today; the
    draft plan is added to the pupil's documents (LA correspondence, staff only); the A5 deadline now names
    the pupil; audit entries. The pupil must be on roll at the consulted school and born on the child's date
    of birth, so a consultation is never attached to the wrong child.
    """
    _may_change(actor, consultation)
    c = _locked(consultation)
    problems: list[str] = []
    if c.pupil_id is not None:
        problems.append(f"This consultation is already linked to {c.pupil} ({_long(c.linked_on or c.consulted_on)}).")
    elif c.status != Status.NAMED:
        problems.append(
            "Only a consultation where the LA named the school can be linked to a pupil: "
            f"this one is “{c.get_status_display().lower()}”."
        )
    if pupil.school_id != c.school_id or pupil.trust_id != c.trust_id or not pupil.on_roll:
        problems.append(f"{pupil.display_name} is not on roll at {c.school.name}: pick a pupil of that school.")
    elif pupil.date_of_birth != c.child_date_of_birth:
        problems.append(
            f"{pupil.display_name} was born on {_long(pupil.date_of_birth)}; the consultation is for a child born "
            f"on {_long(c.child_date_of_birth)}. Pick the right pupil, or correct their date of birth first."
        )
    if problems:
        raise ValidationError(problems)
    _may_change(actor, pupil)
    try:
        handle = c.draft.open("rb")
    except FileNotFoundError as exc:
        raise ValidationError(
            "The draft plan is missing from storage: ask the LA for it and add it to the record."
        ) from exc
    with handle:
        document = upload_document(
            pupil=pupil,
            uploaded_file=File(handle, name=c.draft_name),
            category=Document.Category.LA_CORRESPONDENCE,
            visibility=Document.Visibility.STAFF,
            title=f"Draft EHC plan from {c.local_authority} (consulted {_long(c.consulted_on)})",
            actor=actor,
        )
    c.pupil, c.linked_on = pupil, timezone.localdate()
    c.save(update_fields=["pupil", "linked_on", "updated_at"])
    Deadline.objects.filter(subject_type=SUBJECT, subject_id=c.pk).update(pupil=pupil, updated_at=timezone.now())
    c.wording_checks.update(pupil=pupil, updated_at=timezone.now())
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=c,
        pupil_id=pupil.pk,
        summary="Consultation on naming the school linked to the pupil's record",
    )
    return Linked(consultation=c, document=document)
