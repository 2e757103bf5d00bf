"""A pupil not on the SEN register has no "SEN support" page title and no support plan to download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import pupil_at

pytestmark = pytest.mark.django_db


def test_a_pupil_not_on_the_register_has_no_sen_support_plan(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("graduated:pupil", args=[pupil.pk])).content.decode()
    assert f'<h1 class="govuk-heading-l">{pupil.display_name}: support plans</h1>' in page
    assert "SEN support –" not in page
    assert reverse("graduated:plan_pdf", args=[pupil.pk]) not in page
    assert "Not on the SEN register" in page
    assert client.get(reverse("graduated:plan_pdf", args=[pupil.pk])).status_code == 404
