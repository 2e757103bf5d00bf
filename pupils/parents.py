"""Parents and carers: contacts on a pupil's record, and inviting a parent to the read-only portal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

from trusts import audit
from trusts.invitations import create_invitation
from trusts.models import Invitation, Membership, Role, User
from trusts.permissions import can
from trusts.services import notify

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


def pending_invitation_for(contact: Contact) -> Invitation | None:
    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.PARENT,
            payload__contact=contact.pk,
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def invite_parent(*, contact: Contact, actor: User) -> Invitation:
    """Invite a parent or carer to the portal for this child.

    Nothing is attached to any account now: an invitation is emailed (after commit) to the contact's
    address, and only someone who proves they receive mail there links it to their account
    (`trusts.invitations`). The inviter is told the same whoever uses that address, so nothing is learned
    about other trusts. Audited.
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
    pending = pending_invitation_for(contact)
    if pending is not None:
        raise ValidationError(
            f"{contact.name} was invited on {dateformat.format(timezone.localtime(pending.created_at), 'j F Y')} "
            "and has not accepted yet. The link in that email still works."
        )
    return create_invitation(
        trust_id=pupil.trust_id,
        kind=Invitation.Kind.PARENT,
        email=contact.email,
        full_name=contact.name,
        payload={"contact": contact.pk, "pupil": pupil.pk},
        invited_by=actor,
        school=pupil.school,
    )


def link_parent_on_acceptance(*, invitation: Invitation, user: User) -> None:
    """The invited parent proved the address: give them the portal for this child (notified)."""
    contact = Contact.objects.select_related("pupil__school").filter(pk=invitation.payload.get("contact")).first()
    if contact is None or contact.email != invitation.email:
        raise ValidationError("The school has changed this contact's details. Ask the school to invite you again.")
    if contact.user_id and contact.user_id != user.pk:
        raise ValidationError("Someone else already has the portal for this contact. Ask the school for help.")
    pupil = contact.pupil
    Membership.objects.get_or_create(
        user=user, school=pupil.school, role=Role.PARENT, defaults={"trust_id": pupil.trust_id}
    )
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    notify(
        recipient=user,
        kind="portal",
        text=f"You can now see {pupil.forename}'s support in the portal.",
        link="/family/",
    )


def parent_invitation_text(invitation: Invitation) -> tuple[str, str]:
    school_name = invitation.school.name if invitation.school else invitation.trust.name
    return (
        f"See how {school_name} helps your child",
        f"{school_name} has asked you to join SEND Casework. There you can read how the school helps your child. "
        "You can see their support plan, their targets, when the plan will be looked at again, and letters "
        "from the school.",
    )


# Large print (pupils.Contact.large_print): which version of a document this person gets ------------------


@transaction.atomic
def set_large_print(*, contact: Contact, large_print: bool, actor: User) -> Contact:
    """Remember whether `contact` gets large-print documents (audited). The pupil's casework staff
    ("parents.invite") or the parent whose contact this is may change it; anyone else is refused."""
    if contact.user_id != actor.pk and not can(actor, "parents.invite", contact.pupil):
        raise ValidationError("You cannot change how this person gets documents.")
    if contact.large_print != large_print:
        contact.large_print = large_print
        contact.save(update_fields=["large_print", "updated_at"])
        audit.record(
            actor=actor,
            action=audit.Action.CHANGE,
            obj=contact,
            pupil_id=contact.pupil_id,
            summary=f"Large-print documents {'on' if large_print else 'off'} for {contact.name}",
        )
    return contact


@transaction.atomic
def set_own_large_print(*, user: User, large_print: bool) -> int:
    """A parent's own choice in the portal, for every child they are linked to (one person, one choice).
    Returns how many contact rows changed."""
    changed = 0
    for contact in Contact.objects.filter(user=user).select_related("pupil").select_for_update():
        if contact.large_print != large_print:
            set_large_print(contact=contact, large_print=large_print, actor=user)
            changed += 1
    return changed


def wants_large_print(*, user: User, pupil: Pupil) -> bool:
    """Does this parent get `pupil`'s documents in large print? (Their own contact row for the child.)"""
    return Contact.objects.filter(user=user, pupil=pupil, large_print=True).exists()


def large_print_contacts(pupil: Pupil) -> list[str]:
    """The names of the pupil's parents and carers who asked for large print: staff pages name them beside
    the large-print links, so the SENCO prints the right version for each."""
    return list(Contact.objects.filter(pupil=pupil, large_print=True).values_list("name", flat=True))
