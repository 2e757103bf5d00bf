"""Request limits for uploads, at the values proposed for config/settings.py (set here with the `settings`
fixture, so these tests do not depend on what settings.py says today).

Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts a multipart request's fields, not its files, so a file over the
document limit still reaches the form and is explained there; only a request that no page of ours sends
(fields over 1 MB, more than 20 files, more than 500 fields) is answered 400 before any view runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from pupils.models import Document
from tests.factories import pupil_at
from tests.permission_cases.documents import PDF_BYTES

pytestmark = pytest.mark.django_db

SENCO = "senco.acorn@oak.test"
MB = 1024 * 1024
PROPOSED = {
    "DATA_UPLOAD_MAX_MEMORY_SIZE": 1 * MB,
    "FILE_UPLOAD_MAX_MEMORY_SIZE": 2_621_440,
    "DATA_UPLOAD_MAX_NUMBER_FIELDS": 500,
    "DATA_UPLOAD_MAX_NUMBER_FILES": 20,
}


@pytest.fixture(autouse=True)
def proposed_limits(settings: Any) -> None:
    for name, value in PROPOSED.items():
        setattr(settings, name, value)


def pdf_of(size: int, name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES + b"\x00" * (size - len(PDF_BYTES)), content_type="application/pdf")


def post(demo: Any, pupil: Any, data: dict[str, Any]) -> Any:
    fields = {"title": "", "category": "other", "visibility": "staff"} | data
    return demo.client_for(SENCO).post(reverse("pupils:document_upload", args=[pupil.pk]), fields)


def assert_nothing_stored(demo: Any, settings: Any) -> None:
    with scope(trust=demo.oak.pk):
        assert not Document.objects.exists()
    root = Path(settings.MEDIA_ROOT)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_the_largest_document_fits_the_limits(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = post(demo, pupil, {"file": pdf_of(10 * MB)})
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        assert Document.objects.get().size == 10 * MB


@pytest.mark.parametrize(("size", "shown"), [(10 * MB + 1, "10.1 MB"), (12 * MB, "12 MB")])
def test_a_file_over_the_document_limit_is_explained_on_the_form_not_answered_400(demo, settings, size, shown) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = post(demo, pupil, {"file": pdf_of(size)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"The file is {shown}. A document can be at most 10 MB" in page
    assert_nothing_stored(demo, settings)


def test_form_fields_over_1_mb_are_answered_400_and_nothing_is_stored(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = post(demo, pupil, {"file": pdf_of(1024), "title": "x" * (1 * MB + 1)})
    assert response.status_code == 400
    assert_nothing_stored(demo, settings)


def test_more_than_20_files_in_one_request_are_answered_400(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = post(demo, pupil, {"file": [pdf_of(1024, f"{i}.pdf") for i in range(21)]})
    assert response.status_code == 400
    assert "more than 20 files at once" in response.content.decode()  # templates/400.html, not a bare page
    assert_nothing_stored(demo, settings)


def test_more_than_500_fields_are_answered_400(demo, settings) -> None:
    pupil = pupil_at(demo, demo.acorn)
    response = post(demo, pupil, {"file": pdf_of(1024)} | {f"extra{i}": "x" for i in range(600)})
    assert response.status_code == 400
    assert_nothing_stored(demo, settings)


def test_the_busiest_form_fits_500_fields(demo) -> None:
    """The review meeting record is the largest form: at most 30 actions of 2 fields, under 100 in all."""
    pupil = pupil_at(demo, demo.acorn)
    response = post(demo, pupil, {"file": pdf_of(1024)} | {f"extra{i}": "x" for i in range(400)})
    assert response.status_code == 302
