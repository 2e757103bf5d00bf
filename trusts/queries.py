"""Reads of the trusts app, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry, HalfTerm, Notification, School, SchoolCalendar, User
from .permissions import can, schools_where


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def audit_visible_to(user: User) -> QuerySet[AuditEntry]:
    """Audit entries of the schools where the user may read the audit trail."""
    from django.db.models import Q

    from .models import TRUST_WIDE_ROLES
    from .permissions import memberships_of

    schools = schools_where(user, "audit.view")
    where = Q(school__in=schools)
    if any(m.role in TRUST_WIDE_ROLES for m in memberships_of(user)) and can(user, "audit.view"):
        where |= Q(school=None)  # trust-wide entries: people, single sign-on, sign-ins
    return AuditEntry.objects.filter(where).select_related("school")


def calendar_schools(user: User) -> list[School]:
    return schools_where(user, "calendar.change")


def half_terms(calendar: SchoolCalendar) -> list[HalfTerm]:
    return list(HalfTerm.objects.filter(calendar=calendar).order_by("position"))
