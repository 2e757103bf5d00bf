"""The SEN file pack of a pupil leaving the trust (reports.sen_file_pack): the PDF, or the zip with the
documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from pupils.queries import pupils_visible_to
from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can

from .. import sen_file_pack


@login_required
def sen_file_pack_download(request: AuthedRequest, pupil_id: int, kind: str) -> HttpResponse:
    pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    # The pack goes with the CTF, so it is for whoever may send the CTF (the pupil's casework roles).
    if kind not in ("pdf", "zip") or not can(request.user, "register.change", pupil):
        raise Http404
    if kind == "pdf":
        body = sen_file_pack.file_pack_pdf(pupil=pupil, prepared_by=request.user)
        content_type, name = "application/pdf", f"SEN file pack {pupil.upn}.pdf"
    else:
        body = sen_file_pack.file_pack_zip(pupil=pupil, prepared_by=request.user)
        content_type, name = "application/zip", f"SEN file pack {pupil.upn}.zip"
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=pupil,
        pupil_id=pupil.pk,
        summary=f"SEN file pack ({kind}) for the next school",
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
