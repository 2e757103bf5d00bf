"""The EHC needs-assessment evidence pack: everything the school holds for one pupil, as a PDF for the LA.

Rendered here because it reads across apps (register, concerns, the graduated approach)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from graduated.queries import evidence_for_pupil
from pupils.queries import can_manage_pupil, pupils_visible_to
from register.models import CauseForConcern
from register.queries import register_history
from trusts import audit
from trusts.http import AuthedRequest
from trusts.pdf import render_pdf


@login_required
def evidence_pack(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school", "register_entry"), pk=pupil_id)
    if not can_manage_pupil(request.user, pupil):
        raise Http404
    context = evidence_for_pupil(pupil)
    context.update(
        {
            "entry": getattr(pupil, "register_entry", None),
            "history": list(register_history(pupil)),
            "concerns": list(CauseForConcern.objects.filter(pupil=pupil).order_by("created_at")),
            "generated": timezone.now(),
            "prepared_by": request.user,
        }
    )
    pdf = render_pdf(
        template="reports/evidence_pack.html",
        context=context,
        title=f"Evidence for an EHC needs assessment – {pupil.display_name}",
    )
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="EHC needs-assessment evidence pack",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="Evidence pack {pupil.upn}.pdf"'
    return response
