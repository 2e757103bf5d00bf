"""Register transitions follow domain.md's rules, keep every change as history, and write nothing on error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from register import services
from register.models import RegisterChange, RegisterEntry, SenStatus
from tests.factories import make_pupil
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def pupil(oak_scope):
    return make_pupil(oak_scope.acorn)


@pytest.fixture
def senco(oak_scope):
    return oak_scope.user("senco.acorn@oak.test")


def test_sen_support_then_off_the_register_keeps_history(pupil, senco) -> None:
    services.change_status(
        pupil=pupil,
        to_status="K",
        actor=senco,
        reason="APDR evidence",
        primary_need="SLCN",
        effective_date=TODAY - dt.timedelta(days=30),
        parents_told_on=TODAY - dt.timedelta(days=29),
    )
    services.change_status(
        pupil=pupil,
        to_status="N",
        actor=senco,
        reason="Outcomes met",
        parents_told_on=TODAY,
    )
    entry = RegisterEntry.objects.get(pupil=pupil)
    assert entry.status == "N" and entry.primary_need == "" and entry.since == TODAY
    history = list(RegisterChange.objects.filter(pupil=pupil).order_by("effective_date"))
    assert [(c.from_status, c.to_status) for c in history] == [("N", "K"), ("K", "N")]
    assert history[0].parents_told_on == TODAY - dt.timedelta(days=29)
    assert history[0].changed_by == senco
    assert AuditEntry.objects.filter(pupil_id=pupil.pk, action="change").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to_status": "K", "primary_need": ""}, "Choose the primary type of need"),
        (
            {"to_status": "K", "primary_need": "SLCN", "parents_told_on": None},
            "Enter the date parents were told",
        ),
        (
            {"to_status": "M", "primary_need": "NSA"},
            "NSA (no specialist assessment) can only be used with SEN support",
        ),
        (
            {"to_status": "K", "primary_need": "SLCN", "secondary_need": "NSA"},
            "NSA can only be a primary need",
        ),
        ({"to_status": "K", "primary_need": "SLCN", "secondary_need": "SLCN"}, "must differ"),
        ({"to_status": "K", "primary_need": "XYZ"}, "XYZ is not a type-of-need code"),
        (
            {"to_status": "K", "primary_need": "SLCN", "effective_date": TODAY + dt.timedelta(days=1)},
            "future",
        ),
        ({"to_status": "K", "primary_need": "SLCN", "reason": "  "}, "Say why"),
        (
            {"to_status": "K", "primary_need": "SLCN", "effective_date": dt.date(2019, 1, 1)},
            "before the pupil joined",
        ),
    ],
)
def test_rules_are_enforced_and_nothing_is_written(pupil, senco, kwargs, message) -> None:
    args = {"reason": "Evidence from two cycles", "parents_told_on": TODAY, **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.change_status(pupil=pupil, actor=senco, **args)
    assert any(message in m for m in exc.value.messages)
    assert not RegisterEntry.objects.filter(pupil=pupil).exists()
    assert not RegisterChange.objects.filter(pupil=pupil).exists()


def test_nsa_is_allowed_with_sen_support(pupil, senco) -> None:
    services.change_status(
        pupil=pupil,
        to_status="K",
        actor=senco,
        reason="Awaiting assessment",
        primary_need="NSA",
        parents_told_on=TODAY,
    )
    assert RegisterEntry.objects.get(pupil=pupil).primary_need == "NSA"


def test_ehc_status_needs_a_plan_once_the_ehc_app_says_so(pupil, senco, monkeypatch) -> None:
    monkeypatch.setattr(services, "EHC_PLAN_CHECKS", [lambda p: False])
    with pytest.raises(ValidationError, match="only once the plan is recorded"):
        services.change_status(
            pupil=pupil, to_status="E", actor=senco, reason="Plan", primary_need="ASD", parents_told_on=TODAY
        )
    monkeypatch.setattr(services, "EHC_PLAN_CHECKS", [lambda p: True])
    services.change_status(
        pupil=pupil, to_status="E", actor=senco, reason="Plan", primary_need="ASD", parents_told_on=TODAY
    )
    assert RegisterEntry.objects.get(pupil=pupil).status == SenStatus.EHC_PLAN


def test_a_change_that_changes_nothing_is_refused(pupil, senco) -> None:
    args = {"to_status": "M", "actor": senco, "reason": "Watching"}
    services.change_status(pupil=pupil, **args)
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.change_status(pupil=pupil, **args)
    assert RegisterChange.objects.filter(pupil=pupil).count() == 1


def test_need_change_without_status_change_keeps_since_date(pupil, senco) -> None:
    services.change_status(
        pupil=pupil,
        to_status="K",
        actor=senco,
        reason="Start",
        primary_need="SLCN",
        effective_date=TODAY - dt.timedelta(days=100),
        parents_told_on=TODAY - dt.timedelta(days=100),
    )
    services.change_status(pupil=pupil, to_status="K", actor=senco, reason="EP report", primary_need="ASD")
    entry = RegisterEntry.objects.get(pupil=pupil)
    assert entry.primary_need == "ASD"
    assert entry.since == TODAY - dt.timedelta(days=100)


def test_teacher_cannot_change_the_register(pupil, oak_scope) -> None:
    with pytest.raises(ValidationError, match="cannot change the SEN register"):
        services.change_status(pupil=pupil, to_status="M", actor=oak_scope.user("teacher.acorn@oak.test"), reason="x")


def test_senco_of_another_school_cannot_change_it(pupil, oak_scope) -> None:
    with pytest.raises(ValidationError):
        services.change_status(pupil=pupil, to_status="M", actor=oak_scope.user("senco.beech@oak.test"), reason="x")
