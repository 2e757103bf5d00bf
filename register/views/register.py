"""The register page, census export, status changes, the pupil record and a teacher's own pupils."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pupils.models import Pupil
from pupils.queries import own_pupils
from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.permissions import can
from trusts.replica import replica_view

from .. import queries, services
from ..forms import ChangeStatusForm, RegisterFilterForm
from ..models import SenStatus


@login_required
def register_list(request: AuthedRequest) -> HttpResponse:
    school, schools = school_from_request(request, "casework.view")
    groups = list(queries.groups_for_filter(school))
    form = RegisterFilterForm(request.GET or None, groups=groups)
    filters = form.filters()
    page = Paginator(queries.register_page(school, filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    for key in ("sort", "desc"):
        sort_query.pop(key, None)
    return render(
        request,
        "register/list.html",
        {
            "school": school,
            "schools": schools,
            "form": form,
            "filters": filters,
            "page": page,
            "counts": queries.status_counts(school),
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "columns": [
                ("name", "Name"),
                ("year", "Year"),
                ("status", "Status"),
                ("need", "Primary need"),
                ("since", "Since"),
            ],
        },
    )


@login_required
@replica_view
def census_export(request: AuthedRequest) -> HttpResponse:
    school, _ = school_from_request(request, "casework.view")
    rows = queries.census_rows(school)
    response = csv_response(
        filename=f"sen-register-{school.urn}-{timezone.localdate():%Y-%m-%d}.csv",
        header=["UPN", "SEN provision", "SEN type rank 1", "SEN type rank 2"],
        rows=rows,
        bom=False,  # plain UTF-8 as it always was: UPNs and census codes, no accents for Excel to misread
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=school,
        summary=f"Census register export ({len(rows)} pupils)",
        request=request,
    )
    return response


def _pupil_or_404(request: AuthedRequest, pk: int) -> Pupil:
    pupil: Pupil = get_object_or_404(queries.visible_pupil(request.user, pk))
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk)
    return pupil


@login_required
def change_status(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pk)
    if not can(request.user, "register.change", pupil):
        raise Http404
    entry = services.current_entry(pupil)
    form = ChangeStatusForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"The register now shows {pupil} as {SenStatus(form.cleaned_data['to_status']).label}.",
            )
            return redirect("pupils:record", pk=pupil.pk)
    return render(request, "register/change_status.html", {"pupil": pupil, "entry": entry, "form": form})


@login_required
def my_pupils(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "pupils.view_own"):
        raise Http404
    pupils = own_pupils(request.user).select_related("register_entry").order_by("legal_surname", "legal_forename")
    page = Paginator(pupils, 50).get_page(request.GET.get("page"))
    return render(request, "register/my_pupils.html", {"page": page})
