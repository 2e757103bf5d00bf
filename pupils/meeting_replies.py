"""Parents answer the meetings the school sets for their child, and are told when the school moves one.

The meetings belong to the apps above (`reviews`: the annual review meeting; `graduated`: the support-plan
review). Each describes its meetings for parents as `MeetingRef`s; this module stores the parent's answer
(`MeetingReply`), tells the school's SENCO, and tells the child's parents when a date changes. It never
imports the apps above: where a parent's link goes is filled in by `reports` (PARENT_LINKS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from trusts import audit
from trusts.hooks import Hooks
from trusts.models import Role, User

from .models import Contact, MeetingReply, Pupil

Answer = MeetingReply.Answer
Subject = MeetingReply.Subject
REASON_MAX = 1000
SUITS_MAX = 300

# Where a parent reads their child's record (the portal's child page): filled by `reports`. Optional: with
# nothing filled in, a parent's notification links to their notifications page.
PARENT_LINKS: Hooks[Callable[[Pupil], str]] = Hooks(
    "PARENT_LINKS", rule="the link in a parent's notification", filled_by="reports", required=False
)


def _lower_first(title: str) -> str:
    """ "Annual review meeting of the EHC plan" → "annual review meeting of the EHC plan"."""
    return title[:1].lower() + title[1:]


def parent_link(pupil: Pupil) -> str:
    for link in PARENT_LINKS:
        return link(pupil)
    return "/notifications/"


@dataclass
class MeetingRef:
    """A meeting the school set for a child, as its parent sees it."""

    subject_type: str
    subject_id: int
    pupil: Pupil
    date: date
    title: str  # plain words: "Annual review meeting of the EHC plan"
    held: bool = False
    shared_notes: list[str] = field(default_factory=list)  # only what the school agreed to share
    reply: MeetingReply | None = None

    @property
    def key(self) -> str:
        return f"{self.subject_type}-{self.subject_id}"

    @property
    def answerable(self) -> bool:
        return not self.held and self.date >= timezone.localdate()

    @property
    def reply_is_current(self) -> bool:
        return self.reply is not None and self.reply.meeting_date == self.date


def linked_parents(pupil: Pupil) -> list[User]:
    """The child's parents with an account and parental responsibility, in the child's own trust only."""
    contacts = Contact.objects.filter(
        pupil=pupil,
        parental_responsibility=True,
        user__isnull=False,
        user__is_active=True,
        user__trust_id=pupil.trust_id,
    ).select_related("user")
    seen: dict[int, User] = {}
    for c in contacts:
        assert c.user is not None
        seen.setdefault(c.user.pk, c.user)
    return list(seen.values())


def _is_parent_of(user: User, pupil: Pupil) -> bool:
    return user.trust_id == pupil.trust_id and Contact.objects.filter(pupil=pupil, user=user).exists()


def senco_recipients(school_id: int, trust_id: int) -> list[User]:
    """The school's SENCOs; the trust's inclusion leads when the school has none (someone always hears)."""
    people = list(
        User.objects.filter(
            memberships__trust_id=trust_id,
            memberships__school_id=school_id,
            memberships__role=Role.SENCO,
            is_active=True,
        ).distinct()
    )
    if not people:
        people = list(
            User.objects.filter(
                memberships__trust_id=trust_id, memberships__role=Role.INCLUSION_LEAD, is_active=True
            ).distinct()
        )
    return people


def attach_replies(meetings: Iterable[MeetingRef], parent: User) -> list[MeetingRef]:
    """Fill in this parent's answer on each meeting (one query)."""
    meetings = list(meetings)
    if not meetings:
        return meetings
    pupil_ids = {m.pupil.pk for m in meetings}
    replies = {
        (r.subject_type, r.subject_id): r for r in MeetingReply.objects.filter(parent=parent, pupil_id__in=pupil_ids)
    }
    for m in meetings:
        m.reply = replies.get((m.subject_type, m.subject_id))
    return meetings


def replies_for(*, subject_type: str, subject_id: int) -> QuerySet[MeetingReply]:
    """Parents' answers to one meeting, for the staff page (newest first)."""
    return (
        MeetingReply.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("parent")
        .order_by("-updated_at")
    )


