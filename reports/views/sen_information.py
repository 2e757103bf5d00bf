"""The SEN information report pages for staff: the school writes its sections into the year's draft, sees what
is still to write, publishes, and reads every version kept. The figures come from the casework."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from trusts import audit
from trusts.http import AuthedRequest, school_from_request
from trusts.models import School
from trusts.pdf import render_pdf
from trusts.permissions import can
from trusts.replica import replica_view

from ..models import SenInformationReport
from ..sen_information import (
    NotComplete,
    current_report,
    publish_report,
    report_figures,
    save_report,
    versions_of,
)
from ..sen_sections import WRITTEN, filled, missing


def _help(section: Any) -> str:
    return f"{section.hint} The law: {section.source}."


class SenInformationForm(forms.ModelForm):
    """One field per written section of `reports.sen_sections`, labelled and hinted from it."""

    # A link typed without a scheme ("www.la.gov.uk/local-offer") is taken as https.
    local_offer = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = SenInformationReport
        fields = [s.key for s in WRITTEN]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section in WRITTEN:
            if section.kind == "text":
                self.fields[section.key].widget = forms.Textarea(attrs={"rows": 4})
            field = self.fields[section.key]
            field.label = section.title
            field.help_text = _help(section)
            field.required = False


def _school(request: AuthedRequest) -> School:
    return school_from_request(request, "school.aggregates")[0]


def _page(request: AuthedRequest, school: School, report: SenInformationReport, form: SenInformationForm) -> Any:
    return render(
        request,
        "reports/sen_information.html",
        {
            "school": school,
            "report": report,
            "form": form,
            "editable": can(request.user, "sen_report.change", school),
            "figures": report_figures(school),
            "missing": missing(report),
            "versions": versions_of(school),
        },
    )


@login_required
@replica_view
def sen_information(request: AuthedRequest) -> HttpResponse:
    school = _school(request)
    report = current_report(school)
    if request.method != "POST":
        return _page(request, school, report, SenInformationForm(instance=report))
    if not can(request.user, "sen_report.change", school):
        raise Http404
    form = SenInformationForm(request.POST, instance=report)
    if not form.is_valid():
        return _page(request, school, report, form)
    report = save_report(report=report, values=form.cleaned_data, actor=request.user)
    here = f"{request.path}?school={school.pk}"
    if "publish" not in request.POST:
        messages.success(request, "The draft is saved. It is not on the school's public page until you publish it.")
        return redirect(here)
    try:
        publish_report(report=report, actor=request.user)
    except NotComplete as refused:
        # The draft is kept; the error summary lists each empty section with a link to it.
        form.add_error(None, "The draft is saved, but it cannot be published until every required section is written.")
        for section in refused.missing:
            form.add_error(
                section.key, f"Write this section before you publish: the law asks for it ({section.source})."
            )
        return _page(request, school, report, form)
    messages.success(request, f"The SEN information report {report.year_label} is published.")
    return redirect(here)


@login_required
@replica_view
def sen_information_version(request: AuthedRequest, pk: int) -> HttpResponse:
    """One kept version, as it was written (and, once published, as families read it)."""
    report = SenInformationReport.objects.select_related("school", "published_by", "updated_by").filter(pk=pk).first()
    if report is None or not can(request.user, "school.aggregates", report.school):
        raise Http404
    return render(
        request,
        "reports/sen_information_version.html",
        {
            "school": report.school,
            "report": report,
            "sections": filled(report),
            "gaps": missing(report),
            "figures": report.figures,
            "back": f"{reverse('reports:sen_information')}?school={report.school_id}",
        },
    )


@login_required
@replica_view
def sen_information_pdf(request: AuthedRequest) -> HttpResponse:
    school = _school(request)
    report = current_report(school)
    pdf = render_pdf(
        template="reports/sen_information_pdf.html",
        context={"school": school, "report": report, "figures": report_figures(school), "sections": filled(report)},
        title=f"SEN information report – {school.name}",
    )
    audit.record(actor=request.user, action=audit.Action.EXPORT, obj=school, summary="SEN information report PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="SEN information report {school.name}.pdf"'
    return response
