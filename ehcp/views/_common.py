"""What the EHC pages share: opening a pupil the person may work on."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from pupils.models import Pupil
from pupils.queries import pupils_visible_to
from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can


def _pupil_or_404(request: AuthedRequest, pupil_id: int, action: str = "casework.view") -> Pupil:
    pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    if not can(request.user, action, pupil):
        raise Http404
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="EHC")
    return pupil
