"""Business actions of the trusts app: people, calendars and notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit
from .calendar_defaults import default_terms
from .models import HalfTerm, Membership, Notification, Role, School, SchoolCalendar, Trust, User


@transaction.atomic
def create_person(
    *,
    trust: Trust,
    email: str,
    full_name: str,
    roles: list[tuple[str, School | None]],
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user of `trust` with the given (role, school) memberships; audited."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError(f"Someone already signs in with {email}.")
    user = User.objects.create_user(email, password, full_name=full_name, trust=trust)
    for role, school in roles:
        add_membership(user=user, role=role, school=school, actor=actor)
    return user


@transaction.atomic
def add_membership(*, user: User, role: str, school: School | None, actor: User | None = None) -> Membership:
    """Give `user` a role in their trust (trust-wide roles) or in one of its schools."""
    if user.trust_id is None:
        raise ValidationError("This person does not belong to a trust.")
    if Role(role) in {Role.INCLUSION_LEAD, Role.TRUSTEE}:
        school = None
    elif school is None:
        raise ValidationError({"school": f"A {Role(role).label} belongs to a school: choose one."})
    if school is not None and school.trust_id != user.trust_id:
        raise ValidationError("That school belongs to another trust.")
    membership = Membership(trust_id=user.trust_id, user=user, school=school, role=role)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise ValidationError("This person already has that role there.") from exc
    audit.record(actor=actor, action=audit.Action.GRANT, obj=membership, trust_id=user.trust_id, school=school)
    return membership


@dataclass(frozen=True)
class HalfTermDates:
    name: str
    start: date
    end: date


@transaction.atomic
def ensure_calendar(*, school: School, academic_year: int) -> SchoolCalendar:
    """The school's calendar for the year, created from the English default if it has none yet."""
    calendar, created = SchoolCalendar.objects.get_or_create(
        school=school, academic_year=academic_year, defaults={"trust_id": school.trust_id}
    )
    if created:
        HalfTerm.objects.bulk_create(
            HalfTerm(trust_id=school.trust_id, calendar=calendar, position=i, name=t.name, start=t.start, end=t.end)
            for i, t in enumerate(default_terms(academic_year), start=1)
        )
    return calendar


def validate_half_terms(terms: list[HalfTermDates], academic_year: int) -> list[str]:
    """Problems with a set of half-term dates, in plain words (empty when they are fine)."""
    problems = []
    for t in terms:
        if t.end < t.start:
            problems.append(f"{t.name} ends before it starts.")
    for earlier, later in zip(terms, terms[1:], strict=False):
        if later.start <= earlier.end:
            problems.append(f"{later.name} must start after {earlier.name} ends ({earlier.end:%-d %B %Y}).")
    first, last = date(academic_year, 8, 1), date(academic_year + 1, 8, 31)
    for t in terms:
        if not (first <= t.start <= last and first <= t.end <= last):
            problems.append(f"{t.name} must fall between 1 August {academic_year} and 31 August {academic_year + 1}.")
    return problems


@transaction.atomic
def update_calendar(*, calendar: SchoolCalendar, terms: list[HalfTermDates], actor: User) -> SchoolCalendar:
    """Replace the calendar's half-term dates after checking them; all or nothing, audited."""
    problems = validate_half_terms(terms, calendar.academic_year)
    if problems:
        raise ValidationError(problems)
    existing = {h.position: h for h in calendar.half_terms.all()}
    for position, t in enumerate(terms, start=1):
        half = existing.get(position) or HalfTerm(trust_id=calendar.trust_id, calendar=calendar, position=position)
        half.name, half.start, half.end = t.name, t.start, t.end
        half.save()
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=calendar, summary="Term dates changed")
    return calendar


def notify(
    *, recipient: User, kind: str, text: str, link: str = "", dedupe_key: str | None = None
) -> Notification | None:
    """Create an in-app notification and email it after the transaction commits.

    With a `dedupe_key` the notification is created at most once per recipient: a second call
    returns None, so retries never notify twice. (The deadline sweep creates its notifications in bulk and
    emails them with `trusts.tasks.email_pending_notifications`.)
    """
    if recipient.trust_id is None:
        raise ValidationError("Only people in a trust can be notified.")
    # get_or_create makes its own savepoint around the insert, so a racing duplicate is caught there: no
    # outer savepoint is needed (the sweep sends thousands of these; each round trip counts).
    if dedupe_key is not None:
        note, created = Notification.objects.get_or_create(
            recipient=recipient,
            dedupe_key=dedupe_key,
            defaults={"trust_id": recipient.trust_id, "kind": kind, "text": text[:500], "link": link},
        )
        if not created:
            return None
    else:
        note = Notification.objects.create(
            trust_id=recipient.trust_id, recipient=recipient, kind=kind, text=text[:500], link=link
        )
    from .tasks import email_notification

    email_notification.delay_on_commit(notification_id=note.pk)
    return note


def mark_read(*, notification: Notification) -> None:
    """Mark one notification read (only the first time counts)."""
    Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
