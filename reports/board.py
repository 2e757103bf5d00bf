"""The trust board SEND report: requested by a person, rendered by a Celery task with progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from trusts import audit
from trusts.models import School, User
from trusts.permissions import can, schools_where

from .dashboards import compliance_figures, trust_dashboard
from .delivery import trust_delivery
from .models import BoardReport


@transaction.atomic
def request_board_report(*, actor: User, period_start: date, period_end: date) -> BoardReport:
    """Queue a board report for the actor's trust; the PDF is made by `reports.tasks.render_board_report`."""
    if not can(actor, "board.report"):
        raise ValidationError("You cannot produce the trust board report.")
    problems = []
    if period_end < period_start:
        problems.append("The end of the period must be after its start.")
    if period_end > timezone.localdate():
        problems.append("The period cannot end in the future.")
    if (period_end - period_start).days > 366 * 2:
        problems.append("Choose a period of two years or less.")
    if problems:
        raise ValidationError(problems)
    assert actor.trust_id is not None  # can() refuses people outside a trust
    report = BoardReport.objects.create(
        trust_id=actor.trust_id, requested_by=actor, period_start=period_start, period_end=period_end
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=report)
    from .tasks import render_board_report

    render_board_report.delay_on_commit(report_id=report.pk)
    return report


def board_context(schools: list[School], report: BoardReport, progress: Callable[[int, str], None]) -> dict[str, Any]:
    progress(10, "Counting the register")
    context = trust_dashboard(schools)
    progress(50, "Checking statutory deadlines")
    # The period's compliance, in total and for each school, protected together (reports.disclosure).
    context["compliance"], context["compliance_by_school"] = compliance_figures(
        schools, (report.period_start, report.period_end)
    )
    progress(60, "Setting plan provision against delivery")
    context["delivery"] = trust_delivery(schools, key="year")
    progress(70, "Laying out the report")
    context.update({"report": report, "trust": report.trust, "generated": timezone.now()})
    return context


def build_board_report(report: BoardReport) -> None:
    """Render the PDF, recording progress on the row as it goes. Idempotent: a finished report is left alone."""
    from trusts.pdf import render_pdf

    if report.status == BoardReport.Status.DONE:
        return

    def progress(percent: int, step: str) -> None:
        BoardReport.objects.filter(pk=report.pk).update(progress=percent, step=step, status=BoardReport.Status.RUNNING)

    progress(1, "Starting")
    schools = schools_where(report.requested_by, "board.report")
    pdf = render_pdf(
        template="reports/board_report.html",
        context=board_context(schools, report, progress),
        title=f"SEND report to the board – {report.trust.name}",
    )
    progress(95, "Saving")
    report.pdf.save(f"board-report-{report.trust_id}-{report.pk}.pdf", ContentFile(pdf), save=False)
    report.status, report.progress, report.step = BoardReport.Status.DONE, 100, "Ready"
    report.save(update_fields=["pdf", "status", "progress", "step", "updated_at"])
