"""Consultations on naming the school for a child not yet on roll: the list, a new one, its page and its steps.

Casework roles only (SENCO, headteacher, inclusion lead); everyone else, and other trusts, get 404.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can, schools_where

from .. import consultations as service
from .. import wording
from ..consultation_forms import ConsultationForm, LinkForm, OutcomeForm, ReplyForm
from ..models import Consultation

logger = logging.getLogger(__name__)


@login_required
def consultation_list(request: AuthedRequest) -> HttpResponse:
    schools = service.consultation_schools(request.user)
    if not schools:
        raise Http404
    page = Paginator(service.consultation_list(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ehcp/consultations/list.html",
        {
            "page": page,
            "show_school": len(schools) > 1,
            "may_add": bool(schools_where(request.user, "ehcp.change")),
            "today": timezone.localdate(),
        },
    )


@login_required
def consultation_new(request: AuthedRequest) -> HttpResponse:
    schools = schools_where(request.user, "ehcp.change")
    if not schools:
        raise Http404
    initial = {"local_authority": schools[0].local_authority} if len(schools) == 1 else {}
    form = ConsultationForm(request.POST or None, request.FILES or None, schools=schools, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = service.record_consultation(
                school=form.chosen_school(),
                local_authority=data["local_authority"],
                consulted_on=data["consulted_on"],
                child_name=data["child_name"],
                child_date_of_birth=data["child_date_of_birth"],
                draft=data["draft"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            deadline = service.a5_deadline(consultation)
            due = f" by {deadline.due:%-d %B %Y}" if deadline else ""
            messages.success(request, f"Consultation recorded. Reply to the LA{due} (A5).")
            return redirect("ehcp:consultation_detail", pk=consultation.pk)
    return render(request, "ehcp/consultations/new.html", {"form": form})


def _consultation_or_404(request: AuthedRequest, pk: int, action: str = "casework.view") -> Consultation:
    consultation: Consultation = get_object_or_404(service.consultations_visible_to(request.user), pk=pk)
    if not can(request.user, action, consultation):
        raise Http404
    # A child's name, date of birth and draft plan: every page about one is in the access log.
    audit.note_read(request, obj=consultation, pupil_id=consultation.pupil_id, summary="EHC consultation")
    return consultation


@login_required
def consultation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = _consultation_or_404(request, pk)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=consultation,
        pupil_id=consultation.pupil_id,
        request=request,
    )
    deadline = service.a5_deadline(consultation)
    return render(
        request,
        "ehcp/consultations/detail.html",
        {
            "c": consultation,
            "deadlines": [deadline] if deadline else [],
            "wording": wording.wording_for(consultation),
            "may_change": can(request.user, "ehcp.change", consultation),
            "today": timezone.localdate(),
        },
    )


@login_required
def consultation_draft(request: AuthedRequest, pk: int) -> FileResponse:
    consultation = _consultation_or_404(request, pk)
    try:
        handle = consultation.draft.open("rb")
    except FileNotFoundError as exc:
        logger.error("Draft of consultation %s is missing from storage (%s)", consultation.pk, consultation.draft.name)
        raise Http404 from exc
    audit.record(
        actor=request.user,
        action=audit.Action.DOWNLOAD,
        obj=consultation,
        pupil_id=consultation.pupil_id,
        summary="Draft EHC plan of a consultation",
        request=request,
    )
    response = FileResponse(
        handle, as_attachment=True, filename=consultation.draft_name, content_type=consultation.draft_content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _step_page(
    request: AuthedRequest, consultation: Consultation, form: ReplyForm | OutcomeForm | LinkForm
) -> HttpResponse:
    return render(request, "ehcp/consultations/step.html", {"c": consultation, "form": form})


@login_required
def consultation_reply(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = _consultation_or_404(request, pk, "ehcp.change")
    form = ReplyForm(request.POST or None, initial={"response": wording.reply_start(consultation)})
    if request.method == "POST" and form.is_valid():
        try:
            service.record_reply(consultation=consultation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            deadline = service.a5_deadline(consultation)
            if deadline is not None and deadline.met_late:
                messages.success(request, f"Reply recorded. It was {deadline.days_late} days late (A5).")
            else:
                messages.success(request, "Reply recorded. A5 is met.")
            return redirect("ehcp:consultation_detail", pk=consultation.pk)
    return _step_page(request, consultation, form)


@login_required
def consultation_outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = _consultation_or_404(request, pk, "ehcp.change")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.record_outcome(consultation=consultation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The LA's decision is recorded.")
            return redirect("ehcp:consultation_detail", pk=consultation.pk)
    return _step_page(request, consultation, form)


@login_required
def consultation_link(request: AuthedRequest, pk: int) -> HttpResponse:
    consultation = _consultation_or_404(request, pk, "ehcp.change")
    form = LinkForm(request.POST or None, pupils=service.pupils_to_link(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            linked = service.link_to_pupil(
                consultation=consultation, pupil=form.cleaned_data["pupil"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Linked. The draft plan is now in the pupil's documents.")
            return redirect("pupils:record", pk=linked.consultation.pupil_id)
    return _step_page(request, consultation, form)
