"""`{% can %}` answers from the permission map for the request's user."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django_scopes import scope

from tests.factories import make_pupil

pytestmark = pytest.mark.django_db

TEMPLATE = Template('{% load permissions %}{% can "register.change" pupil as ok %}{{ ok|yesno:"yes,no" }}')


def _render(user, pupil) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request, "pupil": pupil}))


def test_the_tag_follows_the_permission_map(demo) -> None:
    from django.contrib.auth.models import AnonymousUser

    pupil = make_pupil(demo.acorn)
    with scope(trust=pupil.trust_id):
        assert _render(demo.user("senco.acorn@oak.test"), pupil) == "yes"
        assert _render(demo.user("teacher.acorn@oak.test"), pupil) == "no"
        assert _render(demo.user("senco.beech@oak.test"), pupil) == "no"  # another school
        assert _render(demo.user("senco.willow@river.test"), pupil) == "no"  # another trust
        assert _render(AnonymousUser(), pupil) == "no"
