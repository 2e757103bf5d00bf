"""The board report: requested, rendered by the task with visible progress, read back from the PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from register.services import change_status
from reports.models import BoardReport
from reports.tasks import render_board_report
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_board_report_pdf_renders_and_reads_back(demo, django_capture_on_commit_callbacks) -> None:
    pupils = [make_pupil(demo.acorn) for _ in range(12)]
    with scope(trust=demo.oak.pk):
        for p in pupils[:6]:
            change_status(
                pupil=p,
                to_status="K",
                actor=None,
                reason="x",
                primary_need="SEMH",
                parents_told_on=TODAY,
                check_permission=False,
            )
    client = demo.client_for("trustee@oak.test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("reports:board_reports"),
            {"period_start": (TODAY - dt.timedelta(days=60)).isoformat(), "period_end": TODAY.isoformat()},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is enqueued on commit, not run inline
    with scope(trust=demo.oak.pk):
        report = BoardReport.objects.get()
    status = client.get(reverse("reports:board_report_status", args=[report.pk])).content.decode()
    assert "Waiting to start" in status and "(0%)" in status and 'hx-trigger="every 2s"' in status

    assert render_board_report(report_id=report.pk) == "done"
    status = client.get(reverse("reports:board_report_status", args=[report.pk])).content.decode()
    assert "Download the PDF" in status and "hx-trigger" not in status

    pdf = client.get(reverse("reports:board_report_download", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "Oak Learning Trust" in text
    assert "Acorn Primary" in text and "Beech Academy" in text
    assert "50%" in text  # 6 of 12 Acorn pupils on SEN support
    assert "Social, emotional and mental health" in text
    assert "Provision and parents" in text and "Each school, in the period" in text
    assert "as on the day the report was prepared" in " ".join(text.split())  # PDF text wraps lines
    for p in pupils:
        assert p.legal_surname not in text and p.upn not in text


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (TODAY, TODAY - dt.timedelta(days=1), "must be after its start"),
        (TODAY, TODAY + dt.timedelta(days=3), "cannot end in the future"),
        (TODAY - dt.timedelta(days=900), TODAY, "two years or less"),
        ("31/02/2026", TODAY, "Enter a real date"),
    ],
)
def test_bad_periods_are_refused_with_a_reason(demo, start, end, message) -> None:
    client = demo.client_for("lead@oak.test")
    fmt = lambda d: d if isinstance(d, str) else d.isoformat()  # noqa: E731
    response = client.post(reverse("reports:board_reports"), {"period_start": fmt(start), "period_end": fmt(end)})
    assert response.status_code == 200
    assert message in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert not BoardReport.objects.exists()


def test_other_trusts_report_is_not_found(demo) -> None:
    with scope(trust=demo.oak.pk):
        report = BoardReport.objects.create(
            trust=demo.oak, requested_by=demo.user("trustee@oak.test"), period_start=TODAY, period_end=TODAY
        )
    client = demo.client_for("lead@river.test")
    assert client.get(reverse("reports:board_report_status", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:board_report_download", args=[report.pk])).status_code == 404
