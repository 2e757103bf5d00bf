"""Wording checks of a draft plan or of proposed amendments (ehcp.wording): paste, read the findings, edit the
points for the reply. Casework roles only; everyone else, and other trusts, get 404."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from .. import consultations, queries
from .. import wording as service
from ..models import DraftWording, EhcPlan
from ..wording_forms import PointsForm, WordingForm

Save = Callable[[date, Mapping[str, str]], DraftWording]
SUBJECTS = {
    "consultation": lambda user: consultations.consultations_visible_to(user),
    "assessment": lambda user: queries.assessments_visible_to(user),
    "plan": lambda user: queries.plans_visible_to(user),
}


def _subject_or_404(request: AuthedRequest, kind: str, pk: int) -> service.Subject:
    if kind not in SUBJECTS:
        raise Http404
    subject = cast(service.Subject, get_object_or_404(SUBJECTS[kind](request.user), pk=pk))
    if not can(request.user, "ehcp.change", subject):
        raise Http404
    audit.note_read(request, obj=subject, pupil_id=subject.pupil_id, summary="Wording of the LA's draft plan")
    return subject


def _wording_or_404(request: AuthedRequest, pk: int, action: str = "casework.view") -> DraftWording:
    wording: DraftWording = get_object_or_404(service.wording_visible_to(request.user), pk=pk)
    if not can(request.user, action, wording.school):
        raise Http404
    audit.note_read(request, obj=wording, pupil_id=wording.pupil_id, summary="Wording of the LA's draft plan")
    return wording


def _initial(wording: DraftWording | None) -> dict[str, object]:
    if wording is None:
        return {}
    initial: dict[str, object] = {"received_on": wording.received_on}
    initial.update({field: getattr(wording, field) for field in service.FIELD_OF.values()})
    return initial


def _wording_form(
    request: AuthedRequest, *, initial: DraftWording | None, amendments: bool, heading: str, back: str, save: Save
) -> HttpResponse:
    """The paste form: on a valid post, `save` keeps the wording and the page moves to its findings."""
    form = WordingForm(request.POST or None, initial=_initial(initial), amendments=amendments)
    if request.method == "POST" and form.is_valid():
        try:
            wording = save(form.cleaned_data["received_on"], form.sections())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            found = len(service.check(wording).findings)
            messages.success(request, f"Checked: {found} point{'s' if found != 1 else ''} to look at.")
            return redirect("ehcp:wording_detail", pk=wording.pk)
    return render(request, "ehcp/wording/form.html", {"form": form, "heading": heading, "back": back})


BACK = {"consultation": "ehcp:consultation_detail", "assessment": "ehcp:assessment_detail", "plan": "ehcp:plan_detail"}


@login_required
def wording_new(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """Paste the draft's wording (a consultation's or an assessment's: again to replace it) or a new set of
    proposed amendments to a plan."""
    subject = _subject_or_404(request, kind, pk)
    amendments = isinstance(subject, EhcPlan)
    return _wording_form(
        request,
        initial=service.wording_for(subject),
        amendments=amendments,
        heading=f"Check the wording of the {'proposed amendments' if amendments else 'draft EHC plan'}",
        back=reverse(BACK[kind], kwargs={"pk": subject.pk}),
        save=lambda on, sections: service.record_wording(
            subject=subject, received_on=on, sections=sections, actor=request.user
        ),
    )


@login_required
def wording_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    wording = _wording_or_404(request, pk, "ehcp.change")
    return _wording_form(
        request,
        initial=wording,
        amendments=wording.kind == DraftWording.Kind.AMENDMENTS,
        heading=f"Correct the wording: {wording}",
        back=service.subject_url(wording),
        save=lambda on, sections: service.update_wording(
            wording=wording, received_on=on, sections=sections, actor=request.user
        ),
    )


@login_required
def wording_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The LA's wording, each sentence with the findings beside it, and the points for the reply."""
    wording = _wording_or_404(request, pk)
    checked = service.check(wording)
    may_change = can(request.user, "ehcp.change", wording.school)
    form = PointsForm(request.POST or None, initial={"points": checked.starting_points})
    if request.method == "POST":
        if not may_change:
            raise Http404
        if form.is_valid():
            try:
                service.save_points(wording=wording, points=form.cleaned_data["points"], actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The points for the reply are saved.")
                return redirect("ehcp:wording_detail", pk=wording.pk)
    sections = [
        {
            "section": section,
            "rows": [
                {"pieces": service.highlighted(row.text, row.findings), "findings": row.findings}
                for row in section.sentences
            ],
        }
        for section in checked.sections
    ]
    return render(
        request,
        "ehcp/wording/detail.html",
        {
            "wording": wording,
            "checked": checked,
            "sections": sections,
            "form": form,
            "may_change": may_change,
            "subject_label": service.subject_label(wording),
            "subject_url": service.subject_url(wording),
            "points_saved": checked.points_saved,
            "points_stale": checked.points_stale,
        },
    )
