"""Every PDF the product makes is tagged and accessible (PDF/UA-1), through the one renderer in trusts.pdf.

Each document is rendered as a user would get it and opened with pypdf: the catalog has /Lang, /MarkInfo
/Marked true and DisplayDocTitle; the document has a /Title; the structure tree has headings that start at H1
and never skip a level, tables with header cells (TH), figures with alternative text that states figures, and
every font is embedded. A new PDF template (a name ending in pdf.html, or any template a module passes to
render_pdf) that this module does not render fails `test_every_pdf_template_is_checked`, and a new call of
render_pdf (a function that makes a PDF) without a test here fails `test_every_render_pdf_call_is_checked`.

Each PDF also passes the `pdfua` validator (PyPI, pikepdf-based: the machine-checkable part of PDF/UA-1),
with two of its checks left out, each for a reason stated in `tests.pdf_checks.PDFUA_SKIPPED` and each
replaced by a check of our own. veraPDF, the reference validator, is Java and in no package registry here.
"""

from __future__ import annotations

import ast
import io
import tempfile
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

from tests.pdf_checks import (
    assert_accessible,
    check_links_have_text,
    check_table_cells_name_their_headers,
    check_with_pdfua,
    structure,
)
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
    assert_accessible(archive.read("evidence-pack.pdf"), title=f"SEN support and evidence – {name}")
    assert {"reports/subject_access_pdf.html", "reports/evidence_pack.html"} <= rendered


def test_public_sen_information_report_pdf(demo, rendered) -> None:
    """The school's published report, as anyone downloads it from the public page (no sign-in)."""
    from django.test import Client

    from tests.permission_cases.sen_information_report import _published_at_acorn_only

    response = Client().get(
        reverse("reports:public_sen_information_pdf", kwargs=_published_at_acorn_only(demo, demo.acorn))
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_accessible(response.content, title=f"SEN information report – {demo.acorn.name}")
    assert "reports/sen_information_pdf.html" in rendered


def test_sen_file_pack_zip_pdf(demo, rendered) -> None:
    """The PDF inside the zip that goes to the next school, through the download the SENCO uses."""
    import zipfile

    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, demo.acorn)
    url = reverse("reports:sen_file_pack", kwargs={"pupil_id": cycle.pupil_id, "kind": "zip"})
    response = demo.client_for("senco.acorn@oak.test").get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    with scope(trust=demo.oak.pk):
        pupil = demo.acorn.pupils.get(pk=cycle.pupil_id)
    assert_accessible(archive.read(f"SEN file pack {pupil.upn}.pdf"), title=f"SEN file pack – {pupil.display_name}")
    assert "reports/sen_file_pack.html" in rendered


def test_large_print_support_plan_pdfs(demo, rendered) -> None:
    """Large print from the pupil's record (?print=large) and from the portal (the parent's choice)."""
    from pupils.models import Contact
    from tests.permission_cases.graduated import active_cycle
    from tests.pupils.test_large_print import body_size

    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        name = cycle.pupil.display_name
        Contact.objects.filter(pupil=cycle.pupil).update(large_print=True)
    staff = demo.client_for("senco.acorn@oak.test").get(
        reverse("graduated:plan_pdf", args=[cycle.pupil_id]) + "?print=large"
    )
    portal = demo.client_for("parent.acorn@oak.test").get(reverse("reports:portal_plan_pdf", args=[cycle.pupil_id]))
    for response in (staff, portal):
        assert response.status_code == 200 and body_size(response.content) >= 16
        assert_accessible(response.content, title=f"SEN support plan – {name}")
    assert "graduated/plan_pdf.html" in rendered


def test_large_print_annual_review_report_pdfs(demo, rendered) -> None:
    """Large print from the review's page (?print=large) and from the portal (the parent's choice)."""
    from pupils.models import Contact
    from tests.pupils.test_large_print import PARENT, body_size, completed_review

    review = completed_review(demo)
    with scope(trust=demo.oak.pk):
        name = review.pupil.display_name
        Contact.objects.filter(pupil=review.pupil, user=demo.user(PARENT)).update(large_print=True)
    staff = demo.client_for("senco.acorn@oak.test").get(reverse("reviews:pdf", args=[review.pk]) + "?print=large")
    portal = demo.client_for(PARENT).get(reverse("reports:portal_review_pdf", args=[review.pupil_id, review.pk]))
    for response in (staff, portal):
        assert response.status_code == 200 and body_size(response.content) >= 16
        assert_accessible(response.content, title=f"Annual review report – {name}")
    assert "reviews/report_pdf.html" in rendered


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


def _modules_calling_render_pdf() -> Iterator[tuple[Path, ast.Module]]:
    """Each product module (not tests or bench) that calls render_pdf, parsed."""
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or path.parts[len(ROOT.parts)] in {"tests", "bench"}:
            continue
        source = path.read_text()
        if "render_pdf(" in source:
            yield path, ast.parse(source)


