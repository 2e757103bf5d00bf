"""The SEN information report: school sections saved and carried into next year; figures from the casework."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from register.services import change_status
from reports.models import SenInformationReport
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db


def test_senco_writes_sections_and_the_pdf_has_them_with_figures(demo) -> None:
    pupils = [make_pupil(demo.acorn) for _ in range(10)]
    with scope(trust=demo.oak.pk):
        for p in pupils[:5]:
            change_status(
                pupil=p,
                to_status="K",
                actor=None,
                reason="x",
                primary_need="SPLD",
                parents_told_on=timezone.localdate(),
                check_permission=False,
            )
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("reports:sen_information")
    page = client.get(url).content.decode()
    assert "Specific learning difficulty: 5 on SEN support" in page
    response = client.post(
        url, {"staff_expertise": "Two staff trained in precision teaching.", "local_offer": "not a link"}
    )
    assert response.status_code == 200 and "Enter a valid URL" in response.content.decode()
    response = client.post(url, {"staff_expertise": "Two staff trained in precision teaching."})
    assert response.status_code == 302
    pdf = client.get(reverse("reports:sen_information_pdf"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Two staff trained in precision teaching." in text and "50%" in text
    for p in pupils:
        assert p.legal_surname not in text


def test_governor_reads_but_cannot_change(demo) -> None:
    client = demo.client_for("governor.acorn@oak.test")
    assert client.get(reverse("reports:sen_information")).status_code == 200
    assert client.post(reverse("reports:sen_information"), {"staff_expertise": "x"}).status_code == 404
    with scope(trust=demo.oak.pk):
        assert not SenInformationReport.objects.exists()


def test_last_years_words_start_this_years_report(demo) -> None:
    from reports.sen_information import current_report

    with scope(trust=demo.oak.pk):
        year = current_report(demo.acorn).academic_year
        SenInformationReport.objects.create(
            trust=demo.oak, school=demo.acorn, academic_year=year - 1, complaints="Speak to the SENCO first."
        )
        assert current_report(demo.acorn).complaints == "Speak to the SENCO first."
