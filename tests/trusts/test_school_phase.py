"""The inclusion lead corrects a school's phase and year range; the sweep then opens R9 by them."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp.services import transfer_due
from trusts.models import AuditEntry, School


def test_the_lead_makes_a_primary_a_middle_school_with_its_years(client, demo) -> None:
    client.force_login(demo.user("lead@oak.test"))
    url = reverse("trusts:school_phase", kwargs={"pk": demo.acorn.pk})
    assert "Primary, Reception to Year 6" in client.get(url).content.decode()
    response = client.post(url, {"phase": "middle", "first_year_group": "5", "last_year_group": "8"})
    assert response.status_code == 302
    with scopes_disabled():
        acorn = School.objects.get(pk=demo.acorn.pk)
        entry = AuditEntry.objects.filter(object_type="trusts.School", action="change").latest("pk")
    assert (acorn.phase, acorn.year_range()) == ("middle", ("5", "8"))
    assert entry.summary == "Phase of Acorn Primary: Primary, Reception to Year 6 → Middle, Year 5 to Year 8"
    assert transfer_due(year_group="6", school=acorn, today=date(2026, 10, 1)) is None
    assert transfer_due(year_group="8", school=acorn, today=date(2026, 10, 1)) is not None
    assert "Middle" in client.get(reverse("trusts:schools")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phase": "middle", "first_year_group": "8", "last_year_group": ""}, "Give both the first and the last"),
        ({"phase": "middle", "first_year_group": "", "last_year_group": ""}, "A middle school needs its year range"),
        ({"phase": "junior", "first_year_group": "6", "last_year_group": "3"}, "comes after the last"),
        ({"phase": "college"}, "Select a valid choice"),
    ],
)
def test_a_wrong_range_is_refused_with_a_reason(client, demo, data, message) -> None:
    client.force_login(demo.user("lead@oak.test"))
    response = client.post(reverse("trusts:school_phase", kwargs={"pk": demo.acorn.pk}), data)
    assert response.status_code == 200 and message in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert School.objects.get(pk=demo.acorn.pk).phase == "primary"


def test_a_senco_and_another_trust_get_page_not_found(client, demo) -> None:
    url = reverse("trusts:school_phase", kwargs={"pk": demo.acorn.pk})
    client.force_login(demo.user("senco.acorn@oak.test"))
    assert client.get(url).status_code == 404
    client.force_login(demo.user("lead@river.test"))
    assert client.post(url, {"phase": "infant"}).status_code == 404
