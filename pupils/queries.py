"""Who may see which pupils. Every view that lists or opens a pupil goes through these."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from trusts.models import User
from trusts.permissions import can, schools_where

from .models import AccessGrant, GroupMember, Pupil, PupilUserObjectPermission, TeachingGroup

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
