"""Parents' views before a review: one model for both kinds of review, and the parent's own reports.

A parent of the pupil writes their views (`ParentContribution`) before a SEN support plan review
(`graduated`) or an annual review of the EHC plan (`reviews`). `pupils` cannot import those apps, so each of
them fills the two hooks below in its AppConfig.ready(): which of a pupil's reviews are still to be held
(`OPEN_SUBJECTS`), and one review by kind and id (`FIND_SUBJECT`). The parent's words are stored apart
from what staff write and never overwrite it; staff may copy them into the review (the owning app's
service does that and calls `mark_copied`). A report the parent adds becomes a document on the pupil's
record, "from a parent or carer", seen by staff and by that parent. Every write and read is audited.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from datetime import date as Day
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from trusts import audit
from trusts.hooks import Hooks
from trusts.models import Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

from .documents import check_upload, clean_file_name
from .models import (
    Contact,
    ContributionReport,
    ContributionSubject,
    Document,
    ParentContribution,
    Pupil,
    ViewsRequest,
)
from .queries import children_of

ANSWER_LIMIT = 2000  # characters in each answer (shown on the form)
REPORTS_LIMIT = 5  # reports a parent may add to one set of views


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    hint: str


# The headings schools use for parents' views before a review (the same for both kinds of review).
QUESTIONS: tuple[Question, ...] = (
    Question("going_well", "What is going well?", "At school, at home, or with friends."),
    Question("difficult", "What is hard at the moment?", "Anything that worries you or your child."),
    Question(
        "changes", "Has anything changed at home or with health?", "For example a move, a new baby or a new diagnosis."
    ),
    Question("hopes", "What would you like from the review?", "What you hope the next plan will do."),
    Question("questions", "What questions do you want answered?", "We will try to answer them at the review."),
)
ANSWER_FIELDS = tuple(q.name for q in QUESTIONS)


@dataclass(frozen=True)
class ViewsSubject:
    """A review a parent may give views for, as the app that owns it describes it."""

    kind: str  # ContributionSubject
    id: int
    pupil_id: int
    trust_id: int
    school_id: int
    date: date | None  # when the review is (booked) or due
    open: bool  # not yet held: views may still be given or changed
    staff_action: str  # the permission that lets staff ask the parents and copy their views
    staff_url: str = ""

    @property
    def label(self) -> str:
        return ContributionSubject(self.kind).label

    @property
    def date_to_come(self) -> Day | None:
        """The review's date if it is still to come (a review that is late has no date to tell parents)."""
        return self.date if self.date and self.date >= timezone.localdate() else None


# A pupil's reviews not yet held (pupil -> subjects): filled by graduated and reviews.
OPEN_SUBJECTS: Hooks[Callable[[Pupil], list[ViewsSubject]]] = Hooks(
    "pupils.contributions.OPEN_SUBJECTS",
    rule="parents are asked for their views before every SEN support plan review and annual review",
    filled_by="graduated and reviews",
)
# One review by kind and id ((kind, id) -> subject, or None when it is not this app's kind or not found).
FIND_SUBJECT: Hooks[Callable[[str, int], ViewsSubject | None]] = Hooks(
    "pupils.contributions.FIND_SUBJECT",
    rule="a parent's views reach the review they were written for",
    filled_by="graduated and reviews",
)

# Where a parent gives their views for a review (subject -> link): the portal (reports) fills it.
PORTAL_LINK: Hooks[Callable[[ViewsSubject], str]] = Hooks(
    "pupils.contributions.PORTAL_LINK",
    rule="a parent asked for their views is taken to the page where they give them",
    filled_by="reports",
)


def portal_link(subject: ViewsSubject) -> str:
    return next((link for hook in PORTAL_LINK if (link := hook(subject))), "/family/")


def open_subjects(pupil: Pupil) -> list[ViewsSubject]:
    subjects = [s for hook in OPEN_SUBJECTS for s in hook(pupil)]
    return sorted(subjects, key=lambda s: (s.date or date.max, s.kind, s.id))


