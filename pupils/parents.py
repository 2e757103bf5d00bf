"""Parents and carers: contacts on a pupil's record, and inviting a parent to the read-only portal."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from trusts import audit
from trusts.models import Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

from .grants import invitation_link
from .models import Contact, Pupil


@transaction.atomic
def add_contact(
    *,
    pupil: Pupil,
    actor: User,
    name: str,
    relationship: str,
    email: str = "",
    phone: str = "",
    parental_responsibility: bool = True,
) -> Contact:
    """Add a parent or carer to the pupil's record (audited)."""
    if not can(actor, "parents.invite", pupil):
        raise ValidationError("You cannot change this pupil's parents and carers.")
    if not name.strip() or not relationship.strip():
        raise ValidationError("Enter the person's name and their relationship to the pupil.")
    contact = Contact.objects.create(
        trust_id=pupil.trust_id,
        pupil=pupil,
        name=name.strip(),
        relationship=relationship.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        parental_responsibility=parental_responsibility,
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=contact, pupil_id=pupil.pk, school=pupil.school)
    return contact


@transaction.atomic
def invite_parent(*, contact: Contact, actor: User) -> User:
    """Give a parent or carer the portal for this child.

    Someone new gets an account in the trust with the parent role at the child's school and no password,
    and an email (after commit) with a one-time link to choose one. Someone who already signs in in this
    trust is linked and notified. An email address of another trust is refused. Audited.
    """
    pupil = contact.pupil
    if not can(actor, "parents.invite", pupil):
        raise ValidationError("You cannot invite parents for this pupil.")
    if not contact.email:
        raise ValidationError("Add the parent's email address before inviting them.")
    if not contact.parental_responsibility:
        raise ValidationError("Only someone with parental responsibility can be given the parent portal.")
    if contact.user_id:
        raise ValidationError(f"{contact.name} already has the parent portal.")
    user = User.objects.filter(email=contact.email).first()
    if user is not None and user.trust_id != pupil.trust_id:
        raise ValidationError(
            "That email address belongs to an account of another organisation: ask the parent for another."
        )
    new = user is None
    if user is None:
        user = User.objects.create_user(contact.email, None, full_name=contact.name, trust_id=pupil.trust_id)
    Membership.objects.get_or_create(
        user=user, school=pupil.school, role=Role.PARENT, defaults={"trust_id": pupil.trust_id}
    )
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.GRANT,
        obj=contact,
        pupil_id=pupil.pk,
        school=pupil.school,
        summary="Invited to the parent portal",
    )
    if new:
        from .tasks import send_parent_invitation

        send_parent_invitation.delay_on_commit(user_id=user.pk, school_name=pupil.school.name)
    else:
        notify(
            recipient=user,
            kind="portal",
            text=f"You can now see {pupil.forename}'s support in the portal.",
            link="/family/",
        )
    return user


def send_parent_invitation_email(*, user: User, school_name: str) -> bool:
    """The invitation: a one-time link to choose a password. Nothing once a password is set."""
    if user.has_usable_password() or not user.is_active:
        return False
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    body = (
        f"Hello {user.full_name},\n\n"
        f"{school_name} has invited you to SEND Casework, where you can read how the school is helping your "
        "child: their support plan, targets, review dates and letters the school shares with you.\n\n"
        f"Choose a password with this link. It works once, for {days} days:\n{invitation_link(user)}\n\n"
        f"Then sign in at {settings.SITE_URL.rstrip('/')}{settings.LOGIN_URL_PATH} with this email address. "
        "You can also turn on two-step sign-in under Account security.\n\n"
        "If you were not expecting this email, you can ignore it."
    )
    send_mail(
        subject=f"[SEND Casework] {school_name} has invited you to see your child's support",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
