"""Medical conditions and the individual health care plan of one pupil (pupils.health decides who sees what)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest

from .. import health
from ..health_forms import ConditionChangeForm, ConditionForm, PlanForm, initial_from
from ..models import HealthCarePlan, MedicalCondition, Pupil
from ..queries import children_of, pupils_visible_to


def _pupil(request: AuthedRequest, pupil_id: int, *, manage: bool = False) -> tuple[Pupil, str]:
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    access = health.health_access(request.user, pupil)
    if access is None or (manage and access != health.MANAGE):
        raise Http404
    return pupil, access


@login_required
def overview(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil, access = _pupil(request, pupil_id)
    plan = health.current_plan(pupil)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=plan or pupil,
        pupil_id=pupil.pk,
        summary="Medical conditions and health care plan",
        request=request,
    )
    return render(
        request,
        "pupils/health/overview.html",
        {
            "pupil": pupil,
            "manage": access == health.MANAGE,
            "conditions": list(health.conditions_of(pupil)),
            "plan": plan,
            "review": health.review_state(plan) if plan else "",
            "versions": health.plan_versions(pupil),
        },
    )


@login_required
def condition_add(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil, _ = _pupil(request, pupil_id, manage=True)
    form = ConditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = health.record_condition(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{row.condition} is recorded for {pupil}.")
            return redirect("pupils:health", pupil_id=pupil.pk)
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Medical conditions (to add one)")
    return render(request, "pupils/health/condition_form.html", {"pupil": pupil, "form": form, "adding": True})


@login_required
def condition_edit(request: AuthedRequest, pupil_id: int, pk: int) -> HttpResponse:
    pupil, _ = _pupil(request, pupil_id, manage=True)
    row: MedicalCondition = get_object_or_404(MedicalCondition.objects.filter(pupil=pupil), pk=pk)
    row.pupil = pupil
    initial = {f: getattr(row, f) for f in ("condition", "details", "source", "noted_on", "needs_ihcp", "ended_on")}
    form = ConditionChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            health.change_condition(condition_row=row, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{row.condition} is updated.")
            return redirect("pupils:health", pupil_id=pupil.pk)
    else:
        audit.note_read(request, obj=row, pupil_id=pupil.pk, summary="Medical condition")
    return render(request, "pupils/health/condition_form.html", {"pupil": pupil, "form": form, "adding": False})


@login_required
def plan_edit(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    """Write the first plan, or review the plan in force (which keeps it as a past version)."""
    pupil, _ = _pupil(request, pupil_id, manage=True)
    current = health.current_plan(pupil)
    conditions = [c for c in health.conditions_of(pupil) if c.ended_on is None]
    if current is not None:
        conditions += [c for c in current.conditions.all() if c.ended_on is not None]
    rows = {
        "medicine_rows": max(3, len(current.medications.all()) + 1) if current else 3,
        "training_rows": max(3, len(current.training.all()) + 1) if current else 3,
    }
    form = PlanForm(request.POST or None, initial=initial_from(current), pupil=pupil, conditions=conditions, **rows)
    if request.method == "POST" and form.is_valid():
        try:
            plan = health.write_plan(pupil=pupil, actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Version {plan.version} of {pupil}'s health care plan is in place."
                + (" The earlier version is kept." if current else ""),
            )
            return redirect("pupils:health", pupil_id=pupil.pk)
    audit.note_read(request, obj=current or pupil, pupil_id=pupil.pk, summary="Health care plan (to write or review)")
    return render(
        request,
        "pupils/health/plan_form.html",
        {"pupil": pupil, "form": form, "current": current, "has_conditions": bool(conditions)},
    )


@login_required
def plan_detail(request: AuthedRequest, pupil_id: int, pk: int) -> HttpResponse:
    pupil, access = _pupil(request, pupil_id)
    plan = health.plan_version(pupil, pk)
    if plan is None:
        raise Http404
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=plan,
        pupil_id=pupil.pk,
        summary=f"Health care plan version {plan.version}",
        request=request,
    )
    return render(
        request,
        "pupils/health/plan_detail.html",
        {"pupil": pupil, "plan": plan, "manage": access == health.MANAGE, "review": health.review_state(plan)},
    )


@login_required
@require_POST
def parent_agree(request: AuthedRequest, pupil_id: int, pk: int) -> HttpResponse:
    """A parent confirms, from the portal, that they agree with their child's current plan."""
    pupil: Pupil = get_object_or_404(children_of(request.user).select_related("school"), pk=pupil_id)
    plan: HealthCarePlan = get_object_or_404(HealthCarePlan.objects.filter(pupil=pupil), pk=pk)
    plan.pupil = pupil
    try:
        health.confirm_parent_agreement(plan=plan, parent=request.user, today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Thank you. The school can see that you agree with {pupil.forename}'s health plan.")
    back = request.POST.get("next", "")
    safe = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(back if safe else "/")
