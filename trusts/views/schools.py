"""The trust's schools: each one's phase and year range, which decide its pupils' phase transfers (R9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..forms import add_service_errors
from ..http import AuthedRequest, require
from ..models import School
from ..permissions import schools_where
from ..schools import PHASE_CHANGE, SchoolPhaseForm, set_school_phase


@login_required
def school_list(request: AuthedRequest) -> HttpResponse:
    schools = schools_where(request.user, PHASE_CHANGE)
    if not schools:
        raise Http404
    return render(request, "trusts/school_list.html", {"schools": schools})


@login_required
def school_phase(request: AuthedRequest, pk: int) -> HttpResponse:
    school: School = get_object_or_404(School.objects.all(), pk=pk)
    require(request, PHASE_CHANGE, school)
    initial = {
        "phase": school.phase,
        "first_year_group": school.first_year_group,
        "last_year_group": school.last_year_group,
    }
    form = SchoolPhaseForm(request.POST or None, initial=initial, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            set_school_phase(school=school, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The phase of {school.name} is saved.")
            return redirect("trusts:schools")
    return render(request, "trusts/school_phase.html", {"school": school, "form": form})
