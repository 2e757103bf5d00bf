"""A parent completes their child's "All about me" at home (pupils.voice), from the portal: a family page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from pupils import voice
from pupils.models import Pupil
from pupils.queries import children_of
from pupils.views.voice import initial_answers, save_from_form
from pupils.voice_forms import AllAboutMeForm
from trusts import audit
from trusts.http import AuthedRequest


@login_required
def all_about_me_home(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil: Pupil = get_object_or_404(children_of(request.user).select_related("school"), pk=pk)
    if not voice.is_parent_of(request.user, pupil):
        raise Http404
    latest = voice.latest_for(pupil)
    if request.method == "GET":
        audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="All about me (at home)")
    contact = pupil.contacts.filter(user=request.user).first()
    role = contact.relationship.capitalize() if contact else "Parent"
    form = AllAboutMeForm(request.POST or None, initial=initial_answers(request, latest, helper_role=role))
    if save_from_form(request, form, pupil, at_home=True) is not None:
        messages.success(request, f"Thank you. The school can now read what {pupil.forename} said.")
        return redirect("reports:portal_child", pk=pupil.pk)
    return render(request, "reports/portal/all_about_me.html", {"pupil": pupil, "form": form, "latest": latest})
