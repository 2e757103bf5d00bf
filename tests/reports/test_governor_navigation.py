"""A governor's menu links the SEN information report they read (the README says so); a trustee's does not,
because the report is a school's and trustees see the trust's figures."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(demo, email: str) -> list[str]:
    response = demo.client_for(email).get("/")
    return [item["url"] for item in response.context["nav_items"]]


def test_the_governor_menu_links_the_sen_information_report(demo) -> None:
    url = reverse("reports:sen_information")
    assert url in _nav(demo, "governor.acorn@oak.test")
    assert demo.client_for("governor.acorn@oak.test").get(url).status_code == 200
    assert url in _nav(demo, "senco.acorn@oak.test")
    assert url not in _nav(demo, "trustee@oak.test")
    assert url not in _nav(demo, "teacher.acorn@oak.test")
