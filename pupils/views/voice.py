"""The pupil's "All about me": the staff who work with the pupil read it and complete it with them.
(Parents complete it at home from the portal: reports.views.family_voice.)

Anyone pupils.voice does not allow gets 404, as for a pupil who does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import memberships_of

from .. import voice
from ..models import AllAboutMe, Pupil
from ..queries import pupils_visible_to
from ..voice_forms import AllAboutMeForm


def _staff_pupil(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    if not voice.may_record(request.user, pupil):
        raise Http404
    return pupil


def _role_label(request: AuthedRequest, pupil: Pupil) -> str:
    """The signed-in person's role at the pupil's school, to start the "their role" answer with."""
    for m in memberships_of(request.user):
        if m.school_id in (None, pupil.school_id):
            return m.get_role_display()
    return ""


def initial_answers(request: AuthedRequest, latest: AllAboutMe | None, *, helper_role: str) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "completed_on": timezone.localdate(),
        "helper_name": request.user.full_name,
        "helper_role": helper_role,
    }
    if latest is not None:  # a new version starts from the last one: the pupil changes what is different now
        initial |= {f: getattr(latest, f) for f in voice.FIELDS}
    return initial


def save_from_form(request: AuthedRequest, form: AllAboutMeForm, pupil: Pupil, *, at_home: bool) -> AllAboutMe | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return voice.record_all_about_me(
            pupil=pupil,
            actor=request.user,
            answers=form.answers(),
            helper_name=form.cleaned_data["helper_name"],
            helper_role=form.cleaned_data["helper_role"],
            words=form.cleaned_data["words"],
            completed_on=form.cleaned_data["completed_on"],
            at_home=at_home,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
def all_about_me(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    """The latest profile and its earlier versions, for the staff who work with the pupil."""
    pupil = _staff_pupil(request, pupil_id)
    history = voice.history_of(pupil)
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="All about me")
    latest = history[0] if history else None
    return render(
        request,
        "pupils/voice/profile.html",
        {
            "pupil": pupil,
            "profile": latest,
            "answers": voice.answers_of(latest) if latest else [],
            "earlier": [(p, voice.answers_of(p)) for p in history[1:]],
        },
    )


@login_required
def all_about_me_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    """Complete the profile with the pupil: a new version, starting from the last one."""
    pupil = _staff_pupil(request, pupil_id)
    latest = voice.latest_for(pupil)
    if request.method == "GET":
        audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="All about me (to update)")
    initial = initial_answers(request, latest, helper_role=_role_label(request, pupil))
    form = AllAboutMeForm(request.POST or None, initial=initial)
    if save_from_form(request, form, pupil, at_home=False) is not None:
        messages.success(request, f"{pupil.forename}'s All about me is saved. Thank you, {pupil.forename}!")
        return redirect("pupils:all_about_me", pupil_id=pupil.pk)
    return render(request, "pupils/voice/form.html", {"pupil": pupil, "form": form, "latest": latest})
