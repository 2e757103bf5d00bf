"""Permission cases for the trusts app's pages."""

from __future__ import annotations

import itertools
from typing import Any

from .base import CASEWORK_ROLES, EVERYONE, Case

CASES: list[Case] = [
    Case("reports:home", own=EVERYONE),
    Case("trusts:notifications", own=EVERYONE),
    Case("trusts:notifications_read_all", own=EVERYONE, method="post", ok=(302,)),
    Case("trusts:audit", own=CASEWORK_ROLES),
    Case("trusts:calendar", own=CASEWORK_ROLES),
    Case(
        "trusts:calendar_edit",
        kwargs=lambda demo, school: {"school_id": school.pk},
        own=CASEWORK_ROLES,
        other_school={"lead@oak.test"},
    ),
    Case(
        "trusts:calendar_year",
        kwargs=lambda demo, school: {"school_id": school.pk, "year": 2026},
        own=CASEWORK_ROLES,
        other_school={"lead@oak.test"},
    ),
    Case("trusts:privacy", own=EVERYONE),
    Case("trusts:schools", own={"lead@oak.test"}),
    Case(
        "trusts:school_phase",
        kwargs=lambda demo, school: {"pk": school.pk},
        own={"lead@oak.test"},
        other_school={"lead@oak.test"},
    ),
]

COVERED_ELSEWHERE = {"trusts:notification_open": "tests/trusts/test_notifications.py"}


# ------------------------------------------------------------------------------------------- People

PEOPLE_MANAGERS = {"lead@oak.test", "head.acorn@oak.test"}
STAFF_AT = {"acorn": "teacher.acorn@oak.test", "beech": "senco.beech@oak.test", "willow": "teacher.willow@river.test"}


def _key(demo: Any, school: Any) -> str:
    return {demo.acorn.pk: "acorn", demo.beech.pk: "beech", demo.willow.pk: "willow"}[school.pk]


def _staff_member(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": demo.user(STAFF_AT[_key(demo, school)]).pk}


def _fresh_membership(demo: Any, school: Any) -> dict[str, Any]:
    """A new governor at the school each time, so an allowed POST (which ends it) never spoils the next."""
    from django_scopes import scopes_disabled

    from trusts.models import Membership, Role, User

    n = next(_serial)
    with scopes_disabled():
        person = User.objects.create_user(
            f"matrix{n}@example.org", None, full_name=f"Matrix {n}", trust_id=school.trust_id
        )
        membership = Membership.objects.create(trust_id=school.trust_id, user=person, school=school, role=Role.GOVERNOR)
    return {"pk": membership.pk}


def _fresh_invitation(demo: Any, school: Any) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from trusts.models import Invitation

    n = next(_serial)
    with scopes_disabled():
        invitation = Invitation.objects.create(
            trust_id=school.trust_id,
            school=school,
            kind=Invitation.Kind.STAFF,
            email=f"invited{n}@example.org",
            token_hash=f"matrix-{n}",
            payload={"roles": [{"role": "teacher", "school": school.pk}]},
            expires_at=timezone.now() + timedelta(days=3),
        )
    return {"pk": invitation.pk}


_serial = itertools.count(1)

CASES += [
    Case("trusts:people", own=PEOPLE_MANAGERS),
    Case("trusts:person_invite", own=PEOPLE_MANAGERS),
    Case("trusts:people_import", own=PEOPLE_MANAGERS),
    Case("trusts:single_sign_on_settings", own={"lead@oak.test"}),
    Case("trusts:person", kwargs=_staff_member, own=PEOPLE_MANAGERS, other_school={"lead@oak.test"}),
    Case("trusts:person_deactivate", kwargs=_staff_member, own=PEOPLE_MANAGERS, other_school={"lead@oak.test"}),
    Case(
        "trusts:membership_end",
        kwargs=_fresh_membership,
        own=PEOPLE_MANAGERS,
        other_school={"lead@oak.test"},
        method="post",
        ok=(302,),
    ),
    Case(
        "trusts:invitation_withdraw",
        kwargs=_fresh_invitation,
        own=PEOPLE_MANAGERS,
        other_school={"lead@oak.test"},
        method="post",
        ok=(302,),
    ),
    Case(
        "trusts:invitation_resend",
        kwargs=_fresh_invitation,
        own=PEOPLE_MANAGERS,
        other_school={"lead@oak.test"},
        method="post",
        ok=(302,),
    ),
]

COVERED_ELSEWHERE |= {
    # Reached before signing in: tested with their own rules (only the address's owner, only the trust's IdP).
    "trusts:invitation": "tests/trusts/test_account_security.py",
    "trusts:single_sign_on": "tests/trusts/test_single_sign_on.py",
}
