"""Promised versus delivered (reports.delivery): a pupil's plan line by line, with the mapping of each line to
the school provision that delivers it; a school's pupils with plans; the trust's schools, with small numbers
suppressed; and the trust's threshold."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from pupils.queries import pupils_visible_to
from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.models import School
from trusts.permissions import can, schools_where

from .. import delivery


def _period(request: AuthedRequest) -> str:
    wanted = request.GET.get("period", "term")
    return wanted if wanted in delivery.PERIODS else "term"


class MapForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    provisions = forms.MultipleChoiceField(
        label="Which of the school's provisions deliver this?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def pupil_page(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    if not can(request.user, "casework.view", pupil):
        raise Http404
    may_map = can(request.user, "ehcp.change", pupil)
    provisions = delivery.provisions_to_map(pupil)
    choices = [(str(p.pk), p.name) for p in provisions]
    errors: dict[int, MapForm] = {}
    if request.method == "POST":
        if not may_map:
            raise Http404
        form = MapForm(request.POST, auto_id=f"id_line{request.POST.get('line', '')}_%s")
        form.fields["provisions"].choices = choices  # type: ignore[attr-defined]
        if form.is_valid():
            line = delivery.current_line(pupil, form.cleaned_data["line"])
            if line is None:
                raise Http404
            try:
                delivery.map_line(
                    line=line,
                    provision_ids=[int(p) for p in form.cleaned_data["provisions"]],
                    actor=request.user,
                    pupil=pupil,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                errors[line.pk] = form
            else:
                messages.success(request, f"Saved what delivers “{line.description}”.")
                return redirect(f"{request.path}?period={_period(request)}")
        elif form.cleaned_data.get("line"):
            errors[form.cleaned_data["line"]] = form
    key = _period(request)
    figures = delivery.pupil_delivery(pupil, key=key)
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk)
    forms_by_line = {}
    if figures is not None and may_map:
        for f in figures.lines:
            form = errors.get(f.line.pk) or MapForm(
                initial={"line": f.line.pk, "provisions": sorted({str(d.provision_id) for d in f.deliveries})},
                auto_id=f"id_line{f.line.pk}_%s",
            )
            form.fields["provisions"].choices = choices  # type: ignore[attr-defined]
            forms_by_line[f.line.pk] = form
    lines = [(f, forms_by_line.get(f.line.pk)) for f in figures.lines] if figures else []
    return render(
        request,
        "reports/delivery/pupil.html",
        {"pupil": pupil, "figures": figures, "lines": lines, "periods": delivery.PERIODS, "period": key},
    )


def _school_rows(request: AuthedRequest, action: str, what: str) -> tuple[School, list[School], str, list[Any]]:
    """The school and period asked for, its pupils' delivery, and the access-log entry for reading them."""
    school, schools = school_from_request(request, "casework.view")
    key = _period(request)
    rows = delivery.school_delivery(school, key=key)
    summary = f"{what}: {len(rows)} pupils with EHC plans"
    audit.record(actor=request.user, action=action, obj=school, summary=summary, request=request)
    return school, schools, key, rows


@login_required
def school_page(request: AuthedRequest) -> HttpResponse:
    school, schools, key, rows = _school_rows(request, audit.Action.VIEW, "Promised and delivered")
    return render(
        request,
        "reports/delivery/school.html",
        {
            "school": school,
            "schools": schools,
            "rows": rows,
            "periods": delivery.PERIODS,
            "period": key,
            "threshold": rows[0].threshold if rows else delivery.threshold_of(school.trust_id),
        },
    )


@login_required
def school_csv(request: AuthedRequest) -> HttpResponse:
    """The school's list as a CSV, for the same school and period as the page."""
    school, _, key, rows = _school_rows(request, audit.Action.EXPORT, "Promised and delivered CSV")
    header, table = delivery.delivery_table(rows)
    return csv_response(filename=f"promised-and-delivered-{school.urn}-{key}.csv", header=header, rows=table)


class ThresholdForm(forms.Form):
    threshold_percent = forms.IntegerField(
        label="Flag a pupil when delivery falls below (%)",
        min_value=1,
        max_value=100,
        error_messages={
            "required": "Enter a share from 1% to 100%.",
            "invalid": "Enter a whole number from 1 to 100.",
            # Django fills these in with %-formatting: "%%" prints "%".
            "min_value": "Enter a share from 1%% to 100%%.",
            "max_value": "Enter a share from 1%% to 100%%.",
        },
    )


@login_required
def trust_page(request: AuthedRequest) -> HttpResponse:
    schools = schools_where(request.user, "trust.dashboard")
    if not schools:
        raise Http404
    trust_id = schools[0].trust_id
    may_set = can(request.user, "trust.casework")
    form = ThresholdForm(request.POST or None, initial={"threshold_percent": delivery.threshold_of(trust_id)})
    if request.method == "POST":
        if not may_set:
            raise Http404
        if form.is_valid():
            try:
                delivery.save_threshold(
                    trust_id=trust_id, percent=form.cleaned_data["threshold_percent"], actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Pupils are now flagged below {form.cleaned_data['threshold_percent']}%.")
                return redirect("reports:delivery_trust")
    key = _period(request)
    return render(
        request,
        "reports/delivery/trust.html",
        delivery.trust_delivery(schools, key=key)
        | {
            "form": form if may_set else None,
            "can_drill": bool(schools_where(request.user, "casework.view")),
            "periods": delivery.PERIODS,
            "period": key,
        },
    )
