"""Issue #16 (part 4): pupils with medical conditions must be properly supported. Before this work the only
health field (Pupil.medical_summary) could be set by no form, and there was no individual health care plan."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import pupil_at

pytestmark = pytest.mark.django_db


def test_a_senco_can_open_a_pupils_health_page_and_record_a_condition(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    senco = demo.client_for("senco.acorn@oak.test")
    try:
        url = reverse("pupils:condition_add", args=[pupil.pk])
    except NoReverseMatch:
        pytest.fail("There is no page to record a pupil's medical condition.")
    response = senco.post(
        url, {"condition": "Asthma", "details": "", "source": "parent", "noted_on": "", "needs_ihcp": "on"}
    )
    assert response.status_code == 302
    page = senco.get(reverse("pupils:health", args=[pupil.pk])).content.decode()
    assert "Asthma" in page
