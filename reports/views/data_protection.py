"""The data protection area: records due for destruction and their sign-off, legal holds, subject access
requests, deleting a document uploaded by mistake, and naming the trust's data protection lead.

The data protection lead (`data.protection`) sees everything here; a SENCO sees the subject access requests
of their own school. Everyone else, and every other trust, gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pupils import retention
from pupils.models import Document, LegalHold, Pupil
from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, require
from trusts.models import Membership, Role, User
from trusts.permissions import DATA_PROTECTION, can

from .. import subject_access
from ..data_protection_forms import LeadForm, LegalHoldForm, ReasonForm, SentForm, SignOffForm, SubjectAccessForm


def _dp_pupil_or_404(request: AuthedRequest, pupil_id: int) -> Pupil:
    """Any pupil of the trust, current or former (the lead works on leavers too)."""
    require(request, DATA_PROTECTION)
    return get_object_or_404(Pupil.objects.select_related("school"), pk=pupil_id)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    lead = can(request.user, DATA_PROTECTION)
    if not lead and not can(request.user, subject_access.SUBJECT_ACCESS):
        raise Http404
    context = {
        "lead": lead,
        "requests": list(subject_access.requests_visible_to(request.user)[:100]),
        "manage_lead": can(request.user, "trust.casework", request.user.trust),
    }
    if lead:
        context |= {
            "due": list(retention.due_list()),
            "destroyed": list(retention.tombstones().order_by("-destroyed_at")[:50]),
            "holds": list(retention.active_holds().select_related("pupil", "placed_by")),
        }
    return render(request, "reports/data_protection/home.html", context)


@login_required
def sign_off(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request, DATA_PROTECTION)
    destruction = get_object_or_404(retention.due_list(), pk=pk)
    form = SignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.destroy_record(destruction=destruction, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Record {destruction.former_pupil_id} was destroyed. Its tombstone is kept.")
            return redirect("reports:data_protection")
    pupil = destruction.pupil
    assert pupil is not None
    counts = {"documents": pupil.documents.count()}
    return render(
        request,
        "reports/data_protection/sign_off.html",
        {"destruction": destruction, "pupil": pupil, "form": form, "counts": counts},
    )


@login_required
def hold_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _dp_pupil_or_404(request, pupil_id)
    form = LegalHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.place_hold(
                pupil=pupil, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"A legal hold keeps {pupil}'s record until it is lifted.")
            return redirect("reports:data_protection")
    holds = list(pupil.legal_holds.all())
    return render(request, "reports/data_protection/hold_new.html", {"pupil": pupil, "form": form, "holds": holds})


@login_required
@require_POST
def hold_lift(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request, DATA_PROTECTION)
    hold: LegalHold = get_object_or_404(LegalHold.objects.select_related("pupil"), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why the hold can be lifted (for example the appeal was decided).")
        retention.lift_hold(hold=hold, reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The legal hold was lifted.")
    return redirect("reports:data_protection")


@login_required
def document_delete(request: AuthedRequest, pupil_id: int, pk: int) -> HttpResponse:
    document: Document = get_object_or_404(Document.objects.select_related("pupil"), pk=pk)
    if document.pupil_id != pupil_id or not can(request.user, "documents.manage", document):
        raise Http404
    audit.note_read(request, obj=document.pupil, pupil_id=document.pupil_id, summary="Delete a document")
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.delete_document(document=document, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{document.title}” was deleted.")
            return redirect("pupils:record", pk=pupil_id)
    return render(request, "reports/data_protection/document_delete.html", {"document": document, "form": form})


@login_required
def sar_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil: Pupil = get_object_or_404(Pupil.objects.select_related("school"), pk=pupil_id)
    if not subject_access.handles_requests_at(request.user, pupil.school):
        raise Http404
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Subject access request")
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = subject_access.record_request(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The request is recorded; its deadline is in the deadlines list.")
            return redirect("reports:sar_detail", pk=sar.pk)
    return render(request, "reports/data_protection/sar_new.html", {"pupil": pupil, "form": form})


def _sar_or_404(request: AuthedRequest, pk: int) -> subject_access.SubjectAccessRequest:
    return get_object_or_404(subject_access.requests_visible_to(request.user), pk=pk)


@login_required
def sar_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    sar = _sar_or_404(request, pk)
    sent_form = SentForm(request.POST if request.POST.get("action") == "sent" else None)
    extend_form = ReasonForm(request.POST if request.POST.get("action") == "extend" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"review", "extend", "sent"}:
            messages.error(request, "Choose what to do with the request.")
            return redirect("reports:sar_detail", pk=sar.pk)
        try:
            if action == "review":
                subject_access.record_review(request=sar, keys=request.POST.getlist("reviewed"), actor=request.user)
                messages.success(request, "The third-party review is saved.")
                return redirect("reports:sar_detail", pk=sar.pk)
            if action == "extend" and extend_form.is_valid():
                subject_access.extend_request(
                    request=sar, reason=extend_form.cleaned_data["reason"], actor=request.user
                )
                messages.success(request, "The deadline is extended by two months. Tell the person why.")
                return redirect("reports:sar_detail", pk=sar.pk)
            if action == "sent" and sent_form.is_valid():
                subject_access.mark_sent(request=sar, sent_on=sent_form.cleaned_data["sent_on"], actor=request.user)
                messages.success(request, "The reply is recorded as sent.")
                return redirect("reports:sar_detail", pk=sar.pk)
        except ValidationError as exc:
            add_service_errors(extend_form if action == "extend" else sent_form, exc)
    audit.note_read(request, obj=sar, pupil_id=sar.pupil_id, summary="Subject access request")
    context = {
        "sar": sar,
        "deadline": subject_access.open_deadline_of(sar),
        "items": subject_access.third_party_items(sar),
        "sent_form": sent_form,
        "extend_form": extend_form,
    }
    return render(request, "reports/data_protection/sar_detail.html", context)


@login_required
def sar_export(request: AuthedRequest, pk: int) -> HttpResponse:
    sar = _sar_or_404(request, pk)
    data = subject_access.build_export(request=sar, actor=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="Subject access {sar.pk}.zip"'
    return response


@login_required
def lead_setting(request: AuthedRequest) -> HttpResponse:
    require(request, "trust.casework")  # the trust's inclusion leads
    trust = request.user.trust
    if trust is None:
        raise Http404
    staff = User.objects.filter(
        pk__in=Membership.objects.exclude(role=Role.PARENT).values("user_id"), trust=trust, is_active=True
    ).order_by("full_name")
    current = retention.named_lead_id(trust.pk)
    form = LeadForm(request.POST if request.method == "POST" else None, staff=staff, initial={"user": current})
    if request.method == "POST" and form.is_valid():
        try:
            retention.name_data_protection_lead(trust=trust, user=form.cleaned_data["user"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The data protection lead is saved.")
            return redirect("reports:data_protection_lead")
    return render(request, "reports/data_protection/lead.html", {"form": form})