def find_subject(kind: str, subject_id: int) -> ViewsSubject | None:
    if kind not in ContributionSubject.values:
        return None
    return next((found for hook in FIND_SUBJECT if (found := hook(kind, subject_id)) is not None), None)


# Reads ----------------------------------------------------------------------------------------------


def _with_reports(qs: QuerySet[ParentContribution]) -> QuerySet[ParentContribution]:
    reports = ContributionReport.objects.select_related("document").order_by("created_at", "id")
    return qs.select_related("author", "copied_by").prefetch_related(Prefetch("reports", queryset=reports))


def contributions_for(subject: ViewsSubject) -> list[ParentContribution]:
    """Every parent's views for one review, oldest first, with their reports (two queries)."""
    qs = ParentContribution.objects.filter(
        pupil_id=subject.pupil_id, subject_kind=subject.kind, subject_id=subject.id
    ).order_by("created_at", "id")
    return list(_with_reports(qs))


def own_contribution(subject: ViewsSubject, author: User) -> ParentContribution | None:
    qs = ParentContribution.objects.filter(subject_kind=subject.kind, subject_id=subject.id, author=author)
    return _with_reports(qs).first()


def last_request(subject: ViewsSubject) -> ViewsRequest | None:
    return (
        ViewsRequest.objects.filter(pupil_id=subject.pupil_id, subject_kind=subject.kind, subject_id=subject.id)
        .select_related("asked_by")
        .first()
    )


@dataclass
class StaffViews:
    """The parents' views panel of a staff review page."""

    subject: ViewsSubject
    contributions: list[ParentContribution]
    asked: ViewsRequest | None
    parents_linked: int
    may_change: bool = False


def staff_views(subject: ViewsSubject, user: User) -> StaffViews:
    """What a staff review page shows of the parents' views (a fixed number of queries)."""
    linked = Contact.objects.filter(pupil_id=subject.pupil_id, user__isnull=False).count()
    return StaffViews(
        subject=subject,
        contributions=contributions_for(subject),
        asked=last_request(subject),
        parents_linked=linked,
        may_change=can(user, subject.staff_action, _pupil_ref(subject)),
    )


@dataclass
class PortalViews:
    """For one child in the portal: the reviews to give views for, and the views this parent gave."""

    open: list[tuple[ViewsSubject, ParentContribution | None, ViewsRequest | None]]
    past: list[ParentContribution]


def portal_views(*, pupil: Pupil, user: User) -> PortalViews:
    subjects = open_subjects(pupil)
    mine = list(ParentContribution.objects.filter(pupil=pupil, author=user).order_by("-created_at", "-id"))
    asks = list(ViewsRequest.objects.filter(pupil=pupil))
    by_subject = {(c.subject_kind, c.subject_id): c for c in mine}
    asked: dict[tuple[str, int], ViewsRequest] = {}
    for r in asks:  # newest first
        asked.setdefault((r.subject_kind, r.subject_id), r)
    open_keys = {(s.kind, s.id) for s in subjects}
    return PortalViews(
        open=[(s, by_subject.get((s.kind, s.id)), asked.get((s.kind, s.id))) for s in subjects],
        past=[c for c in mine if (c.subject_kind, c.subject_id) not in open_keys],
    )


def documents_for_parent(*, pupil: Pupil, user: User) -> QuerySet[Document]:
    """The child's documents a parent may download: those the school shared, and the reports they added."""
    own = Q(uploaded_by=user, category=Document.Category.FROM_PARENT)
    return Document.objects.filter(Q(visibility=Document.Visibility.PARENTS) | own, pupil=pupil).order_by("-created_at")


