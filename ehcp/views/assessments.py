"""EHC needs assessments: a pupil's EHC page, the list, a request and its steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can, schools_where

from .. import queries, road, services, wording
from ..forms import (
    AssessmentEventForm,
    AssessmentRequestForm,
)
from ..models import EhcPlan, NeedsAssessment
from ._common import _pupil_or_404


@login_required
def pupil_ehc(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id)
    context = {
        "pupil": pupil,
        "assessments": list(NeedsAssessment.objects.filter(pupil=pupil)),
        "plans": list(EhcPlan.objects.filter(pupil=pupil)),
        "deadlines": list(queries.pupil_deadlines(pupil)),
        "may_change": can(request.user, "ehcp.change", pupil),
        "today": timezone.localdate(),
    }
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="EHC record",
        request=request,
    )
    return render(request, "ehcp/pupil_ehc.html", context)


@login_required
def assessment_list(request: AuthedRequest) -> HttpResponse:
    if not schools_where(request.user, "casework.view"):
        raise Http404
    qs = queries.assessments_visible_to(request.user).filter(outcome=NeedsAssessment.Outcome.IN_PROGRESS)
    page = Paginator(qs.order_by("request_received_on", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "ehcp/assessment_list.html", {"page": page})


@login_required
def assessment_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id, "ehcp.change")
    form = AssessmentRequestForm(request.POST or None, initial={"local_authority": pupil.school.local_authority})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.request_assessment(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Request recorded. The LA's deadlines are now tracked.")
            return redirect("ehcp:assessment_detail", pk=assessment.pk)
    return render(request, "ehcp/assessment_new.html", {"pupil": pupil, "form": form})


def _assessment_or_404(request: AuthedRequest, pk: int) -> NeedsAssessment:
    assessment: NeedsAssessment = get_object_or_404(queries.assessments_visible_to(request.user), pk=pk)
    audit.note_read(request, obj=assessment, pupil_id=assessment.pupil_id, summary="EHC needs assessment")
    return assessment


@login_required
def assessment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=assessment,
        pupil_id=assessment.pupil_id,
        request=request,
    )
    today = timezone.localdate()
    deadlines = queries.subject_deadlines(services.ASSESSMENT, assessment.pk)
    steps = road.steps_of(assessment, deadlines, today)
    correctable = {
        s.key for s in steps if s.on and s.key in services.EVENTS and not road.event_refusal(assessment, s.key)
    }
    return render(
        request,
        "ehcp/assessment_detail.html",
        {
            "assessment": assessment,
            "pupil": assessment.pupil,
            "deadlines": deadlines,
            "steps": steps,
            "correctable": correctable,
            "weeks": road.weeks_on_the_road(assessment, today),
            "next_events": [(e, services.EVENTS[e]) for e in road.next_events(assessment, services.EVENTS)],
            "may_issue_final_plan": road.may_issue_final_plan(assessment),
            "may_change": can(request.user, "ehcp.change", assessment),
            "plan": assessment.plans.first(),
            "wording": wording.wording_for(assessment) if assessment.draft_served_on else None,
            "today": today,
        },
    )


@login_required
def assessment_event(request: AuthedRequest, pk: int, event: str) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if event not in services.EVENTS or not can(request.user, "ehcp.change", assessment):
        raise Http404
    refusal = road.event_refusal(assessment, event)
    if refusal:
        # A step that cannot come yet (an old link, a typed address): say which step must come first.
        messages.error(request, f"{services.EVENTS[event]}: {refusal[0].lower()}{refusal[1:]}")
        return redirect("ehcp:assessment_detail", pk=assessment.pk)
    form = AssessmentEventForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment_event(
                assessment=assessment,
                event=event,
                on=form.cleaned_data["on"],
                decision=form.cleaned_data.get("decision", ""),
                reason=form.cleaned_data.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{services.EVENTS[event]}: recorded.")
            return redirect("ehcp:assessment_detail", pk=assessment.pk)
    return render(
        request, "ehcp/assessment_event.html", {"assessment": assessment, "pupil": assessment.pupil, "form": form}
    )
