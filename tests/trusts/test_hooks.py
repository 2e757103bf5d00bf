"""Hooks that a rule depends on fail closed: start-up refuses when one is empty, and the rule refuses too."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError

from register import services as register_services
from trusts.checks import required_hooks_are_filled
from trusts.hooks import DECLARED, Hooks
from trusts.permissions import CASEWORK_ACCESS_CHECKS


def test_every_required_hook_is_filled_by_the_installed_apps() -> None:
    assert [e for e in run_checks() if e.id == "send.E004"] == []
    assert register_services.EHC_PLAN_CHECKS in DECLARED
    assert CASEWORK_ACCESS_CHECKS in DECLARED
    assert all(hooks for hooks in DECLARED if hooks.required)


def test_an_empty_required_hook_stops_start_up_with_the_rule_it_would_skip() -> None:
    hooks: Hooks = Hooks("tests.EMPTY", rule="something must always be checked", filled_by="a test app")
    try:
        errors = required_hooks_are_filled()
        mine = [e for e in errors if "tests.EMPTY" in e.msg]
        assert len(mine) == 1
        assert mine[0].id == "send.E004"
        assert "something must always be checked" in mine[0].msg
        assert "a test app" in mine[0].hint
        hooks.add(lambda: True)
        assert not [e for e in required_hooks_are_filled() if "tests.EMPTY" in e.msg]
    finally:
        DECLARED.remove(hooks)


def test_adding_the_same_hook_twice_keeps_one() -> None:
    hooks: Hooks = Hooks("tests.TWICE", rule="r", filled_by="f", required=False)
    try:

        def fn() -> bool:
            return True

        hooks.add(fn)
        hooks.add(fn)
        assert list(hooks) == [fn]
    finally:
        DECLARED.remove(hooks)


@pytest.mark.django_db
def test_with_no_ehc_plan_check_a_pupil_cannot_be_recorded_as_e(oak_scope, monkeypatch) -> None:
    """Before, an empty EHC_PLAN_CHECKS skipped the rule and let any pupil become E."""
    from tests.factories import make_pupil

    pupil = make_pupil(oak_scope.acorn)
    empty: Hooks = Hooks("tests.NO_EHC", rule="r", filled_by="f", required=False)
    DECLARED.remove(empty)
    monkeypatch.setattr(register_services, "EHC_PLAN_CHECKS", empty)
    with pytest.raises(ValidationError, match="only once the plan is recorded"):
        register_services.change_status(
            pupil=pupil,
            to_status="E",
            actor=oak_scope.user("senco.acorn@oak.test"),
            reason="Plan",
            primary_need="ASD",
            parents_told_on=date(2026, 11, 2),
        )