def reply_problems(*, meeting: MeetingRef, answer: str, reason: str, suits: str) -> dict[str, str]:
    """What is wrong with an answer, by field ("" for the meeting itself). Empty when it may be saved."""
    problems: dict[str, str] = {}
    if meeting.held:
        problems[""] = "The meeting has already happened, so it is too late to answer."
    elif meeting.date < timezone.localdate():
        problems[""] = "The date of this meeting has passed, so you cannot answer it now."
    if answer not in Answer.values:
        problems["answer"] = "Choose if you will come or if you want to ask to move the meeting."
    if answer == Answer.MOVE and not reason.strip():
        problems["reason"] = "Tell the school why the date does not suit you."
    if len(reason) > REASON_MAX:
        problems["reason"] = f"Your reason must be {REASON_MAX} characters or fewer."
    if len(suits) > SUITS_MAX:
        problems["suits"] = f"The days and times that suit you must be {SUITS_MAX} characters or fewer."
    return problems


@transaction.atomic
def reply_to_meeting(
    *, parent: User, meeting: MeetingRef, answer: str, reason: str = "", suits: str = ""
) -> MeetingReply:
    """A parent says they will come to a meeting, or asks the school to move it (with why, and when suits).

    Side effects: the parent's one reply to this meeting created or replaced (it records the date answered
    for); the school's SENCO notified (inclusion leads if the school has no SENCO; no pupil name: the
    notification is emailed); an audit entry. Nothing is written if any check fails (ValidationError, by
    field: `reply_problems`). Only a parent of the child may answer, and never a meeting already held.
    """
    from trusts.permissions import can

    pupil = meeting.pupil
    if not can(parent, "portal.meetings.reply") or not _is_parent_of(parent, pupil):
        raise ValidationError("Only the child's parent can answer this meeting.")
    reason, suits = reason.strip(), suits.strip()
    problems = reply_problems(meeting=meeting, answer=answer, reason=reason, suits=suits)
    if problems:
        raise ValidationError({k or "__all__": v for k, v in problems.items()})
    if answer == Answer.COMING:
        reason, suits = "", ""
    reply, _ = MeetingReply.objects.update_or_create(
        subject_type=meeting.subject_type,
        subject_id=meeting.subject_id,
        parent=parent,
        defaults={
            "trust_id": pupil.trust_id,
            "school_id": pupil.school_id,
            "pupil": pupil,
            "meeting_date": meeting.date,
            "answer": answer,
            "reason": reason,
            "suits": suits,
        },
    )
    from trusts.services import notify

    when, title = f"{meeting.date:%A %-d %B %Y}", _lower_first(meeting.title)
    who = f"A parent of a {pupil.get_year_group_display()} pupil"
    text = (
        f"{who} will come to the {title} on {when}."
        if answer == Answer.COMING
        else f"{who} asks to move the {title} on {when}. Read their reason and the times that suit them."
    )
    for senco in senco_recipients(pupil.school_id, pupil.trust_id):
        notify(recipient=senco, kind="meeting_reply", text=text, link=STAFF_LINKS.link(meeting))
    audit.record(
        actor=parent,
        action=audit.Action.CHANGE,
        obj=reply,
        pupil_id=pupil.pk,
        summary=f"Parent answered the {title} on {meeting.date:%-d %B %Y}: {reply.get_answer_display()}",
    )
    return reply


class _StaffLinks(dict[str, Callable[[MeetingRef], str]]):
    """Where staff read a meeting's answers, by subject type: filled by `reviews` and `graduated`."""

    def link(self, meeting: MeetingRef) -> str:
        fn = self.get(meeting.subject_type)
        return fn(meeting) if fn else ""


STAFF_LINKS = _StaffLinks()


def tell_parents_date_changed(*, pupil: Pupil, title: str, old: date | None, new: date, key: str) -> int:
    """Tell the child's linked parents that the school set or moved a meeting (plain words, no pupil name:
    it is emailed). Once per parent per new date (`key` names the meeting). Returns how many were told."""
    from trusts.services import notify

    if old == new:
        return 0
    when = f"{new:%A %-d %B}" if new.year == timezone.localdate().year else f"{new:%A %-d %B %Y}"
    meeting, ask = _lower_first(title), "Please tell the school if you can come."
    text = (
        f"The school has moved the {meeting}. The new date is {when}. {ask}"
        if old
        else f"The school has set a date for the {meeting}: {when}. {ask}"
    )
    told = 0
    for parent in linked_parents(pupil):
        note = notify(
            recipient=parent,
            kind="meeting_date",
            text=text,
            link=parent_link(pupil),
            dedupe_key=f"meeting:{key}:{old or ''}-{new:%Y-%m-%d}",
        )
        told += note is not None
    return told
