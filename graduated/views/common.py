"""Lookups shared by the graduated views: denied and missing answer the same 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from pupils.models import Pupil
from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can

from .. import queries
from ..models import Cycle


def readable_pupil(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil: Pupil = get_object_or_404(
        queries.readable_pupils(request.user).select_related("school", "register_entry"), pk=pupil_id
    )
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="SEN support")
    return pupil


def editable_pupil(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil = readable_pupil(request, pupil_id)
    if not can(request.user, "plan.change", pupil):
        raise Http404
    return pupil


def readable_cycle(request: AuthedRequest, pk: int) -> Cycle:
    cycle: Cycle = get_object_or_404(queries.visible_cycles(request.user), pk=pk)
    audit.note_read(request, obj=cycle, pupil_id=cycle.pupil_id, summary="Support cycle")
    return cycle


def editable_cycle(request: AuthedRequest, pk: int) -> Cycle:
    cycle = readable_cycle(request, pk)
    if not can(request.user, "plan.change", cycle.pupil):
        raise Http404
    return cycle


def ehc_request_url(pupil: Pupil) -> str:
    """The EHC section's "request a needs assessment" page, if that app provides it (never imported)."""
    try:
        return reverse("ehcp:assessment_new", kwargs={"pupil_id": pupil.pk})
    except NoReverseMatch:
        return ""
