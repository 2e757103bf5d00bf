"""The SEN information report page: the school writes its sections; the figures come from the casework."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from trusts import audit
from trusts.http import AuthedRequest, school_from_request
from trusts.models import School
from trusts.pdf import render_pdf
from trusts.permissions import can

from ..models import SenInformationReport
from ..sen_information import current_report, report_figures, save_report


class SenInformationForm(forms.ModelForm):
    # Declared so that a link typed without a scheme ("www.la.gov.uk/local-offer") is taken as https.
    local_offer = forms.URLField(
        label=SenInformationReport._meta.get_field("local_offer").verbose_name.capitalize(),
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = SenInformationReport
        fields = list(SenInformationReport.TEXT_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in SenInformationReport.TEXT_FIELDS
            if name not in {"senco_contact", "local_offer"}
        }


def _school(request: AuthedRequest) -> School:
    return school_from_request(request, "school.aggregates")[0]


@login_required
def sen_information(request: AuthedRequest) -> HttpResponse:
    school = _school(request)
    report = current_report(school)
    editable = can(request.user, "sen_report.change", school)
    form = SenInformationForm(request.POST if request.method == "POST" else None, instance=report)
    if request.method == "POST":
        if not editable:
            raise Http404
        if form.is_valid():
            save_report(report=report, values=form.cleaned_data, actor=request.user)
            messages.success(request, "The SEN information report is saved.")
            return redirect(f"{request.path}?school={school.pk}")
    return render(
        request,
        "reports/sen_information.html",
        {"school": school, "report": report, "form": form, "editable": editable, "figures": report_figures(school)},
    )


@login_required
def sen_information_pdf(request: AuthedRequest) -> HttpResponse:
    school = _school(request)
    report = current_report(school)
    pdf = render_pdf(
        template="reports/sen_information_pdf.html",
        context={
            "school": school,
            "report": report,
            "figures": report_figures(school),
            "form": SenInformationForm(instance=report),
        },
        title=f"SEN information report – {school.name}",
    )
    audit.record(actor=request.user, action=audit.Action.EXPORT, obj=school, summary="SEN information report PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="SEN information report {school.name}.pdf"'
    return response
