"""Pupil voice: the pupil's "All about me" one-page profile, completed by the pupil with an adult.

Who: the casework roles of the pupil's school ("voice.record"), the pupil's own teachers and teaching
assistants ("voice.record_own" and a teaching group of theirs), and the pupil's parents ("voice.family":
they read it in the portal and may complete it at home with their child). Nobody else, governors and
trustees included. Every save is a new version; the newest is the one the record, the pupil passport, the
annual review and the portal show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trusts import audit
from trusts.models import User
from trusts.permissions import can

from .models import AllAboutMe, Pupil
from .queries import children_of, own_pupil_ids
from .record import RecordPart
from .timeline import TimelineEvent

MAX_CHARS = 1000  # each section
HISTORY_SHOWN = 20


@dataclass(frozen=True)
class Section:
    field: str
    heading: str  # in the pupil's words, as the profile shows it
    prompt: str  # the question the adult reads out with the pupil
    group: str  # the part of the page it sits in
    optional: bool = False


# Child-friendly words (tests check their reading age). The order is the page's.
SECTIONS: tuple[Section, ...] = (
    Section(
        "liked_admired",
        "What people like about me",
        "What are you good at? What do your friends and family say they like about you?",
        "About me",
    ),
    Section(
        "important_to_me",
        "What is important to me",
        "Who and what do you care about most? Think of people, pets, games and places.",
        "About me",
    ),
    Section(
        "what_helps",
        "What helps me",
        "What do grown-ups do that helps you learn, or helps when you feel upset?",
        "How to help me",
    ),
    Section(
        "what_does_not_help",
        "What does not help me",
        "What makes things harder for you? What should people not do?",
        "How to help me",
    ),
    Section(
        "hopes",
        "My hopes",
        "What do you hope for this year? What would you like to do when you are older?",
        "My hopes",
    ),
    Section(
        "get_better_at",
        "What I want to get better at",
        "What would you like to learn, or be able to do by yourself?",
        "My hopes",
    ),
    Section(
        "communication",
        "How I like to talk and share",
        "How do you like people to talk with you? You might like words, signs, pictures or an app.",
        "How I talk and share",
        optional=True,
    ),
)
FIELDS = tuple(s.field for s in SECTIONS)


# Who may -------------------------------------------------------------------------------------------------


def may_record(user: User, pupil: Pupil) -> bool:
    """Staff who may complete the profile with the pupil (and read it): the school's casework roles, or a
    teacher or teaching assistant who teaches or supports the pupil."""
    if can(user, "voice.record", pupil):
        return True
    return can(user, "voice.record_own", pupil) and own_pupil_ids(user).filter(pupil_id=pupil.pk).exists()


def is_parent_of(user: User, pupil: Pupil) -> bool:
    """A parent of the pupil (their contact is linked to the account): reads it and may complete it at home."""
    return can(user, "voice.family", pupil) and children_of(user).filter(pk=pupil.pk).exists()


def may_see(user: User, pupil: Pupil) -> bool:
    return may_record(user, pupil) or is_parent_of(user, pupil)


# Reads ---------------------------------------------------------------------------------------------------


def latest_for(pupil: Pupil) -> AllAboutMe | None:
    """The newest version (one query), with who saved it."""
    return AllAboutMe.objects.filter(pupil=pupil).select_related("recorded_by").order_by("-created_at", "-id").first()


def history_of(pupil: Pupil, limit: int = HISTORY_SHOWN) -> list[AllAboutMe]:
    """Every version, newest first (at most `limit`), in one query."""
    return list(
        AllAboutMe.objects.filter(pupil=pupil).select_related("recorded_by").order_by("-created_at", "-id")[:limit]
    )


def answers_of(profile: AllAboutMe) -> list[tuple[Section, str]]:
    """The sections of one version with what was written, in page order (empty ones included)."""
    return [(s, getattr(profile, s.field)) for s in SECTIONS]


def as_pupil_views(profile: AllAboutMe) -> str:
    """The profile as the plain text of a review's "pupil's views": each written section under its heading,
    then when, with whom and in whose words."""
    parts = [f"{s.heading}: {text.strip()}" for s, text in answers_of(profile) if text.strip()]
    parts.append(
        f"(From {profile.pupil.forename}'s All about me of {profile.completed_on:%-d %B %Y}, completed "
        f"{profile.get_where_display().lower()} with {profile.helper_name}, {profile.helper_role}. "
        f"{profile.get_words_display()}.)"
    )
    return "\n\n".join(parts)


# Writes --------------------------------------------------------------------------------------------------


def _problems(
    *, answers: Mapping[str, str], helper_name: str, helper_role: str, words: str, completed_on: date, today: date
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    unknown = set(answers) - set(FIELDS)
    if unknown:
        problems["__all__"] = [f"Unknown sections: {', '.join(sorted(unknown))}."]
    if not any(str(answers.get(f, "")).strip() for f in FIELDS):
        problems.setdefault("__all__", []).append(
            "Write something in at least one section. The pupil can say as much or as little as they like."
        )
    for s in SECTIONS:
        text = str(answers.get(s.field, "")).strip()
        if len(text) > MAX_CHARS:
            problems[s.field] = [
                f"“{s.heading}” must be {MAX_CHARS:,} characters or fewer. It has {len(text):,}: "
                f"shorten it by {len(text) - MAX_CHARS:,}."
            ]
    if not helper_name.strip():
        problems["helper_name"] = ["Enter the name of the adult who helped."]
    elif len(helper_name.strip()) > 150:
        problems["helper_name"] = ["The adult's name must be 150 characters or fewer."]
    if not helper_role.strip():
        problems["helper_role"] = ["Enter the role of the adult who helped, for example teaching assistant or mum."]
    elif len(helper_role.strip()) > 100:
        problems["helper_role"] = ["The adult's role must be 100 characters or fewer."]
    if words not in AllAboutMe.Words.values:
        problems["words"] = ["Say whether these are the pupil's own words or written down by the adult with them."]
    if completed_on > today:
        problems["completed_on"] = ["The date it was completed cannot be in the future."]
    return problems


@transaction.atomic
def record_all_about_me(
    *,
    pupil: Pupil,
    actor: User,
    answers: Mapping[str, str],
    helper_name: str,
    helper_role: str,
    words: str,
    completed_on: date | None = None,
    at_home: bool = False,
) -> AllAboutMe:
    """Save a new version of the pupil's "All about me" (earlier versions stay as they are).

    Staff who may record it (`may_record`) save it as completed at school; a parent of the pupil saves it
    with `at_home=True`, and it is marked as completed at home. Every problem is collected and nothing is
    written unless all pass. Side effects: one new row and an audit entry (create).
    """
    if at_home:
        if not is_parent_of(actor, pupil):
            raise ValidationError("You cannot write this child's All about me.")
    elif not may_record(actor, pupil):
        raise ValidationError("You cannot write this pupil's All about me.")
    today = timezone.localdate()
    completed_on = completed_on or today
    problems = _problems(
        answers=answers,
        helper_name=helper_name,
        helper_role=helper_role,
        words=words,
        completed_on=completed_on,
        today=today,
    )
    if problems:
        raise ValidationError(problems)
    profile = AllAboutMe.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        completed_on=completed_on,
        helper_name=helper_name.strip(),
        helper_role=helper_role.strip(),
        words=words,
        where=AllAboutMe.Where.HOME if at_home else AllAboutMe.Where.SCHOOL,
        recorded_by=actor,
        **{f: str(answers.get(f, "")).strip() for f in FIELDS},
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=profile,
        pupil_id=pupil.pk,
        summary=f"All about me ({profile.get_where_display().lower()}, with {profile.helper_name})",
    )
    return profile


def record_part(user: User, pupil: Pupil, manage: bool) -> RecordPart | None:
    """The record's "All about me" panel, for the staff who may complete it with the pupil."""
    if not may_record(user, pupil):
        return None
    versions = history_of(pupil)
    timeline = [
        TimelineEvent(
            day=v.completed_on,
            text=f"All about me completed {v.get_where_display().lower()} with {v.helper_name}.",
            url=reverse("pupils:all_about_me", kwargs={"pupil_id": pupil.pk}),
        )
        for v in versions
    ]
    return RecordPart(
        template="pupils/voice/_record_block.html",
        context={"profile": versions[0] if versions else None},
        timeline=timeline,
    )