def as_text(contribution: ParentContribution) -> str:
    """The parent's views as one text, attributed and dated, for the review's own parents' views."""
    who = contribution.author_name + (f" ({contribution.relationship})" if contribution.relationship else "")
    when = timezone.localtime(contribution.updated_at)
    lines = [f"From {who}, {when.day} {when:%B %Y}:"]
    for q in QUESTIONS:
        answer = getattr(contribution, q.name)
        if answer:
            lines.append(f"{q.label} {answer}")
    return "\n".join(lines)


# Writes ---------------------------------------------------------------------------------------------


def _pupil_ref(subject: ViewsSubject) -> Any:
    """Enough of a pupil for a permission check (its school and trust), without a query."""
    return Pupil(pk=subject.pupil_id, trust_id=subject.trust_id, school_id=subject.school_id)


def _clean(text: Any) -> str:
    return str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def check_answers(answers: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The answers cleaned, and each problem by field: at least one answer, none over the limit."""
    cleaned = {name: _clean(answers.get(name)) for name in ANSWER_FIELDS}
    problems: dict[str, list[str]] = {}
    for q in QUESTIONS:
        length = len(cleaned[q.name])
        if length > ANSWER_LIMIT:
            problems[q.name] = [
                f"“{q.label}” is {length} characters long. Keep it to {ANSWER_LIMIT} characters or fewer."
            ]
    if not any(cleaned.values()):
        problems[ANSWER_FIELDS[0]] = ["Answer at least one question."]
    return cleaned, problems


@transaction.atomic
def save_parent_views(
    *,
    pupil: Pupil,
    subject: ViewsSubject,
    author: User,
    answers: dict[str, Any],
    reports: Sequence[Any] = (),
) -> ParentContribution:
    """Keep (or change) a parent's views for a review not yet held, with any reports they add.

    Side effects: one ParentContribution per parent per review (created or updated); each report checked
    like every upload (`check_upload`) and kept as a staff-visible document "from a parent or carer"
    that this parent can also download; audit entries for the views and each document; the first time,
    the school's SENCOs are notified. Every problem is collected first and nothing is written unless all
    pass (ValidationError by field: the answers, "report"). PermissionDenied if `author` is not this
    child's parent or the review is not theirs; ValidationError if the review has been held.
    """
    if not can(author, "portal.give_views") or not children_of(author).filter(pk=pupil.pk).exists():
        raise PermissionDenied("You can only give your views about your own child.")
    if subject.pupil_id != pupil.pk:
        raise PermissionDenied("That review is not about this child.")
    if not subject.open:
        raise ValidationError("The review has happened, so your views can no longer be changed.")
    cleaned, problems = check_answers(answers)
    existing = (
        ParentContribution.objects.select_for_update()
        .filter(subject_kind=subject.kind, subject_id=subject.id, author=author)
        .first()
    )
    already = existing.reports.count() if existing else 0
    files = [f for f in reports if f]
    checked = []
    for uploaded in files:
        try:
            checked.append((uploaded, *check_upload(uploaded)))
        except ValidationError as exc:
            name = os.path.basename(getattr(uploaded, "name", "") or "the file")
            problems.setdefault("report", []).extend(f"{name}: {m}" for m in exc.messages)
    if already + len(files) > REPORTS_LIMIT:
        problems.setdefault("report", []).append(f"You can add up to {REPORTS_LIMIT} reports.")
    if problems:
        raise ValidationError(problems)

    contact = Contact.objects.filter(pupil=pupil, user=author).first()
    contribution = existing or ParentContribution(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        subject_kind=subject.kind,
        subject_id=subject.id,
    )
    created = existing is None
    contribution.author = author
    contribution.author_name = (contact.name if contact else "") or author.full_name or author.email
    contribution.relationship = contact.relationship if contact else ""
    for name, value in cleaned.items():
        setattr(contribution, name, value)
    stored: list[Document] = []
    try:
        try:
            with transaction.atomic():
                contribution.save()
        except IntegrityError as exc:  # the same parent's first views, sent twice at once
            raise ValidationError(
                "Your views were saved from another window. Open the page again to see them."
            ) from exc
        audit.record(
            actor=author,
            action=audit.Action.CREATE if created else audit.Action.CHANGE,
            obj=contribution,
            pupil_id=pupil.pk,
            summary=f"Parent's views before the {subject.label.lower()}" + ("" if created else " changed"),
        )
        for uploaded, kind, size in checked:
            original_name = clean_file_name(getattr(uploaded, "name", "") or "report", kind)
            document = Document(
                trust_id=pupil.trust_id,
                school_id=pupil.school_id,
                pupil=pupil,
                original_name=original_name,
                content_type=kind.content_type,
                size=size,
                category=Document.Category.FROM_PARENT,
                visibility=Document.Visibility.STAFF,
                title=os.path.splitext(original_name)[0][:200],
                uploaded_by=author,
            )
            uploaded.seek(0)
            document.file.save(original_name, uploaded, save=False)
            stored.append(document)
            document.save()
            ContributionReport.objects.create(trust_id=pupil.trust_id, contribution=contribution, document=document)
            audit.record(
                actor=author,
                action=audit.Action.CREATE,
                obj=document,
                pupil_id=pupil.pk,
                summary=f"Report from a parent or carer: {document.title} ({kind.label})",
            )
    except Exception:
        for document in stored:
            document.file.delete(save=False)
        raise
    if created:
        _tell_sencos(contribution=contribution, subject=subject)
    return contribution


def _tell_sencos(*, contribution: ParentContribution, subject: ViewsSubject) -> None:
    sencos = User.objects.filter(
        pk__in=Membership.objects.filter(school_id=subject.school_id, role=Role.SENCO).values("user_id")
    )
    for senco in sencos:
        notify(
            recipient=senco,
            kind="parent_views",
            text=f"{contribution.author_name} gave their views before {contribution.pupil}'s {subject.label.lower()}.",
            link=subject.staff_url,
        )


@transaction.atomic
def ask_parents_for_views(*, subject: ViewsSubject, actor: User) -> ViewsRequest:
    """Ask the pupil's parents who use the portal for their views before a review not yet held.

    Side effects: a ViewsRequest; a notification (and its email, which names no child) to each linked
    parent; an audit entry. PermissionDenied without the review's staff permission; ValidationError if
    the review has been held or no parent of the pupil uses the portal."""
    pupil = Pupil.objects.select_related("school").get(pk=subject.pupil_id)
    if not can(actor, subject.staff_action, pupil):
        raise PermissionDenied("You cannot ask for views about this pupil.")
    if not subject.open:
        raise ValidationError("The review has been held: it is too late to ask for views.")
    parents = list(User.objects.filter(children_links__pupil=pupil).distinct())
    if not parents:
        raise ValidationError(
            f"No parent or carer of {pupil.forename} uses the parent portal yet. "
            "Invite them from the pupil's record, or ask them in person."
        )
    request = ViewsRequest.objects.create(
        trust_id=pupil.trust_id,
        pupil=pupil,
        subject_kind=subject.kind,
        subject_id=subject.id,
        asked_by=actor,
        parents_told=len(parents),
    )
    day = subject.date_to_come
    when = f" on {day.day} {day:%B %Y}" if day else ""
    for parent in parents:
        notify(
            recipient=parent,
            kind="portal.views",
            text=f"Please tell us your views before {pupil.forename}'s review{when}.",
            link=portal_link(subject),
        )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=request,
        pupil_id=pupil.pk,
        summary=f"Parents asked for their views before the {subject.label.lower()} ({len(parents)} told)",
    )
    return request


def mark_copied(*, contribution: ParentContribution, actor: User) -> None:
    """The parent's views were copied into the review's parents' views (called inside the copying app's
    transaction); audited."""
    contribution.copied_at, contribution.copied_by = timezone.now(), actor
    contribution.save(update_fields=["copied_at", "copied_by"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=contribution,
        pupil_id=contribution.pupil_id,
        summary="Parent's views copied into the review",
    )
