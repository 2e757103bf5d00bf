"""Referral services: steps in order (a step out of order names the missing one), consent from a contact of
the pupil, withdrawn consent stops sharing and ends the professional's access, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pupils.grants import active_grant_for
from pupils.models import Document
from pupils.moves import record_move
from register import referral_steps as steps
from register import referrals
from register.models import Referral, ReferralDocument
from tests.factories import link_parent, make_pupil, pupil_at
from tests.permission_cases.documents import PDF_BYTES, make_document, make_external_user, make_grant
from tests.permission_cases.referrals import make_referral
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SENCO = "senco.acorn@oak.test"


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_a_referral_cannot_be_made_before_consent_and_the_refusal_names_the_step(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn)
    assert referral.status == Referral.Status.CONSENT_NEEDED
    with pytest.raises(ValidationError) as exc:
        steps.mark_referred(referral=referral, actor=demo.user(SENCO), referred_on=TODAY)
    assert "Record the parents' consent first" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        steps.record_response(referral=referral, actor=demo.user(SENCO), response="accepted", response_on=TODAY)
    assert "Record the date of the referral first" in _messages(exc)
    referral.refresh_from_db()
    assert referral.referred_on is None and referral.response == ""


def test_the_steps_in_order_make_the_statuses(oak_scope) -> None:
    demo = oak_scope
    senco = demo.user(SENCO)
    referral = make_referral(demo, demo.acorn, to="consent")
    assert referral.status == Referral.Status.READY
    with pytest.raises(ValidationError) as exc:
        steps.add_appointment(referral=referral, actor=senco, on=TODAY)
    assert "Record the date of the referral first" in _messages(exc)
    steps.mark_referred(referral=referral, actor=senco, referred_on=TODAY - timedelta(days=10))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED and referral.referred_by == senco
    with pytest.raises(ValidationError) as exc:
        steps.add_appointment(referral=referral, actor=senco, on=TODAY)
    assert "Record the agency's response first" in _messages(exc)
    steps.record_response(
        referral=referral, actor=senco, response="waiting_list", response_on=TODAY - timedelta(days=5)
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WAITING_LIST
    steps.add_appointment(referral=referral, actor=senco, on=TODAY + timedelta(days=30), note="Clinic")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPOINTMENT
    steps.receive_report(
        referral=referral,
        actor=senco,
        uploaded_file=SimpleUploadedFile("salt.pdf", PDF_BYTES),
        title="SALT report",
        received_on=TODAY,
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REPORT
    report = ReferralDocument.objects.get(referral=referral, direction="received").document
    assert (report.title, report.visibility, report.pupil_id) == ("SALT report", "staff", referral.pupil_id)
    steps.close_referral(referral=referral, actor=senco, outcome="Advice added to the plan", closed_on=TODAY)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        steps.add_appointment(referral=referral, actor=senco, on=TODAY)
    summaries = list(
        AuditEntry.objects.filter(object_type="register.Referral", object_id=str(referral.pk)).values_list(
            "summary", flat=True
        )
    )
    assert len(summaries) == 7  # opened, consent, referred, response, appointment, report, closed


def test_dates_are_checked_against_the_steps_before_them(oak_scope) -> None:
    demo = oak_scope
    senco = demo.user(SENCO)
    referral = make_referral(demo, demo.acorn, to="consent")  # consent given 60 days ago
    with pytest.raises(ValidationError) as exc:
        steps.mark_referred(referral=referral, actor=senco, referred_on=TODAY - timedelta(days=70))
    assert "cannot be before consent was given" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        steps.mark_referred(referral=referral, actor=senco, referred_on=TODAY + timedelta(days=1))
    assert "cannot be in the future" in _messages(exc)
    steps.mark_referred(referral=referral, actor=senco, referred_on=TODAY - timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        steps.record_response(
            referral=referral, actor=senco, response="declined", response_on=TODAY - timedelta(days=40)
        )
    assert exc.value.message_dict.keys() == {"reason", "response_on"}  # every problem at once
    referral.refresh_from_db()
    assert referral.response == ""


def test_consent_must_come_from_a_contact_of_the_pupil_and_say_what_for(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn)
    stranger = link_parent(make_pupil(demo.acorn), demo.user("parent.acorn@oak.test"))
    with pytest.raises(ValidationError) as exc:
        referrals.record_consent(
            referral=referral, actor=demo.user(SENCO), contact=stranger, given_on=TODAY, how="by pigeon", purposes=[]
        )
    assert exc.value.message_dict.keys() == {"contact", "how", "purposes"}
    assert referral.consents.count() == 0


def test_consent_without_sharing_does_not_let_the_referral_be_made(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn)
    contact = referral.pupil.contacts.first()
    referrals.record_consent(
        referral=referral,
        actor=demo.user(SENCO),
        contact=contact,
        given_on=TODAY,
        how="verbal",
        purposes=["observation"],
    )
    with pytest.raises(ValidationError) as exc:
        steps.mark_referred(referral=referral, actor=demo.user(SENCO), referred_on=TODAY)
    assert "does not cover sharing information" in _messages(exc)


def test_withdrawn_consent_stops_paperwork_and_ends_the_professionals_access(oak_scope) -> None:
    demo = oak_scope
    senco = demo.user(SENCO)
    referral = make_referral(demo, demo.acorn, to="referred")
    pupil = referral.pupil
    first, second = make_document(pupil, title="One-page profile"), make_document(pupil, title="Support plan")
    steps.mark_paperwork_sent(referral=referral, actor=senco, documents=[first], sent_on=TODAY)
    professional = make_external_user(demo.oak)
    grant = make_grant(pupil, professional)
    steps.link_professional(referral=referral, actor=senco, grant=grant)
    assert active_grant_for(professional, pupil) is not None

    # The parent withdraws it from the portal.
    parent = demo.user("parent.acorn@oak.test")
    referrals.withdraw_consent(referral=referral, actor=parent, withdrawn_on=TODAY, note="We want to wait")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert active_grant_for(professional, pupil) is None
    with pytest.raises(ValidationError) as exc:
        steps.mark_paperwork_sent(referral=referral, actor=senco, documents=[second], sent_on=TODAY)
    assert "Consent was withdrawn on" in _messages(exc)
    assert referral.documents.filter(direction="sent").count() == 1
    consent = referral.consents.get()
    assert (consent.withdrawn_on, consent.withdrawn_by, consent.withdrawn_note) == (TODAY, parent, "We want to wait")
    assert AuditEntry.objects.filter(
        object_type="pupils.AccessGrant", object_id=str(grant.pk), action="revoke"
    ).exists()

    # New consent lets sharing start again.
    referrals.record_consent(
        referral=referral, actor=senco, contact=consent.contact, given_on=TODAY, how="meeting", purposes=["sharing"]
    )
    steps.mark_paperwork_sent(referral=referral, actor=senco, documents=[second], sent_on=TODAY)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REFERRED


def test_new_consent_that_leaves_out_sharing_ends_the_professionals_access(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn, to="referred")
    professional = make_external_user(demo.oak)
    grant = make_grant(referral.pupil, professional)
    steps.link_professional(referral=referral, actor=demo.user(SENCO), grant=grant)
    contact = referral.consents.get().contact
    referrals.record_consent(
        referral=referral,
        actor=demo.user(SENCO),
        contact=contact,
        given_on=TODAY,
        how="verbal",
        purposes=["assessment"],
    )
    assert active_grant_for(professional, referral.pupil) is None
    assert [c.withdrawn_note for c in referral.consents.order_by("pk")] == [referrals.REPLACED, ""]


def test_a_parent_of_another_child_or_a_teacher_cannot_withdraw(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn, pupil=make_pupil(demo.acorn), to="consent")
    for email in ("parent.acorn@oak.test", "teacher.acorn@oak.test", "governor.acorn@oak.test"):
        with pytest.raises(PermissionDenied):
            referrals.withdraw_consent(referral=referral, actor=demo.user(email), withdrawn_on=TODAY)
    assert referral.consents.get().withdrawn_on is None


def test_only_casework_roles_of_the_school_make_referrals(oak_scope) -> None:
    demo = oak_scope
    pupil = pupil_at(demo, demo.acorn)
    for email in ("teacher.acorn@oak.test", "senco.beech@oak.test", "parent.acorn@oak.test"):
        with pytest.raises(PermissionDenied):
            referrals.create_referral(pupil=pupil, actor=demo.user(email), agency="ep", reason="x")
    with pytest.raises(ValidationError) as exc:
        referrals.create_referral(pupil=pupil, actor=demo.user(SENCO), agency="other", reason="  ")
    assert exc.value.message_dict.keys() == {"agency_name", "reason"}
    assert not Referral.objects.exists()


def test_a_refused_report_keeps_nothing(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn, to="referred")
    with pytest.raises(ValidationError) as exc:
        steps.receive_report(
            referral=referral,
            actor=demo.user(SENCO),
            uploaded_file=SimpleUploadedFile("report.exe", b"MZ\x90\x00" + b"\x00" * 60),
            title="",
            received_on=TODAY,
        )
    assert "file" in exc.value.message_dict
    assert not Document.objects.filter(pupil=referral.pupil).exists()
    assert not referral.documents.exists()


@pytest.mark.parametrize(
    ("typed", "agency", "name"),
    [
        ("Speech and language therapy", "salt", ""),
        ("Educational psychology service", "ep", ""),
        ("CAMHS", "camhs", ""),
        ("Hearing support team", "sensory", ""),
        ("Riverside play therapy", "other", "Riverside play therapy"),
    ],
)
def test_a_typed_agency_name_is_matched_to_the_list(typed, agency, name) -> None:
    assert referrals.agency_from_name(typed) == (agency, name)


def test_a_referral_moves_with_the_pupil(oak_scope) -> None:
    demo = oak_scope
    referral = make_referral(demo, demo.acorn, to="referred")
    result = record_move(pupil=referral.pupil, to_school=demo.beech, moved_on=TODAY, actor=demo.user("lead@oak.test"))
    referral.refresh_from_db()
    assert referral.school_id == demo.beech.pk
    assert any("1 referral to outside agencies" in line for line in result.lines)
