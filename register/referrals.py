"""Referrals to outside agencies, with parental consent: every write, and the rule for each step.

A referral's steps come in order: consent from a parent or carer (a contact of the pupil), the date it was
referred (never without consent in place that covers sharing information), paperwork sent, the agency's
response (accepted, a waiting list, or declined with its reason), appointments, reports received, and the
outcome when it is closed. `status` always follows from the steps (`status_of`); a step taken out of
order is refused with a message that names the step that is missing.

Withdrawn consent stops sharing: no more paperwork can be marked sent, the referral cannot be (re)made,
and the per-pupil access grant of the agency's professional linked to the referral ends at once
(`pupils.grants.end_grant`). New consent can be recorded afterwards and sharing starts again.
Every write is audited against the pupil; nothing is written unless every check passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pupils.models import AccessGrant, Contact, Pupil
from trusts import audit
from trusts.models import Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

from .models import CauseForConcern, Referral, ReferralConsent, ReferralDocument

Agency = Referral.Agency
Status = Referral.Status
Response = Referral.Response
Direction = ReferralDocument.Direction

# A referral the agency has not answered this many weeks after it was made needs chasing (the list shows it
# as overdue). Six weeks: most NHS and local-authority services acknowledge a referral well within that, and
# it is one half-term, the rhythm of a school's SEN support reviews.
RESPONSE_OVERDUE_WEEKS = 6
OPEN = [s for s in Status.values if s not in {Status.CLOSED, Status.DECLINED, Status.WITHDRAWN}]
REPLACED = "Replaced by new consent."  # the note on a consent that newer consent took the place of
PURPOSES = {
    "sharing": "Sharing information with the agency",
    "assessment": "Assessment of the pupil",
    "observation": "Observation in school",
}

MESSAGES = {
    "agency": "Choose the agency you are referring the pupil to.",
    "agency_name": "Enter the name of the agency.",
    "reason": "Say why you are referring the pupil: what you have noticed and what you hope the agency will do.",
    "contact": "Choose the parent or carer who gave consent.",
    "contact_other": "Choose one of this pupil's parents or carers.",
    "how": "Say how consent was given.",
    "purposes": "Tick what the parent or carer agreed to.",
    "future": "The date cannot be in the future.",
    "closed": "This referral is closed: reopen it by making a new referral.",
    "consent_first": "Record the parents' consent first: a referral cannot be made or shared without it.",
    "consent_withdrawn": "Consent was withdrawn on {day}: record new consent from a parent or carer first.",
    "consent_sharing": (
        "The consent recorded does not cover sharing information with the agency: record consent for sharing first."
    ),
    "referred_before_consent": "The date referred cannot be before consent was given ({day}).",
    "already_referred": "This referral was already made on {day}.",
    "refer_first": "Record the date of the referral first: the agency answers a referral once it is made.",
    "before_referred": "The date cannot be before the referral was made ({day}).",
    "response": "Choose the agency's response.",
    "declined_reason": "Say why the agency declined the referral.",
    "response_first": "Record the agency's response first: appointments follow its acceptance.",
    "declined": "The agency declined this referral: appointments cannot be booked.",
    "documents": "Choose at least one document that was sent.",
    "documents_other": "Choose documents from this pupil's record.",
    "no_consent_to_withdraw": "There is no consent in place to withdraw.",
    "withdrawn_before_given": "Consent cannot be withdrawn before it was given ({day}).",
    "grant": "Choose the professional's access to this pupil's record.",
    "outcome": "Say what came of the referral.",
    "file": "Choose the report to upload.",
}


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


def overdue_before(today: date | None = None) -> date:
    """A referral made on or before this date with no response yet is overdue."""
    return (today or timezone.localdate()) - timedelta(weeks=RESPONSE_OVERDUE_WEEKS)


def live_consent(consents: Sequence[ReferralConsent]) -> ReferralConsent | None:
    """The consent in force (the latest one not withdrawn), if any."""
    return next((c for c in reversed(consents) if c.withdrawn_on is None), None)


def status_of(referral: Referral, consents: Sequence[ReferralConsent], appointments: int, reports: int) -> str:
    """The status that follows from the steps taken (closed, consent, referred, response, appointments, reports)."""
    if referral.closed_on:
        return Status.CLOSED
    if live_consent(consents) is None:
        return Status.WITHDRAWN if consents else Status.CONSENT_NEEDED
    if not referral.referred_on:
        return Status.READY
    if not referral.response:
        return Status.REFERRED
    if referral.response == Response.DECLINED:
        return Status.DECLINED
    if reports:
        return Status.REPORT
    if appointments:
        return Status.APPOINTMENT
    return Status(referral.response).value


def _refresh_status(referral: Referral) -> None:
    consents = list(referral.consents.order_by("given_on", "pk"))
    appointments = referral.appointments.count()
    reports = referral.documents.filter(direction=Direction.RECEIVED).count()
    referral.status = status_of(referral, consents, appointments, reports)
    Referral.objects.filter(pk=referral.pk).update(status=referral.status, updated_at=timezone.now())


def _locked(referral: Referral, actor: User) -> Referral:
    """The referral, locked for this transaction, after checking the actor may change it and it is open."""
    if not can(actor, "referral.change", referral):
        raise PermissionDenied("You cannot change referrals at this school.")
    locked = Referral.objects.select_for_update(of=("self",)).select_related("pupil", "school").get(pk=referral.pk)
    if locked.closed_on:
        raise ValidationError(MESSAGES["closed"])
    return locked


def _consents(referral: Referral) -> list[ReferralConsent]:
    return list(referral.consents.select_related("contact").order_by("given_on", "pk"))


def _sharing_consent(referral: Referral, field: str) -> ReferralConsent:
    """The consent in force that covers sharing, or the refusal that names the missing step."""
    consents = _consents(referral)
    live = live_consent(consents)
    if live is None:
        if consents:
            day = max(c.withdrawn_on for c in consents if c.withdrawn_on)
            raise ValidationError({field: [MESSAGES["consent_withdrawn"].format(day=_long(day))]})
        raise ValidationError({field: [MESSAGES["consent_first"]]})
    if not live.for_sharing:
        raise ValidationError({field: [MESSAGES["consent_sharing"]]})
    return live


def _not_future(day: date | None, field: str, problems: dict[str, list[str]], missing: str) -> None:
    if day is None:
        problems.setdefault(field, []).append(missing)
    elif day > timezone.localdate():
        problems.setdefault(field, []).append(MESSAGES["future"])


def _audit(actor: User | None, referral: Referral, action: str, summary: str) -> None:
    audit.record(actor=actor, action=action, obj=referral, pupil_id=referral.pupil_id, summary=summary[:300])


# ---------------------------------------------------------------------------------------------- opening


def agency_from_name(name: str) -> tuple[str, str]:
    """A typed agency name (a concern's outcome) as one of the agencies, or Other with the name kept."""
    words = name.lower()
    keys = [
        (Agency.SALT, ("speech", "language", "salt", "slt")),
        (Agency.EP, ("psycholog", "ep service", "eps")),
        (Agency.CAMHS, ("camhs", "mental health")),
        (Agency.OT, ("occupational",)),
        (Agency.PHYSIO, ("physio",)),
        (Agency.PAEDIATRICS, ("paediatric", "pediatric", "community child health")),
        (Agency.EARLY_HELP, ("early help",)),
        (Agency.SENSORY, ("sensory", "hearing", "vision", "visual", "deaf")),
        (Agency.OUTREACH, ("outreach", "specialist teach", "advisory teach")),
        (Agency.SOCIAL_CARE, ("social care", "social work", "children's services")),
    ]
    for agency, hints in keys:
        if any(hint in words for hint in hints):
            return agency.value, ""
    return Agency.OTHER.value, name.strip()[:150]


@transaction.atomic
def create_referral(
    *,
    pupil: Pupil,
    actor: User,
    agency: str,
    agency_name: str = "",
    reason: str,
    concern: CauseForConcern | None = None,
) -> Referral:
    """Open a draft referral (waiting for consent). Side effects: the referral, audited ("create").
    Raises PermissionDenied unless the actor may make referrals at the pupil's school, ValidationError
    (keyed by field) for a missing agency, agency name or reason; nothing is written then."""
    if not can(actor, "referral.change", pupil):
        raise PermissionDenied("You cannot make referrals at this school.")
    agency_name, reason = " ".join(agency_name.split())[:150], reason.strip()
    problems: dict[str, list[str]] = {}
    if agency not in Agency.values:
        problems["agency"] = [MESSAGES["agency"]]
    elif agency == Agency.OTHER and not agency_name:
        problems["agency_name"] = [MESSAGES["agency_name"]]
    if not reason:
        problems["reason"] = [MESSAGES["reason"]]
    if problems:
        raise ValidationError(problems)
    referral = Referral.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        concern=concern,
        agency=agency,
        agency_name=agency_name,
        reason=reason,
        created_by=actor,
    )
    _audit(actor, referral, audit.Action.CREATE, f"Referral opened: {referral.agency_label}")
    return referral


