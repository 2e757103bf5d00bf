"""Reads for causes for concern: who may see which concern, the SENCO's triage queue and counts.

Every view and service looks concerns and pupils up through these functions, so a guessed id answers 404.
Each function runs a fixed number of queries whatever the number of concerns.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pupils.models import Pupil
from pupils.queries import own_pupil_ids
from trusts.models import User
from trusts.permissions import can, schools_where

from .models import BroadArea, CauseForConcern

Status = CauseForConcern.Status
QUEUE_STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.CLOSED]
AREA_LABELS = dict(BroadArea.choices)


def with_area_labels(concerns: Iterable[CauseForConcern]) -> list[CauseForConcern]:
    """The concerns as a list, each with `area_labels`: its broad areas of need in words."""
    items = list(concerns)
    for concern in items:
        setattr(concern, "area_labels", [AREA_LABELS.get(a, a) for a in concern.areas or []])  # noqa: B010
    return items


def _signed_in(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.trust_id is not None


def may_raise_concerns(user: User) -> bool:
    """Teachers, TAs and SENCOs raise concerns about their own pupils; casework roles about any pupil
    of their schools."""
    return can(user, "concern.raise") or can(user, "concern.triage")


def pupils_for_concern(user: User) -> QuerySet[Pupil]:
    """Pupils on roll the person may raise a concern about: their own pupils (the teaching groups they
    teach or support, in a school where they may raise concerns) and, for SENCOs, headteachers and the
    inclusion lead, every pupil of the schools where they triage concerns."""
    if not _signed_in(user):
        return Pupil.objects.none()
    rule: Q | None = None
    triage_schools = schools_where(user, "concern.triage")
    if triage_schools:
        rule = Q(school__in=triage_schools)
    raise_schools = schools_where(user, "concern.raise")
    if raise_schools:
        own = Q(pk__in=own_pupil_ids(user), school__in=raise_schools)
        rule = own if rule is None else rule | own
    if rule is None:
        return Pupil.objects.none()
    on_roll = Q(leaving_date=None) | Q(leaving_date__gt=timezone.localdate())
    return Pupil.objects.filter(rule).filter(on_roll)


def concerns_visible_to(user: User) -> QuerySet[CauseForConcern]:
    """SENCOs, headteachers and the inclusion lead see every concern of the schools where they triage;
    a teacher or TA sees only the concerns they raised. Everyone else sees none."""
    if not _signed_in(user):
        return CauseForConcern.objects.none()
    rule: Q | None = None
    triage_schools = schools_where(user, "concern.triage")
    if triage_schools:
        rule = Q(school__in=triage_schools)
    raise_schools = schools_where(user, "concern.raise")
    if raise_schools:
        # Their own concerns about pupils still at a school where they work: a pupil who moves to another
        # school of the trust takes the concern with them, out of the old school's sight.
        mine = Q(raised_by=user, pupil__school__in=raise_schools)
        rule = mine if rule is None else rule | mine
    if rule is None:
        return CauseForConcern.objects.none()
    return CauseForConcern.objects.filter(rule)


def concerns_to_triage(user: User) -> QuerySet[CauseForConcern]:
    """Concerns the person may triage: those of the schools where they hold `concern.triage`."""
    if not _signed_in(user):
        return CauseForConcern.objects.none()
    schools = schools_where(user, "concern.triage")
    if not schools:
        return CauseForConcern.objects.none()
    return CauseForConcern.objects.filter(school__in=schools)


def with_people(concerns: QuerySet[CauseForConcern]) -> QuerySet[CauseForConcern]:
    return concerns.select_related("pupil", "school", "raised_by", "triaged_by")


def triage_queue(user: User, status: str) -> QuerySet[CauseForConcern]:
    """One tab of the SENCO's queue. New and in-progress concerns come oldest first (the longest
    waiting at the top); closed ones most recently decided first, as a record to look back on."""
    concerns = with_people(concerns_to_triage(user).filter(status=status))
    if status == Status.CLOSED:
        return concerns.order_by("-triaged_at", "-pk")
    return concerns.order_by("created_at", "pk")


def queue_counts(user: User) -> dict[str, int]:
    """How many concerns each tab of the queue holds, in one query."""
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    rows = concerns_to_triage(user).values_list("status").annotate(n=Count("pk")).order_by()
    for status, n in rows:
        counts[status] = n
    return {str(k): v for k, v in counts.items()}


def concern_counts(user: User) -> dict[str, int]:
    """New and in-progress concerns the person can see, for their home page (one query): for a SENCO
    those waiting in their schools, for a teacher their own concerns still open."""
    counts = {Status.NEW.value: 0, Status.IN_PROGRESS.value: 0}
    rows = (
        concerns_visible_to(user)
        .filter(status__in=list(counts))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for status, n in rows:
        counts[status] = n
    return counts


def concerns_raised_by(user: User) -> QuerySet[CauseForConcern]:
    """'Concerns I have raised', newest first: those about pupils still at a school where the person works
    (`concerns_visible_to`'s rule: a pupil who moved school took the concern with them)."""
    if not _signed_in(user):
        return CauseForConcern.objects.none()
    return (
        concerns_visible_to(user)
        .filter(raised_by=user)
        .select_related("pupil", "school", "triaged_by")
        .order_by("-created_at", "-pk")
    )


class RecordConcerns(list[CauseForConcern]):
    """The concerns section of a pupil's record: the concerns the viewer may see, and what they may do."""

    def __init__(self, concerns: list[CauseForConcern], *, can_raise: bool, can_triage: bool) -> None:
        super().__init__(concerns)
        self.can_raise = can_raise
        self.can_triage = can_triage


def concerns_for_record(user: User, pupil: Pupil) -> RecordConcerns:
    """The pupil's concerns the viewer may see (all of them for casework roles, their own for a teacher),
    newest first, in a fixed number of queries."""
    concerns = with_area_labels(
        concerns_visible_to(user)
        .filter(pupil=pupil)
        .select_related("raised_by", "triaged_by")
        .order_by("-created_at", "-pk")
    )
    can_triage = can(user, "concern.triage", pupil)
    return RecordConcerns(
        concerns, can_raise=may_raise_concern_about(user, pupil, triages=can_triage), can_triage=can_triage
    )


def may_raise_concern_about(user: User, pupil: Pupil, *, triages: bool) -> bool:
    """Is the pupil among `pupils_for_concern(user)`? Whoever triages concerns at the pupil's school may raise
    one about any pupil on roll there, which needs no query; anyone else is looked up."""
    if not may_raise_concerns(user):
        return False
    on_roll = pupil.leaving_date is None or pupil.leaving_date > timezone.localdate()
    if triages and on_roll:
        return True
    return pupils_for_concern(user).filter(pk=pupil.pk).exists()


def family_concerns_of(user: User, pupil: Pupil) -> list[CauseForConcern]:
    """The concerns this parent raised about this child in the portal, newest first (one query). Another
    parent's concerns, and concerns staff raised, are not among them."""
    if not _signed_in(user) or not can(user, "portal.concern"):
        return []
    return list(
        CauseForConcern.objects.filter(pupil=pupil, raised_by=user, from_portal=True).order_by("-created_at", "-pk")
    )
