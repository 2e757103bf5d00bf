"""Recording a pupil's move to another school of the trust (pupils.moves does the move)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from trusts import audit
from trusts.forms import add_service_errors, date_field
from trusts.http import AuthedRequest
from trusts.models import School

from ..models import Pupil
from ..moves import may_record_move, preview_move, record_move, schools_to_move_to
from ..queries import pupils_visible_to


class MoveForm(forms.Form):
    to_school: forms.ModelChoiceField[School] = forms.ModelChoiceField(
        queryset=School.objects.none(),
        label="School they are moving to",
        empty_label="Choose a school",
        error_messages={
            "required": "Choose the school the pupil is moving to.",
            "invalid_choice": "Choose one of the trust's other open schools.",
        },
    )
    moved_on = date_field(
        "Date of the move",
        help_text="Their first day at the new school. From this day their old school no longer sees their record.",
    )

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = schools_to_move_to(pupil)  # type: ignore[attr-defined]


@login_required
def move(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    """The form (GET), the confirmation page listing what moves (POST), then the move (POST with confirm)."""
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    if not may_record_move(request.user, pupil):
        raise Http404
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Record a move")
    if request.method != "POST":
        form = MoveForm(pupil=pupil, initial={"moved_on": timezone.localdate()})
        return render(request, "pupils/moves/move.html", {"pupil": pupil, "form": form})
    form = MoveForm(request.POST, pupil=pupil)
    if form.is_valid():
        args = {"pupil": pupil, "to_school": form.cleaned_data["to_school"], "moved_on": form.cleaned_data["moved_on"]}
        try:
            if request.POST.get("confirm") == "yes":
                result = record_move(**args, actor=request.user)
                still_sees = pupils_visible_to(request.user).filter(pk=pupil.pk).exists()
                return render(request, "pupils/moves/done.html", {"result": result, "still_sees": still_sees})
            result = preview_move(**args, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "pupils/moves/confirm.html", {"pupil": pupil, "form": form, "result": result})
    return render(request, "pupils/moves/move.html", {"pupil": pupil, "form": form})
