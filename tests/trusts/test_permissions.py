"""The permission map: each role, in its own school, another school of its trust, and another trust."""

from __future__ import annotations

import pytest

from trusts.permissions import can, home_role, schools_where

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("email", "action", "own", "other_school", "other_trust"),
    [
        ("senco.acorn@oak.test", "register.change", True, False, False),
        ("head.acorn@oak.test", "register.change", True, False, False),
        ("lead@oak.test", "register.change", True, True, False),
        ("teacher.acorn@oak.test", "register.change", False, False, False),
        ("teacher.acorn@oak.test", "concern.raise", True, False, False),
        ("ta.acorn@oak.test", "delivery.log_own", True, False, False),
        ("governor.acorn@oak.test", "casework.view", False, False, False),
        ("governor.acorn@oak.test", "school.aggregates", True, False, False),
        ("trustee@oak.test", "casework.view", False, False, False),
        ("trustee@oak.test", "trust.dashboard", True, True, False),
        ("parent.acorn@oak.test", "casework.view", False, False, False),
        ("parent.acorn@oak.test", "portal.view", True, False, False),
    ],
)
def test_role_may_act_only_where_it_should(demo, email, action, own, other_school, other_trust) -> None:
    user = demo.user(email)
    assert can(user, action, demo.acorn) is own
    assert can(user, action, demo.beech) is other_school
    assert can(user, action, demo.willow) is other_trust


def test_unknown_action_is_refused(demo) -> None:
    assert not can(demo.user("lead@oak.test"), "everything", demo.acorn)


def test_anonymous_may_do_nothing(demo) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), "casework.view", demo.acorn)


def test_other_trust_refused_even_for_trust_wide_roles(demo) -> None:
    assert not can(demo.user("lead@river.test"), "casework.view", demo.oak)
    assert can(demo.user("lead@river.test"), "casework.view", demo.river)


def test_schools_where_follows_memberships(oak_scope) -> None:
    assert [s.name for s in schools_where(oak_scope.user("senco.acorn@oak.test"), "register.change")] == [
        "Acorn Primary"
    ]
    assert {s.name for s in schools_where(oak_scope.user("lead@oak.test"), "register.change")} == {
        "Acorn Primary",
        "Beech Academy",
    }
    assert schools_where(oak_scope.user("governor.acorn@oak.test"), "register.change") == []


def test_home_role_prefers_the_broadest_role(oak_scope) -> None:
    from trusts.models import Role
    from trusts.services import add_membership

    teacher = oak_scope.user("teacher.acorn@oak.test")
    add_membership(user=teacher, role=Role.PARENT, school=oak_scope.acorn)
    teacher._membership_cache = None
    assert home_role(teacher) == Role.TEACHER


def test_membership_in_another_trusts_school_is_refused(oak_scope) -> None:
    from django.core.exceptions import ValidationError

    from trusts.models import Role
    from trusts.services import add_membership

    with pytest.raises(ValidationError, match="another trust"):
        add_membership(user=oak_scope.user("teacher.acorn@oak.test"), role=Role.TEACHER, school=oak_scope.willow)
