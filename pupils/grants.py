"""Per-pupil access grants: one pupil's record opened to a cover teacher or an external professional
(educational psychologist, speech and language therapist...) until an end date.

A grant is two things that must both hold: an `AccessGrant` row (who, why, until when, by whom) and
django-guardian's `view_pupil_record` permission on the pupil (stored in `PupilUserObjectPermission`,
a direct-foreign-key table). `pupils.queries.granted_pupil_ids` checks both and the end date, so access
stops on the end date itself; the nightly `expire_access_grants` task then removes the permission.
"""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone
from django_scopes import scope
from guardian.shortcuts import assign_perm, remove_perm

from trusts import audit
from trusts.dates import add_months
from trusts.invitations import create_invitation
from trusts.models import Invitation, Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

from .models import AccessGrant, Pupil, PupilUserObjectPermission
from .queries import VIEW_GRANT

logger = logging.getLogger(__name__)

PERMISSION = f"pupils.{VIEW_GRANT}"
MAX_GRANT_MONTHS = 12
COVER_ROLES = (Role.TEACHER, Role.TEACHING_ASSISTANT)
COMMON_PROFESSIONS = [
    "Educational psychologist",
    "Speech and language therapist",
    "Occupational therapist",
    "Physiotherapist",
    "Specialist teacher",
    "Paediatrician",
    "CAMHS clinician",
    "Social worker",
]


def long_date(day: date) -> str:
    return dateformat.format(day, "j F Y")


# ---------------------------------------------------------------------------------------------- reads


def _guardian_permission_held() -> Exists:
    return Exists(
        PupilUserObjectPermission.objects.filter(
            user_id=OuterRef("user_id"),
            content_object_id=OuterRef("pupil_id"),
            permission__codename=VIEW_GRANT,
        )
    )


def active_grants() -> QuerySet[AccessGrant]:
    """Grants in force today: not revoked, end date not passed, guardian permission still held."""
    today = timezone.localdate()
    return AccessGrant.objects.filter(revoked_at=None, ends_on__gte=today).filter(_guardian_permission_held())


def active_grant_for(user: User, pupil: Pupil) -> AccessGrant | None:
    """The person's grant in force for this pupil, if any (one query)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id != pupil.trust_id:
        return None
    return active_grants().filter(user=user, pupil=pupil).order_by("-ends_on").first()


def shared_with(user: User) -> QuerySet[AccessGrant]:
    """The grants in force for this person, with the pupil and school (one query for the whole list)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return AccessGrant.objects.none()
    return (
        active_grants()
        .filter(user=user)
        .select_related("pupil", "school", "granted_by")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pk")
    )


def grants_of_pupil(pupil: Pupil) -> QuerySet[AccessGrant]:
    """Every grant ever made for the pupil, newest first, for the access page."""
    return (
        AccessGrant.objects.filter(pupil=pupil)
        .select_related("user", "granted_by")
        .annotate(permission_held=_guardian_permission_held())
        .order_by("-created_at", "-pk")
    )


def cover_teacher_choices(pupil: Pupil) -> QuerySet[User]:
    """Teachers and teaching assistants of the pupil's school, who may be given one pupil's record."""
    members = Membership.objects.filter(school_id=pupil.school_id, role__in=COVER_ROLES).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True, trust_id=pupil.trust_id).order_by("full_name", "email")


class RecordGrants(list[AccessGrant]):
    """The access section of a pupil's record: grants in force, and whether the viewer may change them."""

    def __init__(self, grants: list[AccessGrant], *, shown: bool, can_grant: bool) -> None:
        super().__init__(grants)
        self.shown = shown
        self.can_grant = can_grant


def grants_for_record(user: User, pupil: Pupil) -> RecordGrants:
    """Grants in force for the record page (a fixed number of queries); shown to casework roles only."""
    if not can(user, "casework.view", pupil):
        return RecordGrants([], shown=False, can_grant=False)
    grants = list(active_grants().filter(pupil=pupil).select_related("user", "granted_by").order_by("ends_on", "pk"))
    return RecordGrants(grants, shown=True, can_grant=can(user, "access.grant", pupil))


# ------------------------------------------------------------------------------------------- rules


def latest_end_date(today: date | None = None) -> date:
    return add_months(today or timezone.localdate(), MAX_GRANT_MONTHS)


