"""Access arrangements do not carry over: a move or a new phase brings them up for review, and reviews are
reminded before they fall due.

- `move_arrangements` (pupils' PUPIL_MOVED_HOOKS): a pupil who moves to another school of the trust takes
  their arrangements with them, each marked "to review" at the new school (still shown, clearly not yet
  confirmed there) and on the new SENCO's list. Ended ones move as history.
- `sweep_arrangements` (daily, graduated.tasks): a granted arrangement whose pupil is now in another phase
  than the one it was granted for (Year 6 to Year 7, Year 11 to Year 12: graduated.phases) becomes "to
  review", and the SENCO is told; and the SENCO is reminded of reviews due within REMIND_DAYS, and again
  on the day. Notifications carry a dedupe key, so running it twice, or after downtime, tells no one twice.
The reads show a phase change as "to review" at once, before the sweep has run (graduated.queries).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.models import Membership, Role, School, User
from trusts.services import notify

from ..models import AccessArrangement
from ..phases import REMIND_DAYS, phase_review_reason
from ._common import _long

Status = AccessArrangement.Status
LIVE = [Status.PROPOSED, Status.GRANTED, Status.TO_REVIEW]


def move_arrangements(
    *, pupil: Pupil, from_school: School, to_school: School, moved_on: date, actor: User | None
) -> list[str]:
    """PUPIL_MOVED_HOOKS entry: every arrangement moves to `to_school`; those not ended are "to review" there.
    Audited per arrangement. Returns the line for the confirmation page and the new SENCO's notification."""
    reason = f"Granted at {from_school.name}: not yet confirmed at {to_school.name}."
    live = list(AccessArrangement.objects.filter(pupil=pupil, status__in=LIVE))
    for arrangement in live:
        arrangement.status, arrangement.review_reason, arrangement.review_since = Status.TO_REVIEW, reason, moved_on
        arrangement.school = to_school
        arrangement.save(update_fields=["status", "review_reason", "review_since", "school", "updated_at"])
        audit.record(
            actor=actor,
            action=audit.Action.CHANGE,
            obj=arrangement,
            pupil_id=pupil.pk,
            summary=f"Access arrangement to review after the move: {arrangement.label}",
        )
    AccessArrangement.objects.filter(pupil=pupil, status=Status.ENDED).update(
        school=to_school, updated_at=timezone.now()
    )
    if not live:
        return []
    many = "access arrangement" if len(live) == 1 else "access arrangements"
    return [f"{len(live)} {many} to review at {to_school.name} (they do not carry over until confirmed)."]


def recipients(school: School) -> list[User]:
    """The school's SENCOs; the trust's inclusion leads when it has none."""
    memberships = Membership.objects.filter(school=school, role=Role.SENCO, user__is_active=True)
    if not memberships.exists():
        memberships = Membership.objects.filter(
            trust_id=school.trust_id, role=Role.INCLUSION_LEAD, user__is_active=True
        )
    return list({m.user_id: m.user for m in memberships.select_related("user")}.values())


def _tell(school: School, cache: dict[int, list[User]], *, kind: str, text: str, link: str, key: str) -> int:
    if school.pk not in cache:
        cache[school.pk] = recipients(school)
    told = 0
    for person in cache[school.pk]:
        if notify(recipient=person, kind=kind, text=text, link=link, dedupe_key=f"{key}:{person.pk}") is not None:
            told += 1
    return told


def sweep_arrangements(*, trust_id: int, today: date | None = None) -> dict[str, int]:
    """Inside the trust's scope: record phase changes as "to review" and send the reminders due (see the
    module docstring). Returns counts (arrangements marked, notifications sent). Safe to run any time."""
    today = today or timezone.localdate()
    people: dict[int, list[User]] = {}
    marked = sent = 0
    granted = (
        AccessArrangement.objects.filter(trust_id=trust_id, status=Status.GRANTED)
        .exclude(phase="")
        .select_related("pupil", "school")
    )
    for arrangement in granted:
        reason = phase_review_reason(arrangement, arrangement.pupil)
        if not reason:
            continue
        with transaction.atomic():  # marked and told together, or neither (a retry finds it still granted)
            arrangement.status, arrangement.review_reason, arrangement.review_since = Status.TO_REVIEW, reason, today
            arrangement.save(update_fields=["status", "review_reason", "review_since", "updated_at"])
            audit.record(
                actor=None,
                action=audit.Action.CHANGE,
                obj=arrangement,
                pupil_id=arrangement.pupil_id,
                summary=f"Access arrangement to review in the new phase: {arrangement.label}",
            )
            # No pupil name: notifications are emailed. (A move tells the new SENCO itself, pupils.moves.)
            text = (
                f"An access arrangement ({arrangement.get_kind_display()}) of a "
                f"{arrangement.pupil.get_year_group_display()} pupil is to review: {reason}"
            )
            sent += _tell(
                arrangement.school,
                people,
                kind="access.to_review",
                text=text,
                link=reverse("graduated:pupil_arrangements", kwargs={"pupil_id": arrangement.pupil_id}),
                key=f"access.to_review:{arrangement.pk}:{today}",
            )
        marked += 1
    due = (
        AccessArrangement.objects.filter(
            trust_id=trust_id, status=Status.GRANTED, review_on__lte=today + timedelta(days=REMIND_DAYS)
        )
        .filter(Q(pupil__leaving_date=None) | Q(pupil__leaving_date__gt=today))
        .filter(pupil__school=F("school"))
        .select_related("pupil", "school")
    )
    for arrangement in due:
        assert arrangement.review_on is not None
        on_the_day = arrangement.review_on <= today
        when = "is due today" if arrangement.review_on == today else f"is due on {_long(arrangement.review_on)}"
        if arrangement.review_on < today:
            when = f"was due on {_long(arrangement.review_on)}"
        text = (
            f"The review of an access arrangement ({arrangement.get_kind_display()}) of a "
            f"{arrangement.pupil.get_year_group_display()} pupil {when}."
        )
        sent += _tell(
            arrangement.school,
            people,
            kind="access.review_due",
            text=text,
            link=reverse("graduated:arrangement_edit", kwargs={"pk": arrangement.pk}),
            key=f"access.review:{arrangement.pk}:{arrangement.review_on}:{'due' if on_the_day else 'soon'}",
        )
    return {"marked": marked, "notifications": sent}