def open_from_concern(*, concern: CauseForConcern, actor: User) -> Referral:
    """The draft referral a concern closed with "refer to an outside agency" opens: its agency (matched from
    the name typed) and reason (the triage notes) carried over. Same side effects as `create_referral`."""
    agency, name = agency_from_name(concern.outside_agency)
    return create_referral(
        pupil=concern.pupil, actor=actor, agency=agency, agency_name=name, reason=concern.outcome_notes, concern=concern
    )


# ---------------------------------------------------------------------------------------------- consent


@transaction.atomic
def record_consent(
    *,
    referral: Referral,
    actor: User,
    contact: Contact | None,
    given_on: date | None,
    how: str,
    purposes: Sequence[str],
) -> ReferralConsent:
    """Record a parent's or carer's consent (who, when, how, for what). A consent already in force is
    replaced (marked withdrawn the day the new one was given). Side effects: the consent row, the status,
    an audit entry. Raises PermissionDenied / ValidationError (keyed by field); nothing written then."""
    referral = _locked(referral, actor)
    problems: dict[str, list[str]] = {}
    if contact is None:
        problems["contact"] = [MESSAGES["contact"]]
    elif contact.pupil_id != referral.pupil_id:
        problems["contact"] = [MESSAGES["contact_other"]]
    _not_future(given_on, "given_on", problems, "Enter the date consent was given.")
    if how not in ReferralConsent.How.values:
        problems["how"] = [MESSAGES["how"]]
    wanted = set(purposes)
    if not wanted or not wanted <= set(PURPOSES):
        problems["purposes"] = [MESSAGES["purposes"]]
    if problems:
        raise ValidationError(problems)
    assert contact is not None and given_on is not None
    previous = live_consent(_consents(referral))
    if previous is not None:
        ReferralConsent.objects.filter(pk=previous.pk).update(
            withdrawn_on=max(given_on, previous.given_on), withdrawn_by=actor, withdrawn_note=REPLACED
        )
    consent = ReferralConsent.objects.create(
        trust_id=referral.trust_id,
        referral=referral,
        contact=contact,
        given_by=str(contact)[:200],
        given_on=given_on,
        how=how,
        for_sharing="sharing" in wanted,
        for_assessment="assessment" in wanted,
        for_observation="observation" in wanted,
        recorded_by=actor,
    )
    _refresh_status(referral)
    if not consent.for_sharing:
        _end_professionals_access(referral, actor)
    _audit(
        actor,
        referral,
        audit.Action.CHANGE,
        f"Consent recorded from {contact} ({consent.get_how_display().lower()}): " + ", ".join(consent.purposes),
    )
    return consent