def end_date_problem(ends_on: date, today: date | None = None) -> str | None:
    """What is wrong with a grant's end date, in plain words (None when it is fine)."""
    today = today or timezone.localdate()
    if ends_on < today:
        return "The end date must be today or later."
    latest = latest_end_date(today)
    if ends_on > latest:
        return (
            f"Access can last at most {MAX_GRANT_MONTHS} months: choose an end date on or before "
            f"{long_date(latest)}. You can give access again when it ends."
        )
    return None


def _check_common(*, pupil: Pupil, ends_on: date, reason: str, actor: User) -> str:
    if not can(actor, "access.grant", pupil):
        raise PermissionDenied("You cannot give access to this pupil's record.")
    errors: dict[str, list[str]] = {}
    problem = end_date_problem(ends_on)
    if problem:
        errors["ends_on"] = [problem]
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = ["Say why this person needs to see the record."]
    elif len(reason) > 300:
        errors["reason"] = ["Keep the reason to 300 characters or fewer."]
    if errors:
        raise ValidationError(errors)
    return reason


def _check_grantee(*, grantee: User, pupil: Pupil, field: str) -> None:
    if can(grantee, "casework.view", pupil):
        raise ValidationError(
            {field: [f"{grantee} already sees this pupil's record through their role, so needs no grant."]}
        )
    existing = active_grant_for(grantee, pupil)
    if existing is not None:
        raise ValidationError(
            {
                field: [
                    f"{grantee} already has access to this record until {long_date(existing.ends_on)}. "
                    "Remove that access first if you need to change the end date."
                ]
            }
        )


def _create_grant(
    *,
    pupil: Pupil,
    grantee: User,
    kind: str,
    profession: str,
    ends_on: date,
    reason: str,
    actor: User,
    notify_grantee: bool = True,
) -> AccessGrant:
    grant = AccessGrant.objects.create(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        user=grantee,
        kind=kind,
        profession=profession,
        reason=reason,
        ends_on=ends_on,
        granted_by=actor,
    )
    assign_perm(PERMISSION, grantee, pupil)
    audit.record(
        actor=actor,
        action=audit.Action.GRANT,
        obj=grant,
        pupil_id=pupil.pk,
        summary=(
            f"{AccessGrant.Kind(kind).label} access for {grantee.full_name or grantee.email} "
            f"until {long_date(ends_on)}: {reason}"
        ),
    )
    if notify_grantee:
        notify(
            recipient=grantee,
            kind="access.granted",
            # No pupil name: this text is also emailed.
            text=(f"You have been given access to a pupil's record at {pupil.school.name} until {long_date(ends_on)}."),
            link=reverse("pupils:shared_with_me"),
        )
    return grant


# ---------------------------------------------------------------------------------------- services


@transaction.atomic
def grant_cover_access(*, pupil: Pupil, teacher: User, ends_on: date, reason: str, actor: User) -> AccessGrant:
    """Give a teacher or TA of the pupil's school this one pupil's record until `ends_on`.

    Assigns guardian's `view_pupil_record` on the pupil, creates the grant, audits ("grant") and notifies
    the teacher after commit. Raises PermissionDenied unless `actor` may grant access to the pupil, and
    ValidationError (keyed by form field) for a bad teacher, end date or reason.
    """
    reason = _check_common(pupil=pupil, ends_on=ends_on, reason=reason, actor=actor)
    if not cover_teacher_choices(pupil).filter(pk=teacher.pk).exists():
        raise ValidationError({"teacher": [f"Choose a teacher or teaching assistant of {pupil.school.name}."]})
    _check_grantee(grantee=teacher, pupil=pupil, field="teacher")
    return _create_grant(
        pupil=pupil,
        grantee=teacher,
        kind=AccessGrant.Kind.COVER_TEACHER,
        profession="",
        ends_on=ends_on,
        reason=reason,
        actor=actor,
    )


