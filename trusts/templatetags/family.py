"""The footer of pages and documents written for families: ``{% load family %}{% family_footer school %}``.

Families get who to talk to at the school (its SENCO, by name and email, where the school has one) and how
their information is used, instead of the staff warning about handling special category data. Takes one
school or several (a parent with children at two schools). In a page the privacy link is the site's own
path; in a PDF (no request) it is the full address from ``SITE_URL``, so it works on paper and offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django_scopes import scope

from trusts.models import Membership, Role, School

register = template.Library()


def _schools(schools: School | Iterable[Any] | None) -> list[School]:
    if schools is None:
        return []
    if isinstance(schools, School):
        return [schools]
    found: dict[int, School] = {}
    for item in schools:
        school = item if isinstance(item, School) else getattr(item, "school", None)
        if isinstance(school, School):
            found.setdefault(school.pk, school)
    return list(found.values())


@register.inclusion_tag("includes/_family_footer.html", takes_context=True)
def family_footer(context: template.Context, schools: School | Iterable[Any] | None = None) -> dict[str, Any]:
    """`schools`: a school, or schools, or things with a `.school` (a parent's children). One query."""
    chosen = _schools(schools)
    sencos: dict[int, list[Any]] = {s.pk: [] for s in chosen}
    if chosen:
        # In the schools' own trust: a parent's invitation page is read before anyone signs in (no scope yet).
        with scope(trust=chosen[0].trust_id):
            memberships = list(
                Membership.objects.filter(school__in=chosen, role=Role.SENCO, user__is_active=True)
                .select_related("user")
                .order_by("user__full_name", "pk")
            )
        for m in memberships:
            if m.school_id is not None:
                sencos[m.school_id].append(m.user)
    privacy = reverse("trusts:privacy")
    if context.get("request") is None:
        privacy = settings.SITE_URL.rstrip("/") + privacy
    return {"contacts": [(s, sencos[s.pk]) for s in chosen], "privacy_url": privacy}
