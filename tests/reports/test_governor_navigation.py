"""A governor's menu links the SEN information report they read (the README says so); a trustee's does not,
because the report is a school's and trustees see the trust's figures."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _reports_pages(demo, email: str) -> list[str]:
    """The pages of the Reports section, as the menu shows them on the section's first page."""
    client = demo.client_for(email)
    top = {item["label"]: item["url"] for item in client.get("/").context["nav_items"]}
    if "Reports" not in top:
        return []
    response = client.get(top["Reports"])
    return [page["url"] for page in response.context["nav_pages"]] or [top["Reports"]]


def test_the_governor_menu_links_the_sen_information_report(demo) -> None:
    url = reverse("reports:sen_information")
    assert url in _reports_pages(demo, "governor.acorn@oak.test")
    assert demo.client_for("governor.acorn@oak.test").get(url).status_code == 200
    assert url in _reports_pages(demo, "senco.acorn@oak.test")
    assert url not in _reports_pages(demo, "trustee@oak.test")
    assert url not in _reports_pages(demo, "teacher.acorn@oak.test")
