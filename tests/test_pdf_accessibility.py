"""Every PDF the product makes is tagged and accessible (PDF/UA-1), through the one renderer in trusts.pdf.

Each document is rendered as a user would get it and opened with pypdf: the catalog has /Lang, /MarkInfo
/Marked true and DisplayDocTitle; the document has a /Title; the structure tree has headings that start at H1
and never skip a level, tables with header cells (TH), figures with alternative text that states figures, and
every font is embedded. A new PDF template (a name ending in pdf.html, or any template a module passes to
render_pdf) that this module does not render fails `test_every_pdf_template_is_checked`.

No PDF/UA validator runs here: veraPDF is Java and not on PyPI, and Debian has no package of it.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from trusts.pdf import InaccessiblePdf, render_pdf

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def rendered() -> Iterator[set[str]]:
    """The names of the templates rendered during the test."""
    names: set[str] = set()

    def seen(sender: Any, template: Any, **kwargs: Any) -> None:
        if template.name:
            names.add(template.name)

    template_rendered.connect(seen)
    yield names
    template_rendered.disconnect(seen)


# Reading the structure tree ---------------------------------------------------------------------------------


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _elements(node: Any) -> Iterator[DictionaryObject]:
    """Structure elements in reading order (depth first)."""
    node = _resolve(node)
    if isinstance(node, ArrayObject):
        for child in node:
            yield from _elements(child)
    elif isinstance(node, DictionaryObject) and "/S" in node:
        yield node
        if "/K" in node:
            yield from _elements(node["/K"])


def _children(element: DictionaryObject) -> list[DictionaryObject]:
    kids = _resolve(element.get("/K", ArrayObject()))
    kids = kids if isinstance(kids, ArrayObject) else ArrayObject([kids])
    return [k for k in (_resolve(k) for k in kids) if isinstance(k, DictionaryObject) and "/S" in k]


def structure(pdf: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    root = _resolve(catalog["/StructTreeRoot"])
    elements = list(_elements(root["/K"]))
    fonts = []
    for page in reader.pages:
        for font in _resolve(page["/Resources"]).get("/Font", {}).values():
            fonts.append(_resolve(font))
    return {
        "reader": reader,
        "catalog": catalog,
        "elements": elements,
        "tags": [str(e["/S"]) for e in elements],
        "fonts": fonts,
        "text": " ".join(" ".join(p.extract_text().split()) for p in reader.pages),
    }


def _embedded(font: DictionaryObject) -> bool:
    if "/DescendantFonts" in font:
        font = _resolve(_resolve(font["/DescendantFonts"])[0])
    descriptor = _resolve(font.get("/FontDescriptor", DictionaryObject()))
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def assert_accessible(pdf: bytes, *, title: str, figures: int = 0) -> dict[str, Any]:
    s = structure(pdf)
    catalog = s["catalog"]
    assert str(catalog["/Lang"]) == "en-GB"
    assert catalog["/MarkInfo"]["/Marked"] in (True, "true") or str(catalog["/MarkInfo"]["/Marked"]) == "true"
    assert str(catalog["/ViewerPreferences"]["/DisplayDocTitle"]) in ("true", "True")
    assert s["reader"].metadata.title == title
    assert "pdfuaid:part" in _resolve(catalog["/Metadata"]).get_data().decode()  # claims PDF/UA-1 in XMP
    headings = [int(t[2]) for t in s["tags"] if re.fullmatch(r"/H[1-6]", t)]
    assert headings and headings[0] == 1 and headings.count(1) == 1, headings
    assert all(b <= a + 1 for a, b in zip(headings, headings[1:], strict=False)), f"a heading skips a level: {headings}"
    tables = [e for e in s["elements"] if str(e["/S"]) == "/Table"]
    for table in tables:
        assert "/TH" in [str(e["/S"]) for e in _elements(table["/K"])], "a table without header cells"
    found = [e for e in s["elements"] if str(e["/S"]) == "/Figure"]
    assert len(found) >= figures
    for figure in found:
        alt = str(figure.get("/Alt", ""))
        assert alt and re.search(r"\d", alt), f"a figure without alternative text stating its figures: {alt!r}"
    for link in (e for e in s["elements"] if str(e["/S"]) == "/Link"):
        assert _children(link) or "/K" in link
    assert s["fonts"] and all(_embedded(f) for f in s["fonts"]), "a font is not embedded"
    return s


# Every PDF, as users get it ---------------------------------------------------------------------------------


def test_support_plan_pdf(demo, rendered) -> None:
    from graduated.pdf import render_support_plan_pdf
    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        pdf = render_support_plan_pdf(cycle.pupil)
        name = cycle.pupil.display_name
    s = assert_accessible(pdf, title=f"SEN support plan – {name}")
    assert "graduated/plan_pdf.html" in rendered
    assert s["tags"].count("/Table") >= 1 and "/L" in s["tags"] and "/LI" in s["tags"]


def test_annual_review_report_pdf(demo, rendered) -> None:
    from reviews.pdf import render_review_pdf
    from tests.reviews.test_review_pdf import held_review

    review = held_review(demo)
    with scope(trust=demo.oak.pk):
        pdf = render_review_pdf(review)
        name = review.pupil.display_name
    s = assert_accessible(pdf, title=f"Annual review report – {name}")
    assert "reviews/report_pdf.html" in rendered
    assert s["tags"].count("/Table") >= 3


def test_evidence_pack_pdf(demo, rendered) -> None:
    from tests.test_no_server_errors import _evidence_pupil

    pupil_id = _evidence_pupil(demo, "senco.acorn@oak.test")["pupil_id"]
    response = demo.client_for("senco.acorn@oak.test").get(reverse("reports:evidence_pack", args=[pupil_id]))
    with scope(trust=demo.oak.pk):
        name = demo.acorn.pupils.get(pk=pupil_id).display_name
    assert_accessible(response.content, title=f"Evidence for an EHC needs assessment – {name}")
    assert "reports/evidence_pack.html" in rendered


def test_sen_information_report_pdf(demo, rendered) -> None:
    response = demo.client_for("senco.acorn@oak.test").get(reverse("reports:sen_information_pdf"))
    assert_accessible(response.content, title=f"SEN information report – {demo.acorn.name}")
    assert "reports/sen_information_pdf.html" in rendered


def test_board_report_pdf_and_its_chart_alternative_states_the_figures(demo, rendered) -> None:
    from reports.board import build_board_report
    from reports.models import BoardReport

    today = timezone.localdate()
    with scope(trust=demo.oak.pk):
        report = BoardReport.objects.create(
            trust=demo.oak,
            requested_by=demo.users["trustee@oak.test"],
            period_start=today - timedelta(days=30),
            period_end=today,
        )
        build_board_report(report)
        report.refresh_from_db()
        pdf = report.pdf.read()
    s = assert_accessible(pdf, title=f"SEND report to the board – {demo.oak.name}", figures=1)
    alt = str(next(e for e in s["elements"] if str(e["/S"]) == "/Figure")["/Alt"])
    assert demo.acorn.name in alt and "National: SEN support %" in alt
    assert "reports/board_report.html" in rendered


def test_sen_file_pack_pdf(demo, rendered) -> None:
    from reports.sen_file_pack import file_pack_pdf
    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        pdf = file_pack_pdf(pupil=cycle.pupil, prepared_by=demo.users["senco.acorn@oak.test"])
        name = cycle.pupil.display_name
    assert_accessible(pdf, title=f"SEN file pack – {name}")
    assert "reports/sen_file_pack.html" in rendered


def test_subject_access_record_pdf(demo, rendered) -> None:
    import zipfile

    from reports import subject_access
    from tests.factories import pupil_at

    pupil = pupil_at(demo, demo.acorn)
    senco = demo.users["senco.acorn@oak.test"]
    with scope(trust=demo.oak.pk):
        request = subject_access.record_request(
            pupil=pupil,
            requester_kind="parent",
            requester_name="Sam Parent",
            received_on=timezone.localdate(),
            actor=senco,
        )
        archive = zipfile.ZipFile(io.BytesIO(subject_access.build_export(request=request, actor=senco)))
        name = pupil.display_name
    assert_accessible(archive.read("record.pdf"), title=f"Subject access: the record held about {name}")
    assert "reports/subject_access_pdf.html" in rendered


def test_la_escalation_letter_pdf(demo, rendered) -> None:
    from datetime import date

    import time_machine

    from tests.reports.test_la_record import _letter_form, _request

    with time_machine.travel(date(2026, 12, 7), tick=False):
        _request(demo, demo.acorn, date(2026, 9, 14), surname="Carter")
        response = demo.client_for("lead@oak.test").post(reverse("reports:la_letter"), _letter_form())
    s = assert_accessible(response.content, title="Statutory time limits missed – Shropshire")
    assert "reports/la_letter_pdf.html" in rendered
    assert s["tags"].count("/Table") == 2 and "A.C." in s["text"]


def test_an_image_without_alt_text_is_refused(tmp_path, settings) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    (tmp_path / "noalt_pdf.html").write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head>'
        '<body><h1>x</h1><img src="/static/images/favicon.svg"></body></html>'
    )
    with pytest.raises(InaccessiblePdf, match="alt"):
        render_pdf(template="noalt_pdf.html", context={}, title="x")


# Nothing escapes the check ----------------------------------------------------------------------------------


def _templates_passed_to_render_pdf() -> set[str]:
    """The `template=` of every render_pdf call in the product (a string, or a module constant naming one)."""
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or path.parts[len(ROOT.parts)] in {"tests", "bench"}:
            continue
        source = path.read_text()
        if "render_pdf(" not in source:
            continue
        tree = ast.parse(source)
        constants = {
            t.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            if not isinstance(node, ast.Call) or getattr(func, "id", getattr(func, "attr", None)) != "render_pdf":
                continue
            for keyword in node.keywords:
                if keyword.arg != "template":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant):
                    names.add(value.value)
                elif isinstance(value, ast.Name):
                    names.add(constants.get(value.id, f"<unresolved {value.id} in {path.name}>"))
                else:
                    names.add(f"<unresolved template in {path.name}>")
    return names


# Each test above asserts it rendered its template; a new PDF template must be added here with its test.
CHECKED = {
    "graduated/plan_pdf.html": test_support_plan_pdf,
    "reviews/report_pdf.html": test_annual_review_report_pdf,
    "reports/evidence_pack.html": test_evidence_pack_pdf,
    "reports/sen_information_pdf.html": test_sen_information_report_pdf,
    "reports/board_report.html": test_board_report_pdf_and_its_chart_alternative_states_the_figures,
    "reports/sen_file_pack.html": test_sen_file_pack_pdf,
    "reports/subject_access_pdf.html": test_subject_access_record_pdf,
    "reports/la_letter_pdf.html": test_la_escalation_letter_pdf,
}


def test_every_pdf_template_is_checked() -> None:
    by_name = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*pdf.html")}
    passed = _templates_passed_to_render_pdf()
    assert {"graduated/plan_pdf.html", "reviews/report_pdf.html", "reports/board_report.html"} <= passed
    missing = (by_name | passed) - set(CHECKED)
    assert not missing, f"PDF templates tests/test_pdf_accessibility.py does not check: {sorted(missing)}"
