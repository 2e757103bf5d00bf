"""The pupil record page (pupils.record builds what it shows)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can

from ..models import Pupil
from ..queries import pupils_visible_to
from ..record import pupil_access_history, record_page


@login_required
def record(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pk)
    context = record_page(user=request.user, pupil=pupil)
    # Each app's block is rendered with its own context (and this request, for its forms' CSRF tokens).
    context["blocks"] = [
        render_to_string(part.template, {"pupil": pupil, **part.context}, request=request) for part in context["blocks"]
    ]
    audit.record(actor=request.user, action=audit.Action.VIEW, obj=pupil, pupil_id=pupil.pk, request=request)
    return render(request, "pupils/record.html", context)


@login_required
def access_log(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pk)
    if not can(request.user, "audit.view", pupil):
        raise Http404
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk)
    page = Paginator(pupil_access_history(pupil), 50).get_page(request.GET.get("page"))
    return render(request, "pupils/access_log.html", {"pupil": pupil, "page": page})
