"""The one cross-trust read of a public page: which trust a school's URN belongs to.

A public page (no sign-in: the school's SEN information report) is addressed by the school's URN, so
before any trust is known it must find the trust. This lookup, like finding a single sign-on configuration
or an invitation by its token, reads one row of any trust; everything after it runs in that trust's scope
with the database pinned to it (trusts.rls.pinned_to).
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from .models import School
from .rls import across_trusts_for_one_lookup


def trust_of_school(urn: str) -> int | None:
    with scopes_disabled(), across_trusts_for_one_lookup():
        trust_id = School.objects.filter(urn=urn).values_list("trust_id", flat=True).first()
    return int(trust_id) if trust_id is not None else None
