"""Trust board SEND report pages: request a period, watch progress, download when ready."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from trusts import audit
from trusts.dates import academic_year_start
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from ..board import request_board_report
from ..models import BoardReport


class BoardReportForm(forms.Form):
    period_start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the first day of the period.", "invalid": "Enter a real date."},
    )
    period_end = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the last day of the period.", "invalid": "Enter a real date."},
    )


def _require(request: AuthedRequest) -> None:
    if not can(request.user, "board.report"):
        raise Http404


@login_required
def board_reports(request: AuthedRequest) -> HttpResponse:
    _require(request)
    today = timezone.localdate()
    start = academic_year_start(today)
    form = BoardReportForm(request.POST or None, initial={"period_start": start, "period_end": today})
    if request.method == "POST" and form.is_valid():
        try:
            request_board_report(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The report is being prepared. It will be ready to download here shortly.")
            return redirect("reports:board_reports")
    reports = BoardReport.objects.select_related("requested_by")[:20]
    return render(request, "reports/board_reports.html", {"form": form, "reports": reports})


@login_required
def board_report_status(request: AuthedRequest, pk: int) -> HttpResponse:
    _require(request)
    report: BoardReport = get_object_or_404(BoardReport.objects.all(), pk=pk)
    return render(request, "reports/_board_report_row.html", {"r": report})


@login_required
def board_report_download(request: AuthedRequest, pk: int) -> FileResponse:
    _require(request)
    report: BoardReport = get_object_or_404(BoardReport.objects.filter(status=BoardReport.Status.DONE), pk=pk)
    audit.record(actor=request.user, action=audit.Action.DOWNLOAD, obj=report, request=request)
    filename = f"SEND board report {report.period_start:%Y-%m-%d} to {report.period_end:%Y-%m-%d}.pdf"
    return FileResponse(report.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
