"""The common transfer file: sending a leaver's CTF to a school outside the trust, importing an arriving
pupil's SEN history (upload, preview, confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.permissions import can

from .. import ctf, queries
from ..ctf_forms import ConfirmCtfForm, SendCtfForm, UploadCtfForm
from ..models import SenStatus


@login_required
@require_http_methods(["GET", "POST"])
def ctf_send(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil = get_object_or_404(queries.visible_pupil(request.user, pk))
    if not can(request.user, "register.change", pupil):
        raise Http404
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Common transfer file")
    leaving = pupil.leaving_date is not None or pupil.possible_leaver_since is not None
    form = SendCtfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            xml = ctf.record_ctf_sent(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            response = HttpResponse(xml, content_type="application/xml")
            name = f"CTF {pupil.school.la_code}{pupil.school.establishment_number} {pupil.upn}.xml"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "register/ctf/send.html", {"pupil": pupil, "form": form, "leaving": leaving})


@login_required
@require_http_methods(["GET", "POST"])
def ctf_import(request: AuthedRequest) -> HttpResponse:
    school, schools = school_from_request(request, "register.change")
    confirming = "confirm" in request.POST
    upload = UploadCtfForm(request.POST or None, request.FILES or None) if not confirming else UploadCtfForm()
    confirm = ConfirmCtfForm(request.POST if confirming else None)
    context = {"school": school, "schools": schools, "form": upload}
    if confirming:
        if confirm.is_valid():
            try:
                pupil = ctf.import_ctf_sen(school=school, data=confirm.cleaned_data["ctf"], actor=request.user)
            except ValidationError as exc:
                context["errors"] = exc.messages
            else:
                status = SenStatus(pupil.register_entry.status).label
                messages.success(request, f"{pupil}'s SEN history is imported; the register shows {status}.")
                return redirect("pupils:record", pk=pupil.pk)
        else:
            context["errors"] = [e for errs in confirm.errors.values() for e in errs]
    elif request.method == "POST" and upload.is_valid():
        data = upload.cleaned_data["file"]
        try:
            preview = ctf.preview_ctf(school=school, data=data)
        except ValidationError as exc:
            add_service_errors(upload, exc)
        else:
            context["preview"] = preview
            context["data"] = ConfirmCtfForm.encode(data)
    return render(request, "register/ctf/import.html", context)
