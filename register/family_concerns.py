"""Concerns from families: a parent raises a concern about their own child in the portal, and is told the
school's answer there (the trusts' SEND policies: a concern may be raised "by a parent or carer … or by the
pupil themselves", and parents take part).

A parent's concern joins the SENCO's triage queue like any other (`CauseForConcern`, source "parent",
`from_portal`), written only through `raise_family_concern`: a parent never writes into a staff record and
is never asked about classroom strategies. When the SENCO closes it, `triage_concern` calls
`answer_family` in the same transaction: the parent gets the school's reply in plain words (a default
per outcome if the SENCO writes none) while the SENCO's notes stay staff-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from pupils.queries import children_of
from trusts import audit
from trusts.hooks import Hooks
from trusts.models import User
from trusts.permissions import can
from trusts.services import notify

from .models import CauseForConcern

Outcome = CauseForConcern.Outcome
Status = CauseForConcern.Status

# How much a parent may write in each answer (shown on the form, enforced here and by the form).
LIMITS = {
    "observations": 2000,
    "helps_at_home": 2000,
    "wanted_from_school": 1000,
    "child_says": 1000,
    "family_reply": 2000,
}

# The words a parent sees: plain, short sentences (tests/test_plain_words.py reads the portal pages).
FAMILY_MESSAGES = {
    "observations": "Tell us what you have noticed.",
    "noticed_since": "Tell us roughly when you first noticed this.",
    "noticed_since_future": "The date you first noticed this cannot be in the future.",
    "noticed_since_birth": "The date you first noticed this is before your child was born.",
    "helps_at_home": "Tell us what helps at home, or what you have tried.",
    "wanted_from_school": "Tell us what you would like the school to do.",
    "too_long": "Keep this to {limit:,} characters or fewer. You wrote {length:,}.",
    "family_reply_too_long": "Keep the message to the family to {limit:,} characters or fewer.",
}

# The school's answer in plain words when the SENCO writes no message of their own.
DEFAULT_REPLIES = {
    Outcome.NO_FURTHER_ACTION: "Thank you for telling us. We have looked at what you said with your child's "
    "teacher. We do not think your child needs extra help for special needs now. We will keep an eye on how "
    "they get on. Please tell us if things change.",
    Outcome.MONITOR: "Thank you for telling us. We will keep a closer eye on how your child is getting on. "
    "We will talk to you about how it is going.",
    Outcome.SEN_SUPPORT: "Thank you for telling us. We agree your child needs some extra help. We will plan "
    "this help with you, and we will ask you to meet us soon.",
    Outcome.REFER: "Thank you for telling us. We have asked {agency} for their advice. We will tell you "
    "what happens next.",
}

# What a parent reads as the status of a concern they raised.
FAMILY_STATUS = {
    Status.NEW: "Received",
    Status.IN_PROGRESS: "Being looked at",
    Status.CLOSED: "Answered",
}

# Where a parent reads the answer (their child's portal page): reports fills this in (it owns the portal).
FAMILY_CONCERN_LINK: Hooks[Callable[[CauseForConcern], str]] = Hooks(
    "register.family_concerns.FAMILY_CONCERN_LINK",
    rule="a parent told the outcome of their concern can follow the notification to the school's answer",
    filled_by="reports",
)


def default_reply(outcome: str, agency: str = "") -> str:
    """The message for the family when the SENCO writes none: what the outcome means, in plain words."""
    if outcome not in Outcome.values:
        return ""
    return DEFAULT_REPLIES[Outcome(outcome)].format(agency=agency or "an outside service")


def family_status(concern: CauseForConcern) -> str:
    return FAMILY_STATUS[Status(concern.status)]


def _too_long(problems: dict[str, list[str]], field: str, value: str) -> None:
    if len(value) > LIMITS[field]:
        problems.setdefault(field, []).append(
            FAMILY_MESSAGES["too_long"].format(limit=LIMITS[field], length=len(value))
        )


@transaction.atomic
def raise_family_concern(
    *,
    pupil: Pupil,
    actor: User,
    observations: str,
    noticed_since: date | None,
    helps_at_home: str,
    wanted_from_school: str,
    child_says: str = "",
) -> CauseForConcern:
    """A parent or carer raises a concern about their own child; it joins the SENCO's triage queue.

    Side effects: creates the concern (source "parent", written in the portal, status new) with the parent
    as `raised_by`; writes an audit entry ("create"); notifies every SENCO of the child's school ("a parent
    raised a concern", no pupil name; emailed after commit). The text is stored as typed: pages show it
    escaped, never as markup. Raises PermissionDenied unless the actor is a parent of this child, and
    ValidationError (messages keyed by field) for missing, too long or wrong answers; nothing is written then.
    """
    from .concerns import concern_link, sencos_of, year_group_words  # noqa: PLC0415 (concerns imports this module)

    if not can(actor, "portal.concern") or not children_of(actor).filter(pk=pupil.pk).exists():
        raise PermissionDenied("You can only raise a concern about your own child.")
    text = {
        "observations": observations.strip(),
        "helps_at_home": helps_at_home.strip(),
        "wanted_from_school": wanted_from_school.strip(),
        "child_says": child_says.strip(),
    }
    problems: dict[str, list[str]] = {}
    for field in ("observations", "helps_at_home", "wanted_from_school"):
        if not text[field]:
            problems[field] = [FAMILY_MESSAGES[field]]
    for field, value in text.items():
        _too_long(problems, field, value)
    if noticed_since is None:
        problems["noticed_since"] = [FAMILY_MESSAGES["noticed_since"]]
    elif noticed_since > timezone.localdate():
        problems["noticed_since"] = [FAMILY_MESSAGES["noticed_since_future"]]
    elif noticed_since < pupil.date_of_birth:
        problems["noticed_since"] = [FAMILY_MESSAGES["noticed_since_birth"]]
    if problems:
        raise ValidationError(problems)
    assert noticed_since is not None
    concern = CauseForConcern.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        raised_by=actor,
        source=CauseForConcern.Source.PARENT,
        from_portal=True,
        areas=[],
        observations=text["observations"],
        noticed_since=noticed_since,
        helps_at_home=text["helps_at_home"],
        wanted_from_school=text["wanted_from_school"],
        pupil_view=text["child_says"],
        parents_spoken_to=True,
        parents_view="",
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=concern,
        pupil_id=pupil.pk,
        summary="Cause for concern raised by a parent or carer in the family portal",
    )
    for senco in sencos_of(pupil.school_id):
        notify(
            recipient=senco,
            kind="concern.raised",
            text=f"A parent raised a concern about {year_group_words(pupil)}. It is waiting for your triage.",
            link=concern_link(concern),
            dedupe_key=f"concern:{concern.pk}:raised",
        )
    return concern


def check_family_reply(concern: CauseForConcern, family_reply: str) -> list[str]:
    """The problems with the SENCO's message to the family (empty when it is fine)."""
    if concern.from_portal and len(family_reply) > LIMITS["family_reply"]:
        return [FAMILY_MESSAGES["family_reply_too_long"].format(limit=LIMITS["family_reply"])]
    return []


def answer_family(*, concern: CauseForConcern, actor: User, family_reply: str) -> str:
    """Tell the parent who raised a portal concern the school's answer (inside `triage_concern`'s
    transaction). Returns the reply stored on the concern ("" for a concern a parent did not write).

    Side effects: stores the reply (the SENCO's words, or the outcome's default); notifies the parent (a
    notification and, after commit, an email that names no pupil) with a link to their child's portal page.
    """
    if not concern.from_portal:
        return ""
    reply = family_reply.strip() or default_reply(concern.outcome, concern.outside_agency)
    CauseForConcern.objects.filter(pk=concern.pk).update(family_reply=reply)
    concern.family_reply = reply
    link = next((hook(concern) for hook in FAMILY_CONCERN_LINK), "")
    raised = timezone.localtime(concern.created_at).date()
    notify(
        recipient=concern.raised_by,
        kind="family.concern_answered",
        text=f"The school has answered the concern you raised on {raised:%-d %B %Y}. Sign in to read it.",
        link=link,
        dedupe_key=f"concern:{concern.pk}:family_answer",
    )
    return reply
