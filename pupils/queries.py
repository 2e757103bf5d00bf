"""Who may see which pupils. Every view that lists or opens a pupil goes through these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from trusts.models import User
from trusts.permissions import can, schools_where

from .models import AccessGrant, GroupMember, Pupil, PupilUserObjectPermission, TeachingGroup
from .search_text import normalise

VIEW_GRANT = "view_pupil_record"


def granted_pupil_ids(user: User) -> QuerySet[Any]:
    """Pupils opened to this person by an active grant: both the guardian permission and the
    grant's end date must hold, so a grant stops working on its end date even before the nightly tidy-up."""
    today = timezone.localdate()
    guardian = PupilUserObjectPermission.objects.filter(user=user, permission__codename=VIEW_GRANT).values(
        "content_object_id"
    )
    return AccessGrant.objects.filter(user=user, revoked_at=None, ends_on__gte=today, pupil_id__in=guardian).values(
        "pupil_id"
    )


def own_pupil_ids(user: User) -> QuerySet[Any]:
    """Pupils in the teaching groups the person teaches or supports."""
    return GroupMember.objects.filter(group__staff__user=user).values("pupil_id")


def pupils_visible_to(user: User) -> QuerySet[Pupil]:
    """Every pupil the person may open: whole schools for casework roles, own groups for teachers and TAs,
    single pupils granted to them. Parents use `children_of` instead."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    rule = Q(pk__in=granted_pupil_ids(user))
    schools = schools_where(user, "casework.view")
    if schools:
        rule |= Q(school__in=schools)
    # Who sees the pupils of their own groups is the permission map's "pupils.view_own", nothing else.
    if can(user, "pupils.view_own"):
        rule |= Q(pk__in=own_pupil_ids(user))
    return Pupil.objects.filter(rule)


def own_pupils(user: User) -> QuerySet[Pupil]:
    """A teacher's or TA's own pupils (their groups), for lists and the concern form."""
    return Pupil.objects.filter(pk__in=own_pupil_ids(user), leaving_date=None)


def children_of(user: User) -> QuerySet[Pupil]:
    """A parent's own children (contacts linked to their account), across the schools of the trust."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    return Pupil.objects.filter(contacts__user=user).distinct()


def can_view_pupil(user: User, pupil: Pupil) -> bool:
    return pupils_visible_to(user).filter(pk=pupil.pk).exists()


def can_manage_pupil(user: User, pupil: Pupil) -> bool:
    """Casework roles of the pupil's school (SENCO, headteacher, inclusion lead)."""
    return can(user, "casework.view", pupil)


def groups_of_school(school: Any) -> QuerySet[TeachingGroup]:
    return TeachingGroup.objects.filter(school=school).order_by("name")


SEARCH_LIMIT = 50
SEARCH_MIN_LENGTH = 2


@dataclass(frozen=True)
class PupilSearch:
    """What a search found: `pupils` (at most SEARCH_LIMIT, on roll first), `total` matches, and `exact`,
    the one pupil whose UPN or former UPN is exactly the query (the page opens their record straight away)."""

    query: str
    terms: tuple[str, ...]
    pupils: list[Pupil]
    total: int
    exact: Pupil | None

    @property
    def more(self) -> bool:
        return self.total > len(self.pupils)


def may_search_pupils(user: User) -> bool:
    """Staff who can open any pupil's record (their school's, their groups', or pupils granted to them)."""
    return can(user, "casework.view") or can(user, "pupils.view_own") or granted_pupil_ids(user).exists()


def search_pupils(*, user: User, query: str) -> PupilSearch:
    """Pupils the person may see whose names or UPNs contain every word of `query`, in any order, partial,
    accents and case ignored (pupils.search_text). Two queries: the count and one page of results with
    school and register entry. Reads only; the page audits the search."""
    terms = tuple(dict.fromkeys(normalise(query).split()))
    if len("".join(terms)) < SEARCH_MIN_LENGTH:
        return PupilSearch(query=query, terms=terms, pupils=[], total=0, exact=None)
    matches = pupils_visible_to(user)
    for term in terms:
        matches = matches.filter(search_text__contains=term)
    total = matches.count()
    found: list[Pupil] = list(
        matches.select_related("school", "register_entry")
        .annotate(left=ExpressionWrapper(Q(leaving_date__lte=timezone.localdate()), output_field=BooleanField()))
        .order_by("left", "legal_surname", "legal_forename", "pk")[:SEARCH_LIMIT]
    )
    upn = query.strip().upper()
    exact = [p for p in found if upn and upn in {p.upn, p.former_upn}]
    return PupilSearch(query=query, terms=terms, pupils=found, total=total, exact=exact[0] if len(exact) == 1 else None)
