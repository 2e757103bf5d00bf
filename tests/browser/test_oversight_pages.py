"""Dashboards, the register, a pupil record and the parent portal in Chromium: they render and pass axe."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from register.services import change_status
from tests.factories import make_pupil, pupil_at

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def casework(live_demo):
    child = pupil_at(live_demo, live_demo.acorn, legal_forename="Maisie", preferred_forename="Maisie")
    with scope(trust=live_demo.oak.pk):
        for i in range(8):
            p = make_pupil(live_demo.acorn if i % 2 else live_demo.beech)
            change_status(
                pupil=p,
                to_status="K",
                actor=None,
                reason="x",
                primary_need="SLCN",
                parents_told_on=timezone.localdate(),
                check_permission=False,
            )
        change_status(
            pupil=child,
            to_status="K",
            actor=None,
            reason="x",
            primary_need="SPLD",
            parents_told_on=timezone.localdate(),
            check_permission=False,
        )
    return child


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("trustee@oak.test", ["/figures/trust/", "/board-reports/"]),
        ("governor.acorn@oak.test", ["/figures/school/", "/sen-information-report/"]),
        (
            "senco.acorn@oak.test",
            ["/register/", "/register/?status=all&sort=year", "RECORD", "/sen-information-report/"],
        ),
        ("parent.acorn@oak.test", ["/family/", "CHILD"]),
    ],
)
def test_pages_render_and_are_accessible(live_demo, casework, page, axe_clean, email, paths) -> None:
    sign_in(page, live_demo.url, email)
    for path in paths:
        path = {"RECORD": f"/pupils/{casework.pk}/", "CHILD": f"/family/child/{casework.pk}/"}.get(path, path)
        response = page.goto(f"{live_demo.url}{path}")
        assert response is not None and response.status == 200, path
        assert page.get_by_role("heading", level=1).count() == 1
        axe_clean(page)
