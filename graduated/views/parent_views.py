"""Parents' views before a support plan review, on the staff side: ask the parents, copy their views in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from pupils.contributions import ask_parents_for_views, staff_views
from pupils.models import ParentContribution
from trusts.http import AuthedRequest

from ..contributions import KIND, copy_parent_views, subject_of
from ..models import Cycle
from .common import editable_cycle


def parents_panel(cycle: Cycle, request: AuthedRequest) -> dict[str, object]:
    """The context of the parents' views panel (graduated/_parent_views.html)."""
    return {"parent_views": staff_views(subject_of(cycle), request.user)}


@login_required
@require_POST
def ask_parents(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    if cycle.status != Cycle.Status.ACTIVE:
        raise Http404
    try:
        asked = ask_parents_for_views(subject=subject_of(cycle), actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        told = "1 parent" if asked.parents_told == 1 else f"{asked.parents_told} parents"
        messages.success(request, f"We have asked {told} for their views before the review.")
    return redirect("graduated:review" if request.POST.get("next") == "review" else "graduated:cycle", pk=cycle.pk)


@login_required
@require_POST
def copy_views(request: AuthedRequest, pk: int, contribution_id: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    contribution = ParentContribution.objects.filter(
        pk=contribution_id, subject_kind=KIND, subject_id=cycle.pk, pupil_id=cycle.pupil_id
    ).first()
    if contribution is None or cycle.status != Cycle.Status.ACTIVE:
        raise Http404
    try:
        copy_parent_views(cycle=cycle, contribution=contribution, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{contribution.author_name}'s views are now in the parents' views below.")
    return redirect("graduated:review", pk=cycle.pk)
