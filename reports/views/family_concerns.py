"""The parent raises a concern about their own child from the portal (register.family_concerns holds the
rules). Another child, another parent's child or another trust's child answers 404, as a missing one does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from register.concern_forms import FamilyConcernForm
from register.family_concerns import raise_family_concern
from register.models import CauseForConcern
from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can

from .portal import _child


def concern_answer_link(concern: CauseForConcern) -> str:
    """Where the parent reads the school's answer (register.family_concerns.FAMILY_CONCERN_LINK)."""
    return reverse("reports:portal_child", kwargs={"pk": concern.pupil_id}) + "#concerns"


@login_required
def concern_new(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil = _child(request, pk)
    if not can(request.user, "portal.concern"):
        raise Http404
    form = FamilyConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            raise_family_concern(pupil=pupil, actor=request.user, **data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you. We have sent your concern to the SENCO. We will tell you the answer.")
            return redirect(reverse("reports:portal_child", kwargs={"pk": pupil.pk}) + "#concerns")
    if request.method != "POST":
        audit.record(
            actor=request.user,
            action=audit.Action.VIEW,
            obj=pupil,
            pupil_id=pupil.pk,
            summary="Parent portal: raise a concern",
            request=request,
        )
    return render(request, "reports/portal/concern_new.html", {"pupil": pupil, "form": form})
