"""The SEN file pack for a leaver's next school: one PDF, and a zip with it and the documents."""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope

from pupils.models import Document
from tests.register.test_ctf import on_sen_support


def _document(demo, pupil) -> Document:
    with scope(trust=demo.oak.pk):
        doc = Document(
            trust_id=pupil.trust_id,
            school=pupil.school,
            pupil=pupil,
            original_name="../EP report.pdf",
            content_type="application/pdf",
            size=9,
            category=Document.Category.EP_REPORT,
            title="Educational psychologist report",
            uploaded_by=demo.user("senco.acorn@oak.test"),
        )
        doc.file.save("x", ContentFile(b"%PDF-1.4 report"), save=False)
        doc.save()
    return doc


def test_the_zip_holds_the_pack_pdf_and_every_document(demo):
    pupil = on_sen_support(demo)
    _document(demo, pupil)
    response = demo.client_for("senco.acorn@oak.test").get(reverse("reports:sen_file_pack", args=[pupil.pk, "zip"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names == [f"SEN file pack {pupil.upn}.pdf", "documents/01 EP report.pdf"]
    assert archive.read(names[0]).startswith(b"%PDF") and archive.read(names[1]) == b"%PDF-1.4 report"


def test_the_pack_is_for_the_pupils_casework_roles_only(demo):
    pupil = on_sen_support(demo)
    url = reverse("reports:sen_file_pack", args=[pupil.pk, "pdf"])
    for email in ("teacher.acorn@oak.test", "senco.beech@oak.test", "senco.willow@river.test", "parent.acorn@oak.test"):
        assert demo.client_for(email).get(url).status_code == 404, email
    assert demo.client_for("lead@oak.test").get(url.replace("/pdf/", "/docx/")).status_code == 404
    response = demo.client_for("lead@oak.test").get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
