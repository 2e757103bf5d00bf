"""Exam access arrangements and reasonable adjustments: the school's list (and CSV), a pupil's arrangements,
and the form that records, grants, confirms after a review or ends one. Every read and write is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.replica import replica_view

from .. import queries, services
from ..arrangement_forms import ArrangementForm, ListFilterForm
from ..models import AccessArrangement
from ..queries.arrangements import CSV_HEADER, csv_rows
from ..services.arrangements import FORM_8_KINDS, needs_form_8

MANAGE = "arrangements.manage"


def _listing(request: AuthedRequest) -> tuple[queries.arrangements.SchoolArrangements, list, ListFilterForm]:
    school, schools = school_from_request(request, MANAGE)
    form = ListFilterForm(request.GET or None)
    show_all = form.is_valid() and form.cleaned_data.get("show") == "all"
    listing = queries.school_arrangements(school, today=timezone.localdate(), include_ended=show_all)
    return listing, schools, form


@login_required
def arrangements(request: AuthedRequest) -> HttpResponse:
    """The SENCO's and exams officer's list: what is due for review, then every arrangement by pupil."""
    listing, schools, form = _listing(request)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=listing.school,
        summary=f"Access arrangements list ({len(listing.rows)} arrangements)",
        request=request,
    )
    query = request.GET.urlencode()
    return render(
        request,
        "graduated/arrangements.html",
        {"listing": listing, "school": listing.school, "schools": schools, "form": form, "query": query},
    )


@login_required
@replica_view
def arrangements_csv(request: AuthedRequest) -> HttpResponse:
    listing, _, _ = _listing(request)
    rows = csv_rows(listing)
    response = csv_response(
        filename=f"access-arrangements-{listing.school.urn}-{timezone.localdate():%Y-%m-%d}.csv",
        header=CSV_HEADER,
        rows=rows,
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=listing.school,
        summary=f"Access arrangements export ({len(rows)} rows)",
        request=request,
    )
    return response


def _pupil(request: AuthedRequest, pupil_id: int, *, manage: bool) -> Pupil:
    pupil: Pupil = get_object_or_404(queries.arrangement_pupils(request.user).select_related("school"), pk=pupil_id)
    if manage and not queries.may_manage_arrangements(request.user, pupil):
        raise Http404
    return pupil


@login_required
def pupil_arrangements(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil(request, pupil_id, manage=False)
    found = queries.arrangements_of(pupil)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="Access arrangements",
        request=request,
    )
    return render(
        request,
        "graduated/pupil_arrangements.html",
        {
            "pupil": pupil,
            "arrangements": [a for a in found if a.status != AccessArrangement.Status.ENDED],
            "ended": [a for a in found if a.status == AccessArrangement.Status.ENDED],
            "manage": queries.may_manage_arrangements(request.user, pupil),
        },
    )


def _form_page(
    request: AuthedRequest, *, pupil: Pupil, form: ArrangementForm, arrangement: AccessArrangement | None
) -> HttpResponse:
    return render(
        request,
        "graduated/arrangement_form.html",
        {
            "pupil": pupil,
            "form": form,
            "arrangement": arrangement,
            "form8_needed": [AccessArrangement.Kind(k).label for k in sorted(FORM_8_KINDS) if needs_form_8(k, pupil)],
        },
    )


@login_required
def arrangement_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil(request, pupil_id, manage=True)
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Access arrangements: new")
    form = ArrangementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.record_arrangement(pupil=pupil, actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{arrangement.label} recorded ({arrangement.get_status_display().lower()}).")
            return redirect("graduated:pupil_arrangements", pupil_id=pupil.pk)
    return _form_page(request, pupil=pupil, form=form, arrangement=None)


@login_required
def arrangement_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    arrangement: AccessArrangement = get_object_or_404(
        AccessArrangement.objects.filter(pupil__in=queries.arrangement_pupils(request.user)).select_related(
            "pupil__school", "form8_document"
        ),
        pk=pk,
    )
    pupil = arrangement.pupil
    if not queries.may_manage_arrangements(request.user, pupil):
        raise Http404
    queries.arrangements.decorate(arrangement, pupil)
    audit.note_read(request, obj=arrangement, pupil_id=pupil.pk, summary="Access arrangement")
    form = ArrangementForm(request.POST or None, request.FILES or None, arrangement=arrangement)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.update_arrangement(arrangement=arrangement, actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{arrangement.label} saved ({arrangement.get_status_display().lower()}).")
            return redirect("graduated:pupil_arrangements", pupil_id=pupil.pk)
    return _form_page(request, pupil=pupil, form=form, arrangement=arrangement)
