"""Correcting a plan's issue date (a mistyped date would otherwise count R1 wrongly for ever)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from .. import queries, services
from ..forms import date_field


class CorrectIssueDateForm(forms.Form):
    issued_on = date_field("The date the LA issued the plan", help_text="As it is printed on the plan.")
    reason = forms.CharField(
        label="Why is the date being corrected?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the date is being corrected.", "max_length": "Keep it to 300 characters."},
    )


@login_required
def plan_issue_date(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(queries.plans_visible_to(request.user), pk=pk)
    if not can(request.user, "ehcp.change", plan):
        raise Http404
    audit.note_read(request, obj=plan, pupil_id=plan.pupil_id, summary="Correct the plan's issue date")
    form = CorrectIssueDateForm(request.POST or None, initial={"issued_on": plan.first_issued_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_plan_issue_date(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"The issue date is now {form.cleaned_data['issued_on']:%-d %B %Y}. The annual review deadline "
                "counted from it has been recomputed.",
            )
            return redirect("ehcp:plan_detail", pk=plan.pk)
    return render(
        request,
        "ehcp/plan_issue_date.html",
        {"plan": plan, "pupil": plan.pupil, "form": form},
        status=400 if form.errors else 200,
    )
