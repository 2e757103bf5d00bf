"""Thin views of the trusts app: authorise, call a query or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import queries, services
from .calendar_defaults import academic_year_of
from .email import undelivered_for
from .forms import CalendarForm, add_service_errors
from .http import AuthedRequest
from .models import School
from .permissions import can


def require(request: HttpRequest, action: str, target: object = None) -> None:
    """Refuse with 404 (not 403) so a denied page says nothing about what exists."""
    if not can(request.user, action, target):
        raise Http404("Page not found")


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.user.trust_id is None:
        raise Http404
    page = Paginator(queries.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    undelivered = list(undelivered_for(request.user)[:20]) if can(request.user, "casework.view") else []
    return render(request, "trusts/notifications.html", {"page": page, "undelivered": undelivered})


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(queries.notifications_for(request.user), pk=pk)
    services.mark_read(notification=note)
    return redirect(note.link or "trusts:notifications")


@login_required
@require_POST
def notifications_read_all(request: AuthedRequest) -> HttpResponse:
    if request.user.trust_id is None:
        raise Http404
    count = services.mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("trusts:notifications")


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    require(request, "audit.view")
    entries = queries.audit_visible_to(request.user)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "trusts/audit.html", {"page": page})


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


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "trusts/privacy.html")
