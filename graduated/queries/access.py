"""Who sees what: pupils on roll, the pupils and cycles a person may read, plan or log delivery for."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pupils.models import Pupil
from pupils.queries import own_pupils
from trusts.models import User
from trusts.permissions import can, schools_where

from ..models import Cycle
from ._common import _today


def on_roll(prefix: str = "") -> Q:
    today = _today()
    return Q(**{f"{prefix}leaving_date": None}) | Q(**{f"{prefix}leaving_date__gt": today})


def readable_pupils(user: User) -> QuerySet[Pupil]:
    """Pupils whose support plans and passports the person may read: every pupil of a school where they
    do casework (SENCO, headteacher, inclusion lead), and a teacher's or TA's own pupils."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    rule = Q(pk__in=[])
    schools = schools_where(user, "plan.change")
    if schools:
        rule |= Q(school__in=schools)
    if can(user, "plan.view_own"):
        rule |= Q(pk__in=own_pupils(user).values("pk"))
    return Pupil.objects.filter(rule)


def can_edit_plans(user: User, pupil: Pupil) -> bool:
    return can(user, "plan.change", pupil)


def may_log_delivery(user: User, pupil: Pupil) -> bool:
    """Casework staff of the pupil's school, or a teacher or TA who teaches or supports the pupil."""
    if can(user, "delivery.log", pupil):
        return True
    return can(user, "delivery.log_own", pupil) and own_pupils(user).filter(pk=pupil.pk).exists()


def loggable_pupils(user: User) -> QuerySet[Pupil]:
    """Pupils the person may log sessions for (the same rule as `may_log_delivery`, as a queryset)."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Pupil.objects.none()
    rule = Q(pk__in=[])
    schools = schools_where(user, "delivery.log")
    if schools:
        rule |= Q(school__in=schools)
    own_schools = schools_where(user, "delivery.log_own")
    if own_schools:
        rule |= Q(pk__in=own_pupils(user).values("pk"), school__in=own_schools)
    return Pupil.objects.filter(rule)


def visible_cycles(user: User) -> QuerySet[Cycle]:
    return Cycle.objects.filter(pupil__in=readable_pupils(user)).select_related("pupil", "school")