def _end_professionals_access(referral: Referral, actor: User) -> None:
    """Sharing has stopped: the agency professional's access linked to the referral ends now (audited)."""
    if referral.grant_id is None:
        return
    from pupils.grants import end_grant

    grant = AccessGrant.objects.select_related("user", "school").get(pk=referral.grant_id)
    end_grant(grant=grant, actor=actor, summary="Access ended: consent for sharing with the agency was withdrawn")


def may_withdraw_consent(user: User, referral: Referral) -> bool:
    """Casework staff who change referrals, and a parent or carer of the pupil (from the portal)."""
    if can(user, "referral.change", referral):
        return True
    return can(user, "portal.view") and Contact.objects.filter(pupil_id=referral.pupil_id, user=user).exists()


@transaction.atomic
def withdraw_consent(*, referral: Referral, actor: User, withdrawn_on: date | None, note: str = "") -> ReferralConsent:
    """Withdraw the consent in force. Sharing stops: no more paperwork can be marked sent, and the access
    grant of the agency's professional linked to the referral ends now (`pupils.grants.end_grant`, which
    audits and tells them). Side effects: the consent row, the status, audit entries; the school's SENCOs
    are told when a parent withdraws it. Raises PermissionDenied unless `may_withdraw_consent`, and
    ValidationError for a missing or wrong date or when no consent is in force; nothing written then."""
    if not may_withdraw_consent(actor, referral):
        raise PermissionDenied("You cannot withdraw consent for this referral.")
    referral = Referral.objects.select_for_update(of=("self",)).select_related("pupil", "school").get(pk=referral.pk)
    live = live_consent(_consents(referral))
    if live is None:
        raise ValidationError(MESSAGES["no_consent_to_withdraw"])
    problems: dict[str, list[str]] = {}
    _not_future(withdrawn_on, "withdrawn_on", problems, "Enter the date consent was withdrawn.")
    if withdrawn_on is not None and withdrawn_on < live.given_on:
        problems.setdefault("withdrawn_on", []).append(
            MESSAGES["withdrawn_before_given"].format(day=_long(live.given_on))
        )
    if problems:
        raise ValidationError(problems)
    live.withdrawn_on, live.withdrawn_by, live.withdrawn_note = withdrawn_on, actor, note.strip()
    live.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawn_note", "updated_at"])
    _refresh_status(referral)
    by_parent = not can(actor, "referral.change", referral)
    who = f"{actor.full_name or actor.email}" + (" (parent or carer, in the portal)" if by_parent else "")
    _audit(actor, referral, audit.Action.CHANGE, f"Consent withdrawn, recorded by {who}")
    _end_professionals_access(referral, actor)
    if by_parent:
        sencos = Membership.objects.filter(school_id=referral.school_id, role=Role.SENCO).values("user_id")
        for senco in User.objects.filter(pk__in=sencos, is_active=True):
            notify(
                recipient=senco,
                kind="referral.consent_withdrawn",
                text=f"A parent has withdrawn consent for a referral of a {referral.pupil.get_year_group_display()} "
                "pupil. Nothing more can be shared with the agency.",
                link=reverse("register:referral_detail", kwargs={"pk": referral.pk}),
                dedupe_key=f"referral:{referral.pk}:withdrawn:{live.pk}",
            )
    return live