def _templates_passed_to_render_pdf() -> set[str]:
    """The `template=` of every render_pdf call in the product (a string, or a module constant naming one)."""
    names = set()
    for path, tree in _modules_calling_render_pdf():
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


# Every function that calls render_pdf (path, function), and the tests that check the PDFs it makes: a new
# call of render_pdf must be added here with its test.
CALL_SITES = {
    ("graduated/pdf.py", "render_support_plan_pdf"): [test_support_plan_pdf, test_large_print_support_plan_pdfs],
    ("reviews/pdf.py", "render_review_pdf"): [
        test_annual_review_report_pdf,
        test_large_print_annual_review_report_pdfs,
    ],
    ("reports/views/evidence.py", "evidence_pack"): [test_evidence_pack_pdf],
    ("reports/views/sen_information.py", "sen_information_pdf"): [test_sen_information_report_pdf],
    ("reports/views/public_sen_information.py", "public_sen_information_pdf"): [test_public_sen_information_report_pdf],
    ("reports/board.py", "build_board_report"): [test_board_report_pdf_and_its_chart_alternative_states_the_figures],
    ("reports/subject_access.py", "build_export"): [test_subject_access_record_pdf],
    ("reports/sen_file_pack.py", "file_pack_pdf"): [test_sen_file_pack_pdf],
    ("reports/sen_file_pack.py", "file_pack_zip"): [test_sen_file_pack_zip_pdf],
    ("reports/views/la_record.py", "_letter_pdf"): [test_la_escalation_letter_pdf],
}


def _render_pdf_callers() -> set[tuple[str, str]]:
    callers = set()
    for path, tree in _modules_calling_render_pdf():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "render_pdf":
                continue
            for node in ast.walk(function):
                func = getattr(node, "func", None)
                if isinstance(node, ast.Call) and getattr(func, "id", getattr(func, "attr", None)) == "render_pdf":
                    callers.add((path.relative_to(ROOT).as_posix(), function.name))
    return callers


def test_every_render_pdf_call_is_checked() -> None:
    callers = _render_pdf_callers()
    assert ("reports/subject_access.py", "build_export") in callers
    assert callers == set(CALL_SITES), f"render_pdf calls without a test here: {sorted(callers - set(CALL_SITES))}"


def test_every_pdf_template_is_checked() -> None:
    by_name = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*pdf.html")}
    passed = _templates_passed_to_render_pdf()
    assert {"graduated/plan_pdf.html", "reviews/report_pdf.html", "reports/board_report.html"} <= passed
    missing = (by_name | passed) - set(CHECKED)
    assert not missing, f"PDF templates tests/test_pdf_accessibility.py does not check: {sorted(missing)}"


# The checks themselves can fail ------------------------------------------------------------------------------


def _one_off_pdf(tmp_path: Path, settings: Any, body: str) -> bytes:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    (tmp_path / "one_off_pdf.html").write_text(
        f'<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body><h1>A heading</h1>{body}</body></html>'
    )
    return render_pdf(template="one_off_pdf.html", context={}, title="x")


def test_a_link_without_text_fails_the_link_check(tmp_path, settings) -> None:
    with_text = _one_off_pdf(tmp_path, settings, '<p><a href="https://example.org/">Read the guide</a></p>')
    check_links_have_text(structure(with_text))
    empty = _one_off_pdf(
        tmp_path,
        settings,
        '<p><a href="https://example.org/" style="display: inline-block; width: 2cm; height: 1cm"></a></p>',
    )
    s = structure(empty)
    assert "/Link" in s["tags"]  # the link is there, tagged, with its annotation and nothing to read out
    with pytest.raises(AssertionError, match="a link without text"):
        check_links_have_text(s)


def test_pdfua_finds_what_an_untagged_pdf_lacks() -> None:
    from weasyprint import HTML

    untagged = HTML(string="<html><body><h1>A heading</h1><p>Some text.</p></body></html>").write_pdf()
    with pytest.raises(AssertionError) as failed:
        check_with_pdfua(untagged)
    # No structure tree (UA-01-002), no /MarkInfo (UA-01-005), no language (UA-06-001), among others.
    assert all(rule in str(failed.value) for rule in ("UA-01-002", "UA-01-005", "UA-06-001"))


def test_the_two_pdfua_checks_left_out_still_misbehave(demo) -> None:
    """If a later pdfua fixes them, this fails: then drop them from PDFUA_SKIPPED."""
    from pdfua import validate

    from graduated.pdf import render_support_plan_pdf
    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        pdf = render_support_plan_pdf(cycle.pupil)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        report = validate(f.name)
    assert [o.rule_id for o in report.skipped] == ["UA-14-001"]
    assert "is_integer" in str(report.skipped[0].skipped_reason)
    assert report.findings and {x.rule_id for x in report.findings} == {"UA-15-003"}
    # ...while every data cell does name its header cells.
    check_table_cells_name_their_headers(structure(pdf))
