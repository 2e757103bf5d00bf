"""Cause for concern: a teacher raises one, the SENCO triages it (CoP 6.44-6.56, domain.md).

Slow progress alone is not SEN, and EAL alone is not SEN: a concern therefore always records the wave 1
(quality-first teaching) strategies already tried and their effect, so the SENCO can tell a need for
SEN support from a need for different teaching. Outcomes that put a pupil on the register go through
`services.change_status`, in the same transaction, so its rules (primary need, parents told: CoP 6.43)
hold here too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.models import Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

from . import services
from .concern_queries import pupils_for_concern
from .family_concerns import answer_family, check_family_reply
from .models import BroadArea, CauseForConcern, SenStatus

logger = logging.getLogger(__name__)

Status = CauseForConcern.Status
Outcome = CauseForConcern.Outcome
Source = CauseForConcern.Source

# The messages a person sees; the forms use the same words so the page and the service never disagree.
MESSAGES = {
    "areas": "Tick at least one broad area of need. If you are not sure, tick the closest.",
    "areas_invalid": "Choose broad areas of need from the list.",
    "observations": "Describe what you have noticed.",
    "noticed_since": "Enter the date you first noticed this.",
    "noticed_since_future": "The date you first noticed this cannot be in the future.",
    "noticed_since_birth": "The date you first noticed this is before the pupil was born.",
    "strategies_tried": (
        "Say which wave 1 (quality-first teaching) strategies you have already tried. "
        "Slow progress alone is not SEN, so the SENCO needs to know what has been tried in class."
    ),
    "strategies_effect": "Say what effect those strategies had, even if it was none.",
    "parents_spoken_to": "Say whether you have spoken to the pupil's parents or carers.",
    "parents_view": "Say what the parents or carers think, or answer No to whether you have spoken to them.",
    "source": "Say who raised this concern.",
    "pupil_words": "Write what the pupil told you, in their own words.",
    "parent_words": "Write what the parent or carer told you.",
    "outcome": "Choose the outcome of the triage.",
    "notes": "Add notes: say what you decided and why. The person who raised the concern sees them.",
    "notes_staff_only": "Add notes: say what you decided and why. They are for staff only, not the family.",
    "outside_agency": "Enter the name of the outside agency you are referring the pupil to.",
    "closed": "This concern is already closed: its outcome cannot be changed.",
    "not_new": "Triage has already started on this concern.",
    "has_ehc_plan": (
        "{pupil} has an EHC plan (E). SEN support would take them off it: choose another outcome, "
        "or change the register from the pupil's record if the plan has ended."
    ),
}

# The outcome in plain words, for the person who raised the concern.
OUTCOME_WORDS = {
    Outcome.NO_FURTHER_ACTION: "no further action. The SENCO does not think the pupil needs SEN support now; "
    "keep using the strategies that work in class.",
    Outcome.MONITOR: "monitor. The SENCO will keep an eye on the pupil's progress with you.",
    Outcome.SEN_SUPPORT: "SEN support. The pupil is now on the SEN register, and the SENCO will plan their "
    "support with you.",
    Outcome.REFER: "refer to an outside agency ({agency}). The SENCO will tell you what happens next.",
}


def concern_link(concern: CauseForConcern) -> str:
    return reverse("register:concern_detail", kwargs={"pk": concern.pk})


def raised_on(concern: CauseForConcern) -> date:
    return timezone.localtime(concern.created_at).date()


def describe_outcome(concern: CauseForConcern) -> str:
    """The outcome of a closed concern in a sentence fragment a teacher understands."""
    if not concern.outcome:
        return ""
    return OUTCOME_WORDS[Outcome(concern.outcome)].format(agency=concern.outside_agency)


def year_group_words(pupil: Pupil) -> str:
    # Notifications are emailed: they say which year group, never the pupil's name (data minimisation).
    return f"a {pupil.get_year_group_display()} pupil"


def _raise_problems(
    *,
    pupil: Pupil,
    source: str,
    pupil_view: str,
    areas: Sequence[str],
    observations: str,
    noticed_since: date | None,
    strategies_tried: str,
    strategies_effect: str,
    parents_spoken_to: bool,
    parents_view: str,
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def add(field: str, key: str | None = None) -> None:
        problems.setdefault(field, []).append(MESSAGES[key or field])

    if not areas:
        add("areas")
    elif any(a not in BroadArea.values for a in areas):
        add("areas", "areas_invalid")
    if not observations:
        add("observations")
    if noticed_since is None:
        add("noticed_since")
    elif noticed_since > timezone.localdate():
        add("noticed_since", "noticed_since_future")
    elif noticed_since < pupil.date_of_birth:
        add("noticed_since", "noticed_since_birth")
    if not strategies_tried:
        add("strategies_tried")
    if not strategies_effect:
        add("strategies_effect")
    if source not in CauseForConcern.Source.values:
        add("source")
    elif source == CauseForConcern.Source.PUPIL and not pupil_view:
        add("pupil_view", "pupil_words")
    if source == CauseForConcern.Source.PARENT and not parents_view:
        add("parents_view", "parent_words")
    elif parents_spoken_to and not parents_view:
        add("parents_view")
    return problems


def sencos_of(school_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(school_id=school_id, role=Role.SENCO).values("user_id"),
        )
    )


@transaction.atomic
def raise_concern(
    *,
    pupil: Pupil,
    actor: User,
    areas: Sequence[str],
    observations: str,
    noticed_since: date | None,
    evidence: str,
    strategies_tried: str,
    strategies_effect: str,
    parents_spoken_to: bool,
    parents_view: str,
    pupil_view: str,
    attachments: Sequence[Any] = (),
    source: str = CauseForConcern.Source.STAFF,
) -> CauseForConcern:
    """Record a cause for concern about one of the actor's pupils and send it to the school's SENCOs.

    Side effects: creates the concern (status new), writes an audit entry ("create"), notifies every
    SENCO of the pupil's school except the actor (the email goes after commit), and keeps each attachment
    on the pupil's record as staff-only cause-for-concern evidence (`pupils.documents.upload_document`).
    `source` says who raised it: a member of staff who noticed, the pupil who told them (the pupil's own
    words, `pupil_view`, are then needed) or a parent or carer who told them (what they said, `parents_view`,
    is then needed and the parents count as spoken to).
    Raises PermissionDenied if the actor may not raise a concern about this pupil, and ValidationError
    (messages keyed by field) for missing or wrong answers; nothing is written then.
    """
    if source == CauseForConcern.Source.PARENT:
        parents_spoken_to = True  # a parent or carer told us: we have spoken to them
    if not pupils_for_concern(actor).filter(pk=pupil.pk).exists():
        raise PermissionDenied("You cannot raise a concern about this pupil.")
    areas = list(dict.fromkeys(areas))  # a repeated tick counts once, in the order given
    text = {
        "observations": observations.strip(),
        "evidence": evidence.strip(),
        "strategies_tried": strategies_tried.strip(),
        "strategies_effect": strategies_effect.strip(),
        "parents_view": parents_view.strip() if parents_spoken_to else "",
        "pupil_view": pupil_view.strip(),
    }
    problems = _raise_problems(
        pupil=pupil,
        source=source,
        pupil_view=text["pupil_view"],
        areas=areas,
        observations=text["observations"],
        noticed_since=noticed_since,
        strategies_tried=text["strategies_tried"],
        strategies_effect=text["strategies_effect"],
        parents_spoken_to=parents_spoken_to,
        parents_view=text["parents_view"],
    )
    if problems:
        raise ValidationError(problems)
    assert noticed_since is not None
    concern = CauseForConcern.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        raised_by=actor,
        source=source,
        areas=areas,
        noticed_since=noticed_since,
        parents_spoken_to=parents_spoken_to,
        **text,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=concern,
        pupil_id=pupil.pk,
        summary="Cause for concern raised: " + ", ".join(BroadArea(a).label for a in areas),
    )
    raiser = actor.full_name or actor.email
    told: dict[str, str] = {Source.PUPIL: " (the pupil told them)", Source.PARENT: " (a parent told them)"}
    for senco in sencos_of(pupil.school_id):
        if senco.pk == actor.pk:
            continue
        notify(
            recipient=senco,
            kind="concern.raised",
            text=f"{raiser} raised a cause for concern about {year_group_words(pupil)}{told.get(source, '')}. "
            "It is waiting for your triage.",
            link=concern_link(concern),
            dedupe_key=f"concern:{concern.pk}:raised",
        )
    _attach(concern=concern, attachments=attachments, actor=actor)
    return concern


def _attach(*, concern: CauseForConcern, attachments: Sequence[Any], actor: User) -> None:
    """Keep each file on the pupil's record; if one is refused, remove the files already stored (their
    rows go with the rolled-back transaction) and report which file was refused."""
    if not attachments:
        return
    from pupils.documents import upload_document

    stored = []
    try:
        for uploaded in attachments:
            try:
                stored.append(
                    upload_document(
                        pupil=concern.pupil,
                        uploaded_file=uploaded,
                        category="concern",
                        visibility="staff",
                        title="",
                        actor=actor,
                        concern_id=concern.pk,
                    )
                )
            except ValidationError as exc:
                name = getattr(uploaded, "name", "") or "A file"
                raise ValidationError({"attachments": [f"{name}: {m}" for m in exc.messages]}) from exc
    except Exception:
        for document in stored:
            document.file.delete(save=False)
        raise


def _check_triager(concern: CauseForConcern, actor: User) -> None:
    if not can(actor, "concern.triage", concern):
        raise PermissionDenied("You cannot triage concerns at this school.")


@transaction.atomic
def start_triage(*, concern: CauseForConcern, actor: User) -> CauseForConcern:
    """Mark a new concern as in progress, with the actor as the person looking at it.

    Side effects: updates the concern, writes an audit entry ("change"). Raises PermissionDenied if the
    actor may not triage at the concern's school, ValidationError if the concern is not new.
    """
    _check_triager(concern, actor)
    claimed = CauseForConcern.objects.filter(pk=concern.pk, status=Status.NEW).update(
        status=Status.IN_PROGRESS, triaged_by=actor, updated_at=timezone.now()
    )
    concern.refresh_from_db()
    if claimed != 1:  # compare-and-set: two SENCOs pressing the button at once start it once
        raise ValidationError(MESSAGES["closed"] if concern.status == Status.CLOSED else MESSAGES["not_new"])
    audit.record(
        actor=actor, action=audit.Action.CHANGE, obj=concern, pupil_id=concern.pupil_id, summary="Triage started"
    )
    return concern


def _register_effect(
    *,
    concern: CauseForConcern,
    actor: User,
    outcome: str,
    parents_told_on: date | None,
    primary_need: str,
    secondary_need: str,
) -> None:
    """Put the pupil on the register when the outcome says so (raises change_status's ValidationError)."""
    pupil = concern.pupil
    entry = services.current_entry(pupil)
    reason = f"Cause for concern raised {raised_on(concern):%-d %B %Y}: {Outcome(outcome).label.lower()}"
    if outcome == Outcome.MONITOR:
        # Monitoring is the step before the register: a pupil already monitored or on it stays where they are.
        if entry.status in {SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN}:
            return
        services.change_status(pupil=pupil, to_status=SenStatus.MONITORING, actor=actor, reason=reason)
    elif outcome == Outcome.SEN_SUPPORT:
        if entry.status == SenStatus.EHC_PLAN:
            raise ValidationError(MESSAGES["has_ehc_plan"].format(pupil=pupil))
        unchanged = (
            entry.pk is not None
            and entry.status == SenStatus.SEN_SUPPORT
            and entry.primary_need == primary_need
            and entry.secondary_need == secondary_need
        )
        if unchanged:
            return
        services.change_status(
            pupil=pupil,
            to_status=SenStatus.SEN_SUPPORT,
            actor=actor,
            reason=reason,
            primary_need=primary_need,
            secondary_need=secondary_need,
            parents_told_on=parents_told_on,
            # The need's description is kept on the register entry when only the needs change.
            primary_need_detail=entry.primary_need_detail if entry.primary_need == primary_need else "",
            secondary_need_detail=entry.secondary_need_detail if entry.secondary_need == secondary_need else "",
        )


@transaction.atomic
def triage_concern(
    *,
    concern: CauseForConcern,
    actor: User,
    outcome: str,
    notes: str,
    outside_agency: str = "",
    parents_told_on: date | None = None,
    primary_need: str = "",
    secondary_need: str = "",
    family_reply: str = "",
) -> CauseForConcern:
    """Record the SENCO's decision and close the concern.

    Outcomes: no further action; monitor (the pupil goes on the monitoring list unless already monitored
    or on the register); SEN support (the pupil goes on the register at K through `change_status`, which
    needs the primary need and the date parents were told, CoP 6.43); refer to an outside agency (its name
    is needed; a draft referral is opened with it, `referrals.open_from_concern`). Side effects: the register
    change and its audit entry, the concern closed and audited ("change"), the person who raised it notified
    in plain words (emailed after commit). A concern a parent raised in the portal is answered to them
    instead (`family_concerns.answer_family`: `family_reply`, or the outcome's default message; the notes
    stay staff-only).
    Raises PermissionDenied if the actor may not triage at the concern's school, ValidationError (field
    messages, or change_status's messages) otherwise; nothing is written then.
    """
    _check_triager(concern, actor)
    notes, outside_agency = notes.strip(), outside_agency.strip()
    if concern.status == Status.CLOSED:
        raise ValidationError(MESSAGES["closed"])
    problems: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        problems["outcome"] = [MESSAGES["outcome"]]
    if not notes:
        problems["notes"] = [MESSAGES["notes_staff_only" if concern.from_portal else "notes"]]
    if outcome == Outcome.REFER and not outside_agency:
        problems["outside_agency"] = [MESSAGES["outside_agency"]]
    if reply_problems := check_family_reply(concern, family_reply.strip()):
        problems["family_reply"] = reply_problems
    if problems:
        raise ValidationError(problems)
    if outcome != Outcome.REFER:
        outside_agency = ""
    _register_effect(
        concern=concern,
        actor=actor,
        outcome=outcome,
        parents_told_on=parents_told_on,
        primary_need=primary_need,
        secondary_need=secondary_need,
    )
    now = timezone.now()
    decided = {
        "status": Status.CLOSED,
        "outcome": outcome,
        "outcome_notes": notes,
        "outside_agency": outside_agency,
        "triaged_by": actor,
        "triaged_at": now,
    }
    # Compare-and-set: if someone else closed it meanwhile, this decision (and its register change) is undone.
    closed = (
        CauseForConcern.objects.filter(pk=concern.pk).exclude(status=Status.CLOSED).update(**decided, updated_at=now)
    )
    if closed != 1:
        raise ValidationError(MESSAGES["closed"])
    for field, value in decided.items():
        setattr(concern, field, value)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=concern,
        pupil_id=concern.pupil_id,
        summary=f"Triaged: {concern.get_outcome_display()}" + (f" ({outside_agency})" if outside_agency else ""),
    )
    if outcome == Outcome.REFER:  # the referral itself (consent first) is carried on from a draft it opens
        from .referrals import open_from_concern

        open_from_concern(concern=concern, actor=actor)
    if concern.from_portal:
        answer_family(concern=concern, actor=actor, family_reply=family_reply)
    elif concern.raised_by_id != actor.pk:
        notify(
            recipient=concern.raised_by,
            kind="concern.closed",
            text=(
                f"{actor.full_name or actor.email} has triaged your cause for concern about "
                f"{year_group_words(concern.pupil)}, raised {raised_on(concern):%-d %B %Y}. "
                f"Outcome: {describe_outcome(concern)}"
            ),
            link=concern_link(concern),
            dedupe_key=f"concern:{concern.pk}:closed",
        )
    return concern
