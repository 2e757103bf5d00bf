"""School calendars: a default English year is created on first use, and the school can correct it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope

from trusts import services
from trusts.models import AuditEntry, HalfTerm

pytestmark = pytest.mark.django_db


def test_default_calendar_has_six_half_terms(oak_scope) -> None:
    cal = services.ensure_calendar(school=oak_scope.acorn, academic_year=2026)
    halves = list(cal.half_terms.order_by("position"))
    assert [h.name for h in halves][0].startswith("Autumn")
    assert len(halves) == 6
    assert halves[0].start.year == 2026 and halves[-1].end.year == 2027
    # Idempotent.
    assert services.ensure_calendar(school=oak_scope.acorn, academic_year=2026).pk == cal.pk
    assert HalfTerm.objects.filter(calendar=cal).count() == 6


def _post_data(cal) -> dict[str, str]:
    return {
        f"{edge}_{h.position}": getattr(h, edge).isoformat()
        for h in cal.half_terms.order_by("position")
        for edge in ("start", "end")
    }


def test_senco_corrects_a_half_term_and_it_is_audited(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        cal = services.ensure_calendar(school=demo.acorn, academic_year=2026)
        data = _post_data(cal)
    data["end_1"] = "2026-10-22"
    response = client.post(reverse("trusts:calendar_year", args=[demo.acorn.pk, 2026]), data)
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        assert HalfTerm.objects.get(calendar=cal, position=1).end == dt.date(2026, 10, 22)
        assert AuditEntry.objects.filter(object_type="trusts.SchoolCalendar", action="change").count() == 1


def test_overlapping_half_terms_are_refused_and_nothing_changes(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        cal = services.ensure_calendar(school=demo.acorn, academic_year=2026)
        before = list(HalfTerm.objects.filter(calendar=cal).values_list("start", "end"))
        data = _post_data(cal)
        original = dict(data)
    data["start_2"] = data["start_1"]
    data["end_3"] = "not a date"
    response = client.post(reverse("trusts:calendar_year", args=[demo.acorn.pk, 2026]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a real date." in page
    data["end_3"] = original["end_3"]
    response = client.post(reverse("trusts:calendar_year", args=[demo.acorn.pk, 2026]), data)
    assert response.status_code == 200
    assert "must start after" in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert list(HalfTerm.objects.filter(calendar=cal).values_list("start", "end")) == before


def test_year_far_away_is_not_found(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    assert client.get(reverse("trusts:calendar_year", args=[demo.acorn.pk, 1999])).status_code == 404