def pending_access_invitations(pupil: Pupil) -> QuerySet[Invitation]:
    """Invitations to this pupil's record still waiting for the professional to accept them."""
    return Invitation.objects.filter(
        kind=Invitation.Kind.ACCESS,
        payload__pupil=pupil.pk,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")


@transaction.atomic
def grant_external_access(
    *,
    pupil: Pupil,
    email: str,
    full_name: str,
    profession: str,
    ends_on: date,
    reason: str,
    actor: User,
) -> Invitation:
    """Invite an external professional to this one pupil's record until `ends_on`.

    Nothing is given to any account now: an invitation is emailed (after commit) to the address, and the
    grant is made only when someone who proves they receive mail there accepts it
    (`accept_access_invitation`). The answer is the same whoever uses the address, so it says nothing
    about other trusts. Audited. Raises PermissionDenied unless `actor` may grant access to the pupil,
    and ValidationError (keyed by form field) for a bad address, profession, end date or reason.
    """
    reason = _check_common(pupil=pupil, ends_on=ends_on, reason=reason, actor=actor)
    email = (email or "").strip().lower()
    full_name = " ".join((full_name or "").split())
    profession = " ".join((profession or "").split())
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address in the correct format, like name@example.org."]
    if not full_name:
        errors["full_name"] = ["Enter the professional's full name."]
    if not profession:
        errors["profession"] = ["Enter their profession, for example educational psychologist."]
    elif len(profession) > 100:
        errors["profession"] = ["Keep the profession to 100 characters or fewer."]
    if errors:
        raise ValidationError(errors)
    # Only this trust's own accounts are looked at: what they may already see is this trust's business.
    grantee = User.objects.filter(email__iexact=email, trust_id=pupil.trust_id).first()
    if grantee is not None:
        _check_grantee(grantee=grantee, pupil=pupil, field="email")
    if pending_access_invitations(pupil).filter(email=email).exists():
        raise ValidationError(
            {"email": ["This person has already been invited to this record and has not accepted yet."]}
        )
    return create_invitation(
        trust_id=pupil.trust_id,
        kind=Invitation.Kind.ACCESS,
        email=email,
        full_name=full_name[:150],
        payload={
            "pupil": pupil.pk,
            "profession": profession,
            "ends_on": ends_on.isoformat(),
            "reason": reason,
        },
        invited_by=actor,
        school=pupil.school,
    )


def accept_access_invitation(*, invitation: Invitation, user: User) -> None:
    """The professional proved the address: make the grant the school asked for (their own account now)."""
    pupil = Pupil.objects.select_related("school").filter(pk=invitation.payload.get("pupil")).first()
    actor = invitation.invited_by
    if pupil is None or actor is None or not can(actor, "access.grant", pupil):
        raise ValidationError("This access can no longer be given. Ask the school to invite you again.")
    ends_on = date.fromisoformat(str(invitation.payload["ends_on"]))
    if ends_on < timezone.localdate():
        raise ValidationError("The access in this invitation has already ended. Ask the school to invite you again.")
    _check_grantee(grantee=user, pupil=pupil, field="email")
    _create_grant(
        pupil=pupil,
        grantee=user,
        kind=AccessGrant.Kind.EXTERNAL,
        profession=str(invitation.payload.get("profession", "")),
        ends_on=ends_on,
        reason=str(invitation.payload.get("reason", "")),
        actor=actor,
        notify_grantee=False,
    )


def access_invitation_text(invitation: Invitation) -> tuple[str, str]:
    by = invitation.invited_by.full_name if invitation.invited_by else "A school"
    school_name = invitation.school.name if invitation.school else invitation.trust.name
    ends_on = long_date(date.fromisoformat(str(invitation.payload["ends_on"])))
    return (
        "You have been invited to a pupil's record",
        f"{by} at {school_name} has invited you to read a pupil's record in SEND Casework until {ends_on}, "
        "so that you can add your advice.",
    )


def _withdraw_permission(grant: AccessGrant, today: date) -> bool:
    """Remove the guardian permission unless another grant for the same person and pupil is in force."""
    still_granted = AccessGrant.objects.filter(
        user_id=grant.user_id, pupil_id=grant.pupil_id, revoked_at=None, ends_on__gte=today
    ).exclude(pk=grant.pk)
    if still_granted.exists():
        return False
    removed = remove_perm(PERMISSION, grant.user, grant.pupil)
    return bool(removed and removed[0])


@transaction.atomic
def revoke_access(*, grant: AccessGrant, actor: User) -> AccessGrant:
    """End a grant now: sets `revoked_at`, removes the guardian permission, audits ("revoke") and tells the
    person. Revoking an already revoked grant changes nothing. Raises PermissionDenied unless `actor`
    may grant access to the pupil."""
    if not can(actor, "access.grant", grant.pupil):
        raise PermissionDenied("You cannot change access to this pupil's record.")
    claimed = AccessGrant.objects.filter(pk=grant.pk, revoked_at=None).update(revoked_at=timezone.now())
    grant.refresh_from_db(fields=["revoked_at"])
    if claimed != 1:
        return grant
    _withdraw_permission(grant, timezone.localdate())
    audit.record(
        actor=actor,
        action=audit.Action.REVOKE,
        obj=grant,
        pupil_id=grant.pupil_id,
        summary=f"Access removed for {grant.user.full_name or grant.user.email}",
    )
    if grant.ends_on >= timezone.localdate() and grant.user.has_usable_password():
        notify(
            recipient=grant.user,
            kind="access.revoked",
            text=f"Your access to a pupil's record at {grant.school.name} has been removed.",
            link=reverse("pupils:shared_with_me"),
        )
    return grant


@transaction.atomic
def end_grant(*, grant: AccessGrant, actor: User | None, summary: str) -> bool:
    """End a grant now because something elsewhere says it must (a parent withdrew the consent it rested on,
    register.referrals): like `revoke_access`, but the caller has already decided who may cause it, so a
    parent's withdrawal ends it too. Audited ("revoke", with `summary`); the person is told. Returns False
    when the grant had already ended (nothing written)."""
    today = timezone.localdate()
    claimed = AccessGrant.objects.filter(pk=grant.pk, revoked_at=None, ends_on__gte=today).update(
        revoked_at=timezone.now()
    )
    grant.refresh_from_db(fields=["revoked_at"])
    if claimed != 1:
        return False
    _withdraw_permission(grant, today)
    audit.record(actor=actor, action=audit.Action.REVOKE, obj=grant, pupil_id=grant.pupil_id, summary=summary)
    if grant.user.has_usable_password():
        notify(
            recipient=grant.user,
            kind="access.revoked",
            text=f"Your access to a pupil's record at {grant.school.name} has ended. {summary}.",
            link=reverse("pupils:shared_with_me"),
        )
    return True


def ended_grants_holding_permission(today: date) -> QuerySet[AccessGrant]:
    """Grants past their end date whose guardian permission has not been removed yet."""
    return AccessGrant.objects.filter(ends_on__lt=today, revoked_at=None).filter(_guardian_permission_held())


@transaction.atomic
def expire_ended_grants(*, today: date) -> int:
    """Remove the guardian permission of every grant (in the active trust scope) whose end date has passed;
    each removal audited ("revoke", by the system). Idempotent: a second run finds nothing to do.
    Returns how many permissions were removed."""
    removed = 0
    for grant in ended_grants_holding_permission(today).select_related("user", "pupil"):
        if _withdraw_permission(grant, today):
            removed += 1
            audit.record(
                actor=None,
                action=audit.Action.REVOKE,
                obj=grant,
                pupil_id=grant.pupil_id,
                summary=f"Access ended on {long_date(grant.ends_on)} (its end date)",
            )
    return removed


def end_grants_of_leaver(*, person: User, actor: User) -> str:
    """A person deactivated in People: every grant they hold ends now (guardian permission removed,
    audited per grant). Returns a summary for the deactivation message."""
    now = timezone.now()
    today = timezone.localdate()
    held = list(AccessGrant.objects.filter(user=person, revoked_at=None, ends_on__gte=today).select_related("pupil"))
    for grant in held:
        AccessGrant.objects.filter(pk=grant.pk).update(revoked_at=now)
        remove_perm(PERMISSION, person, grant.pupil)
        audit.record(
            actor=actor,
            action=audit.Action.REVOKE,
            obj=grant,
            pupil_id=grant.pupil_id,
            summary=f"Access ended: {person.email} was deactivated",
        )
    return f"{len(held)} per-pupil access grant{'s' if len(held) != 1 else ''}"


def has_casework_grants(user: User) -> bool:
    """Someone who opens one or more pupils' casework through a grant (trusts' MFA rule asks this)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return False
    with scope(trust=user.trust_id):
        return shared_with(user).exists()
