"""Term dates: each school's half-terms by academic year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import queries, services
from ..calendar_defaults import academic_year_of
from ..forms import CalendarForm, add_service_errors
from ..http import AuthedRequest, require
from ..models import School


@login_required
def calendar(request: AuthedRequest) -> HttpResponse:
    schools = queries.calendar_schools(request.user)
    if not schools:
        raise Http404
    return render(request, "trusts/calendar_list.html", {"schools": schools})


@login_required
def calendar_edit(request: AuthedRequest, school_id: int, year: int | None = None) -> HttpResponse:
    school: School = get_object_or_404(School.objects.all(), pk=school_id)
    require(request, "calendar.change", school)
    from datetime import date

    current = academic_year_of(date.today())
    year = year or current
    if not current - 1 <= year <= current + 2:
        raise Http404
    cal = services.ensure_calendar(school=school, academic_year=year)
    terms = queries.half_terms(cal)
    form = CalendarForm(request.POST or None, terms=terms)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_calendar(calendar=cal, terms=form.half_term_dates(), actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Term dates for {school.name} {year}/{(year + 1) % 100:02d} saved.")
            return redirect("trusts:calendar_year", school_id=school.pk, year=year)
    return render(
        request,
        "trusts/calendar_edit.html",
        {
            "school": school,
            "year": year,
            "form": form,
            "years": [current - 1, current, current + 1, current + 2],
        },
    )
