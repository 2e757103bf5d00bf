"""Documents on a pupil's record (add, download) and access grants (give, list, remove, shared with me).

Every lookup goes through what the person may see, so a guessed or forbidden id answers 404.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can

from .. import documents, grants
from ..document_forms import CoverGrantForm, DocumentUploadForm, ExternalGrantForm
from ..models import AccessGrant, Pupil
from ..queries import pupils_visible_to

logger = logging.getLogger(__name__)


def _pupil_or_404(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Documents and access")
    return pupil


def _record(pupil: Pupil) -> HttpResponse:
    return redirect("pupils:record", pk=pupil.pk)


@login_required
def document_upload(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id)
    if not documents.may_upload(request.user, pupil):
        raise Http404
    external = not can(request.user, "documents.manage", pupil)
    form = DocumentUploadForm(request.POST or None, request.FILES or None, external=external)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = documents.upload_document(
                pupil=pupil,
                uploaded_file=data["file"],
                category=data.get("category", ""),
                visibility=data.get("visibility", ""),
                title=data["title"],
                actor=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error("file" if exc.code in {"empty", "too_big", "file_type"} else None, exc)
        else:
            messages.success(request, f"“{document.title}” was added to {pupil}'s record.")
            return _record(pupil)
    return render(request, "pupils/documents/upload.html", {"pupil": pupil, "form": form, "external": external})


@login_required
def document_download(request: AuthedRequest, pupil_id: int, pk: int) -> FileResponse:
    document = get_object_or_404(documents.documents_visible_to(request.user), pk=pk)
    if document.pupil_id != pupil_id:  # compared here: filter(pupil_id=2**64) overflows the database's integer
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("Document %s is missing from storage (%s)", document.pk, document.file.name)
        raise Http404 from exc
    documents.record_download(document=document, actor=request.user, request=request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=documents.download_name(document),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _may_grant_or_404(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil = _pupil_or_404(request, pupil_id)
    if not can(request.user, "access.grant", pupil):
        raise Http404
    return pupil


@login_required
def access_grants(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _may_grant_or_404(request, pupil_id)
    return render(
        request,
        "pupils/grants/list.html",
        {
            "pupil": pupil,
            "grants": list(grants.grants_of_pupil(pupil)),
            "invitations": list(grants.pending_access_invitations(pupil).select_related("invited_by")),
        },
    )


@login_required
def grant_cover(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _may_grant_or_404(request, pupil_id)
    form = CoverGrantForm(request.POST or None, teachers=grants.cover_teacher_choices(pupil))
    if request.method == "POST" and form.is_valid():
        try:
            grant = grants.grant_cover_access(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{grant.user} can see {pupil}'s record until {grants.long_date(grant.ends_on)}.")
            return redirect("pupils:access_grants", pupil_id=pupil.pk)
    return render(request, "pupils/grants/cover.html", {"pupil": pupil, "form": form})


@login_required
def grant_external(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _may_grant_or_404(request, pupil_id)
    form = ExternalGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = grants.grant_external_access(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"We have emailed {invitation.email} an invitation. They will see {pupil}'s record once they "
                "accept it from that address.",
            )
            return redirect("pupils:access_grants", pupil_id=pupil.pk)
    return render(
        request,
        "pupils/grants/external.html",
        {"pupil": pupil, "form": form, "professions": grants.COMMON_PROFESSIONS},
    )


@login_required
@require_POST
def revoke_access(request: AuthedRequest, pupil_id: int, pk: int) -> HttpResponse:
    pupil = _may_grant_or_404(request, pupil_id)
    grant: AccessGrant = get_object_or_404(
        AccessGrant.objects.filter(pupil=pupil).select_related("user", "pupil"), pk=pk
    )
    grants.revoke_access(grant=grant, actor=request.user)
    messages.success(request, f"{grant.user} can no longer see {pupil}'s record.")
    if request.POST.get("next") == "record":
        return _record(pupil)
    return redirect("pupils:access_grants", pupil_id=pupil.pk)


@login_required
def shared_with_me(request: AuthedRequest) -> HttpResponse:
    if request.user.trust_id is None:
        raise Http404
    return render(request, "pupils/grants/shared_with_me.html", {"grants": list(grants.shared_with(request.user))})
