"""The steps of a referral after consent: referred, paperwork sent, the agency's response, appointments,
reports received, the professional's access, and closing (the rules: `register.referrals`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from pupils.models import AccessGrant, Document
from trusts import audit
from trusts.models import User

from .models import Referral, ReferralAppointment, ReferralDocument
from .referrals import (
    MESSAGES,
    Direction,
    Response,
    _audit,
    _locked,
    _long,
    _not_future,
    _refresh_status,
    _sharing_consent,
)


def _after_referred(referral: Referral, day: date | None, field: str, problems: dict[str, list[str]]) -> None:
    if referral.referred_on and day is not None and day < referral.referred_on:
        problems.setdefault(field, []).append(MESSAGES["before_referred"].format(day=_long(referral.referred_on)))


def _require_referred(referral: Referral, field: str) -> None:
    if not referral.referred_on:
        raise ValidationError({field: [MESSAGES["refer_first"]]})


@transaction.atomic
def mark_referred(*, referral: Referral, actor: User, referred_on: date | None) -> Referral:
    """Record the date the referral was made. Needs consent in force that covers sharing information, given
    on or before that date. Side effects: the referral, its status, an audit entry. Raises PermissionDenied
    or ValidationError (naming the missing step); nothing written then."""
    referral = _locked(referral, actor)
    if referral.referred_on:
        raise ValidationError(MESSAGES["already_referred"].format(day=_long(referral.referred_on)))
    consent = _sharing_consent(referral, "referred_on")
    problems: dict[str, list[str]] = {}
    _not_future(referred_on, "referred_on", problems, "Enter the date the referral was made.")
    if referred_on is not None and referred_on < consent.given_on:
        problems.setdefault("referred_on", []).append(
            MESSAGES["referred_before_consent"].format(day=_long(consent.given_on))
        )
    if problems:
        raise ValidationError(problems)
    referral.referred_on, referral.referred_by = referred_on, actor
    referral.save(update_fields=["referred_on", "referred_by", "updated_at"])
    _refresh_status(referral)
    _audit(actor, referral, audit.Action.CHANGE, f"Referred to {referral.agency_label} on {referred_on:%d/%m/%Y}")
    return referral


@transaction.atomic
def mark_paperwork_sent(
    *, referral: Referral, actor: User, documents: Sequence[Document], sent_on: date | None
) -> list[ReferralDocument]:
    """Record which of the pupil's documents were sent to the agency, and when. Refused without consent in
    force that covers sharing (withdrawn consent stops it). A document already recorded as sent is not
    recorded twice. Side effects: the rows, an audit entry. Raises PermissionDenied / ValidationError."""
    referral = _locked(referral, actor)
    _sharing_consent(referral, "documents")
    problems: dict[str, list[str]] = {}
    if not documents:
        problems["documents"] = [MESSAGES["documents"]]
    elif any(d.pupil_id != referral.pupil_id for d in documents):
        problems["documents"] = [MESSAGES["documents_other"]]
    _not_future(sent_on, "sent_on", problems, "Enter the date the paperwork was sent.")
    if problems:
        raise ValidationError(problems)
    assert sent_on is not None
    already = set(referral.documents.filter(direction=Direction.SENT).values_list("document_id", flat=True))
    rows = [
        ReferralDocument.objects.create(
            trust_id=referral.trust_id,
            referral=referral,
            document=d,
            direction=Direction.SENT,
            on=sent_on,
            recorded_by=actor,
        )
        for d in documents
        if d.pk not in already
    ]
    if rows:
        titles = ", ".join(r.document.title for r in rows)
        _audit(actor, referral, audit.Action.CHANGE, f"Paperwork sent on {sent_on:%d/%m/%Y}: {titles}")
    return rows


@transaction.atomic
def record_response(
    *, referral: Referral, actor: User, response: str, response_on: date | None, reason: str = ""
) -> Referral:
    """Record the agency's response: accepted, a waiting list, or declined (with its reason). A later
    response (a waiting list, then accepted) replaces the earlier one. Needs the date referred first.
    Side effects: the referral, its status, an audit entry. Raises PermissionDenied / ValidationError."""
    referral = _locked(referral, actor)
    _require_referred(referral, "response")
    reason = reason.strip()
    problems: dict[str, list[str]] = {}
    if response not in Response.values:
        problems["response"] = [MESSAGES["response"]]
    elif response == Response.DECLINED and not reason:
        problems["reason"] = [MESSAGES["declined_reason"]]
    _not_future(response_on, "response_on", problems, "Enter the date of the agency's response.")
    _after_referred(referral, response_on, "response_on", problems)
    if problems:
        raise ValidationError(problems)
    referral.response, referral.response_on, referral.response_by = response, response_on, actor
    referral.response_reason = reason
    referral.save(update_fields=["response", "response_on", "response_by", "response_reason", "updated_at"])
    _refresh_status(referral)
    label = Response(response).label.lower()
    _audit(actor, referral, audit.Action.CHANGE, f"Agency's response: {label}" + (f" ({reason})" if reason else ""))
    return referral


@transaction.atomic
def add_appointment(*, referral: Referral, actor: User, on: date | None, note: str = "") -> ReferralAppointment:
    """Record an appointment with the agency (past or booked). Needs the agency to have accepted the
    referral or put the pupil on its waiting list. Side effects: the row, status, audit entry."""
    referral = _locked(referral, actor)
    _require_referred(referral, "on")
    if not referral.response:
        raise ValidationError({"on": [MESSAGES["response_first"]]})
    if referral.response == Response.DECLINED:
        raise ValidationError({"on": [MESSAGES["declined"]]})
    problems: dict[str, list[str]] = {}
    if on is None:
        problems["on"] = ["Enter the date of the appointment."]
    _after_referred(referral, on, "on", problems)
    if problems:
        raise ValidationError(problems)
    assert on is not None
    appointment = ReferralAppointment.objects.create(
        trust_id=referral.trust_id, referral=referral, on=on, note=" ".join(note.split())[:300], recorded_by=actor
    )
    _refresh_status(referral)
    _audit(actor, referral, audit.Action.CHANGE, f"Appointment recorded for {on:%d/%m/%Y}")
    return appointment


@transaction.atomic
def receive_report(
    *, referral: Referral, actor: User, uploaded_file: Any, title: str, received_on: date | None
) -> ReferralDocument:
    """Keep a report from the agency on the pupil's record (through `pupils.documents.upload_document`, with
    its file checks; staff only) and on the referral. Needs the date referred first. Side effects: the
    document and its audit entry, the row, status, an audit entry. Raises PermissionDenied / ValidationError
    (nothing stored)."""
    referral = _locked(referral, actor)
    _require_referred(referral, "file")
    problems: dict[str, list[str]] = {}
    if uploaded_file is None:
        problems["file"] = [MESSAGES["file"]]
    _not_future(received_on, "received_on", problems, "Enter the date the report was received.")
    _after_referred(referral, received_on, "received_on", problems)
    if problems:
        raise ValidationError(problems)
    assert received_on is not None
    from pupils.documents import upload_document

    category = Document.Category.EP_REPORT if referral.agency == Referral.Agency.EP else Document.Category.ADVICE
    try:
        document = upload_document(
            pupil=referral.pupil,
            uploaded_file=uploaded_file,
            category=category,
            visibility=Document.Visibility.STAFF,
            title=title or f"Report from {referral.agency_label}",
            actor=actor,
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        row = ReferralDocument.objects.create(
            trust_id=referral.trust_id,
            referral=referral,
            document=document,
            direction=Direction.RECEIVED,
            on=received_on,
            recorded_by=actor,
        )
        _refresh_status(referral)
        _audit(actor, referral, audit.Action.CHANGE, f"Report received on {received_on:%d/%m/%Y}: {document.title}")
    except Exception:
        document.file.delete(save=False)
        raise
    return row


@transaction.atomic
def link_professional(*, referral: Referral, actor: User, grant: AccessGrant | None) -> Referral:
    """Link the agency's professional's access to the pupil's record (an external professional's grant in
    force) to the referral, so that withdrawn consent ends it. Needs consent that covers sharing."""
    referral = _locked(referral, actor)
    _sharing_consent(referral, "grant")
    if grant is None or grant.pupil_id != referral.pupil_id or not grant.active:
        raise ValidationError({"grant": [MESSAGES["grant"]]})
    if grant.kind != AccessGrant.Kind.EXTERNAL:
        raise ValidationError({"grant": [MESSAGES["grant"]]})
    referral.grant = grant
    referral.save(update_fields=["grant", "updated_at"])
    name = grant.user.full_name or grant.user.email
    _audit(actor, referral, audit.Action.CHANGE, f"Professional's access linked: {name}")
    return referral


@transaction.atomic
def close_referral(*, referral: Referral, actor: User, outcome: str, closed_on: date | None) -> Referral:
    """Close the referral with what came of it (any time: consent refused, the agency's work finished).
    Side effects: the referral, its status, an audit entry. Raises PermissionDenied / ValidationError."""
    referral = _locked(referral, actor)
    outcome = outcome.strip()
    problems: dict[str, list[str]] = {}
    if not outcome:
        problems["outcome"] = [MESSAGES["outcome"]]
    _not_future(closed_on, "closed_on", problems, "Enter the date the referral was closed.")
    _after_referred(referral, closed_on, "closed_on", problems)
    if problems:
        raise ValidationError(problems)
    referral.outcome, referral.closed_on, referral.closed_by = outcome, closed_on, actor
    referral.save(update_fields=["outcome", "closed_on", "closed_by", "updated_at"])
    _refresh_status(referral)
    _audit(actor, referral, audit.Action.CHANGE, f"Referral closed: {outcome}")
    return referral
