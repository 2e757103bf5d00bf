"""Referral pages: a school's list (and its CSV), a new referral, one referral, each step's form, and a
parent withdrawing consent from the portal. Thin: the rules are in the services; a referral the person
may not see answers 404, the same as one that does not exist. Every page is in the access log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pupils.models import Pupil
from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.permissions import can
from trusts.replica import replica_view

from .. import referral_forms as rf
from .. import referral_queries as queries
from .. import referral_steps as steps
from .. import referrals as services
from ..models import Referral

PAGE_LIMIT = 500  # a school's open referrals fit on one page; the CSV has every one


def _filters(request: AuthedRequest) -> queries.ListFilters:
    agency = request.GET.get("agency", "")
    status = request.GET.get("status", "")
    return queries.ListFilters(
        agency=agency if agency in Referral.Agency.values else "",
        status=status if status in {"all", "overdue", *Referral.Status.values} else "",
    )


@login_required
def referral_list(request: AuthedRequest) -> HttpResponse:
    school, schools = school_from_request(request, "referral.view")
    filters = _filters(request)
    referrals = queries.with_waiting(queries.school_list(school, filters)[:PAGE_LIMIT])
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=school,
        summary=f"Referrals list ({len(referrals)} shown)",
        request=request,
    )
    return render(
        request,
        "register/referrals/list.html",
        {
            "school": school,
            "schools": schools,
            "referrals": referrals,
            "filters": filters,
            "counts": queries.list_counts(school),
            "agencies": Referral.Agency.choices,
            "statuses": Referral.Status.choices,
            "overdue_weeks": services.RESPONSE_OVERDUE_WEEKS,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@replica_view
def referral_export(request: AuthedRequest) -> HttpResponse:
    school, _ = school_from_request(request, "referral.view")
    referrals = queries.with_waiting(queries.school_list(school, _filters(request)))
    header = ["UPN", "Surname", "Forename", "Year", "Agency", "Status", "Referred on", "Days since referred"]
    header += ["Response", "Response on", "Days since accepted", "Overdue"]
    rows = [
        [
            r.pupil.upn,
            r.pupil.legal_surname,
            r.pupil.forename,
            r.pupil.get_year_group_display(),
            r.agency_label,
            r.get_status_display(),
            r.referred_on,
            r.waiting["since_referred"],  # type: ignore[attr-defined]
            r.get_response_display(),
            r.response_on,
            r.waiting["since_accepted"],  # type: ignore[attr-defined]
            "yes" if r.waiting["overdue"] else "",  # type: ignore[attr-defined]
        ]
        for r in referrals
    ]
    response = csv_response(
        filename=f"referrals-{school.urn}-{timezone.localdate():%Y-%m-%d}.csv", header=header, rows=rows
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=school,
        summary=f"Referrals export ({len(rows)} referrals)",
        request=request,
    )
    return response


@login_required
def referral_new(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil: Pupil = get_object_or_404(Pupil.objects.select_related("school"), pk=pk)
    if not can(request.user, "referral.change", pupil):
        raise Http404
    form = rf.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.create_referral(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral to {referral.agency_label} opened. Record the parents' consent next.")
            return redirect("register:referral_detail", pk=referral.pk)
    else:
        audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="New referral")
    return render(request, "register/referrals/new.html", {"pupil": pupil, "form": form})


def _visible(request: AuthedRequest, pk: int) -> Referral:
    try:
        return queries.referral_for_page(request.user, pk)
    except Referral.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def referral_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = _visible(request, pk)
    audit.record(
        actor=request.user, action=audit.Action.VIEW, obj=referral, pupil_id=referral.pupil_id, request=request
    )
    context = {"referral": referral, "waiting": queries.waiting(referral), **queries.steps_of(referral)}
    context["can_change"] = can(request.user, "referral.change", referral)
    context["overdue_weeks"] = services.RESPONSE_OVERDUE_WEEKS
    return render(request, "register/referrals/detail.html", context)


@dataclass(frozen=True)
class Step:
    title: str
    form: type[forms.Form]
    save: Callable[..., Any]
    done: str
    needs_pupil: bool = False
    files: bool = False
    intro: str = ""


STEPS: dict[str, Step] = {
    "consent": Step(
        "Record the parents' consent",
        rf.ConsentForm,
        services.record_consent,
        "Consent recorded.",
        needs_pupil=True,
        intro="Consent comes from a parent or carer of the pupil. Record what they agreed to, and how.",
    ),
    "withdraw": Step(
        "Record that consent was withdrawn",
        rf.WithdrawForm,
        services.withdraw_consent,
        "Consent withdrawn. Nothing more can be sent to the agency, and their access to the record has ended.",
        intro="Once consent is withdrawn nothing more can be shared with the agency. The professional's access "
        "to the pupil's record, if it is linked to this referral, ends at once.",
    ),
    "referred": Step("Record the referral", rf.ReferredForm, steps.mark_referred, "Referral date recorded."),
    "paperwork": Step(
        "Record paperwork sent",
        rf.PaperworkForm,
        steps.mark_paperwork_sent,
        "Paperwork recorded as sent.",
        needs_pupil=True,
        intro="Choose the documents from the pupil's record that you sent to the agency.",
    ),
    "response": Step("Record the agency's response", rf.ResponseForm, steps.record_response, "Response recorded."),
    "appointment": Step("Add an appointment", rf.AppointmentForm, steps.add_appointment, "Appointment added."),
    "report": Step(
        "Add a report from the agency",
        rf.ReportForm,
        steps.receive_report,
        "Report added to the pupil's record (staff only).",
        files=True,
    ),
    "professional": Step(
        "Link the professional's access",
        rf.GrantForm,
        steps.link_professional,
        "Access linked: it ends if consent is withdrawn.",
        needs_pupil=True,
        intro="Choose the agency professional's access to this pupil's record (give it from the record's access "
        "section first). If the parents withdraw consent, this access ends at once.",
    ),
    "close": Step("Close the referral", rf.CloseForm, steps.close_referral, "Referral closed."),
}


@login_required
def referral_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    chosen = STEPS.get(step)
    if chosen is None:
        raise Http404
    referral = _visible(request, pk)
    if not can(request.user, "referral.change", referral):
        raise Http404
    kwargs: dict[str, Any] = {"pupil": referral.pupil} if chosen.needs_pupil else {}
    if step == "response" and referral.response:  # changing the answer starts from the one recorded
        kwargs["initial"] = {
            "response": referral.response,
            "response_on": referral.response_on,
            "reason": referral.response_reason,
        }
    form = chosen.form(request.POST or None, request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if step == "report":
            data["uploaded_file"] = data.pop("file")
        try:
            with transaction.atomic():
                chosen.save(referral=referral, actor=request.user, **data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, chosen.done)
            return redirect("register:referral_detail", pk=referral.pk)
    else:
        audit.note_read(request, obj=referral, pupil_id=referral.pupil_id, summary=chosen.title)
    return render(
        request,
        "register/referrals/step.html",
        {
            "referral": referral,
            "form": form,
            "step": chosen,
            "multipart": chosen.files,
            "empty": _nothing_to_choose(form),
        },
    )


# What to do first when a step offers nothing to choose from.
NOTHING_TO_CHOOSE = {
    "contact": "There are no parents or carers on this pupil's record. Add them on the record first.",
    "documents": "There are no documents on this pupil's record. Add the paperwork to the record first.",
    "grant": "No one from an agency has access to this pupil's record. Give access from the record first.",
}


def _nothing_to_choose(form: forms.Form) -> str:
    for name, words in NOTHING_TO_CHOOSE.items():
        field = form.fields.get(name)
        if isinstance(field, forms.ModelChoiceField) and not field.queryset.exists():  # type: ignore[union-attr]
            return words
    return ""
