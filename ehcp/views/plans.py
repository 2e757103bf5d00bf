"""EHC plans: the list, a new plan, one plan, amending and ceasing it, and its versions."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, id_or_404
from trusts.permissions import can, schools_where

from .. import queries, services, wording
from ..forms import (
    CeasePlanForm,
    OutcomeForm,
    PdfUploadForm,
    PlanForm,
    ProvisionForm,
)
from ..models import Deadline, EhcPlan, PlanOutcome, PlanVersion
from ._common import _pupil_or_404

logger = logging.getLogger("ehcp.views")


@login_required
def plan_list(request: AuthedRequest) -> HttpResponse:
    if not schools_where(request.user, "casework.view"):
        raise Http404
    ceased = request.GET.get("show") == "ceased"
    qs = queries.plans_visible_to(request.user).filter(ceased_on__isnull=not ceased)
    order = ("-ceased_on", "pupil__legal_surname", "id") if ceased else ("pupil__legal_surname", "id")
    qs = qs.order_by(*order)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    reviews_due = {
        d.subject_id: d
        for d in Deadline.objects.filter(
            subject_type=services.PLAN, subject_id__in=[p.pk for p in page.object_list], rule_id="R1"
        )
    }
    rows = [{"plan": p, "review": reviews_due.get(p.pk)} for p in page.object_list]
    return render(
        request, "ehcp/plan_list.html", {"page": page, "rows": rows, "ceased": ceased, "today": timezone.localdate()}
    )


@login_required
def plan_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil_or_404(request, pupil_id, "ehcp.change")
    assessment = None
    if request.GET.get("assessment"):
        assessment = get_object_or_404(
            queries.assessments_visible_to(request.user).filter(pupil=pupil), pk=id_or_404(request.GET["assessment"])
        )
    form = PlanForm(
        request.POST or None, request.FILES or None, initial={"local_authority": pupil.school.local_authority}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.issue_plan(
                pupil=pupil,
                issued_on=form.cleaned_data["issued_on"],
                local_authority=form.cleaned_data["local_authority"],
                placement=form.cleaned_data["placement"],
                sections=form.sections(),
                outcomes=form.outcomes(),
                pdf=form.cleaned_data.get("pdf") or None,
                assessment=assessment,
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"EHC plan recorded. {pupil} is now shown as E on the SEN register.")
            return redirect("ehcp:plan_detail", pk=plan.pk)
    return render(request, "ehcp/plan_form.html", {"pupil": pupil, "form": form, "assessment": assessment})


def _plan_or_404(request: AuthedRequest, pk: int) -> EhcPlan:
    plan: EhcPlan = get_object_or_404(queries.plans_visible_to(request.user), pk=pk)
    audit.note_read(request, obj=plan, pupil_id=plan.pupil_id, summary="EHC plan")
    return plan


@login_required
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    versions = queries.plan_with_versions(plan)
    wanted = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == wanted), versions[0] if versions else None)
    if version is None or (wanted and str(version.number) != wanted):
        raise Http404
    transfers = queries.phase_transfers_of(plan)
    deadline_rows = queries.subject_deadlines(services.PLAN, plan.pk) + [
        d for t in transfers for d in queries.subject_deadlines("phase_transfer", t.pk)
    ]
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=plan,
        pupil_id=plan.pupil_id,
        summary=f"EHC plan version {version.number}",
        request=request,
    )
    return render(
        request,
        "ehcp/plan_detail.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "versions": versions,
            "version": version,
            "deadlines": deadline_rows,
            "transfers": transfers,
            "amendment_checks": list(wording.amendments_for(plan)),
            "may_change": can(request.user, "ehcp.change", plan),
            "today": timezone.localdate(),
        },
    )


@login_required
def plan_amend(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if not can(request.user, "ehcp.change", plan):
        raise Http404
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    assert latest is not None
    initial = {"placement": latest.placement} | {f: getattr(latest, f) for f, _, _ in services.SECTIONS}
    form = PlanForm(request.POST or None, request.FILES or None, amend=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.amend_plan(
                plan=plan,
                issued_on=form.cleaned_data["issued_on"],
                placement=form.cleaned_data["placement"],
                sections=form.sections(),
                pdf=form.cleaned_data.get("pdf") or None,
                names_new_school_for_transfer=form.cleaned_data.get("names_new_school_for_transfer", False),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Amended plan recorded as version {version.number}.")
            return redirect("ehcp:plan_detail", pk=plan.pk)
    return render(request, "ehcp/plan_form.html", {"pupil": plan.pupil, "plan": plan, "form": form, "amend": True})


@login_required
def plan_cease(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if not can(request.user, "ehcp.change", plan):
        raise Http404
    if plan.ceased_on is not None:
        messages.info(request, f"This plan ceased on {plan.ceased_on:%-d %B %Y}.")
        return redirect("ehcp:plan_detail", pk=plan.pk)
    form = CeasePlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cease_plan(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Recorded that the plan ceased on {form.cleaned_data['ceased_on']:%-d %B %Y}. "
                "Its open deadlines and annual reviews are closed and the SEN register is updated.",
            )
            return redirect("ehcp:plan_detail", pk=plan.pk)
    return render(request, "ehcp/plan_cease.html", {"plan": plan, "pupil": plan.pupil, "form": form})


def _version_or_404(request: AuthedRequest, pk: int, action: str = "casework.view") -> PlanVersion:
    version = get_object_or_404(queries.plan_versions_visible_to(request.user), pk=pk)
    if not can(request.user, action, version.plan):
        raise Http404
    audit.note_read(request, obj=version, pupil_id=version.plan.pupil_id, summary="EHC plan version")
    return version


@login_required
def version_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    version = _version_or_404(request, pk)
    if not version.pdf:
        raise Http404
    try:
        handle = version.pdf.open("rb")
    except FileNotFoundError as exc:
        logger.error("EHC plan PDF of version %s is missing from storage (%s)", version.pk, version.pdf.name)
        raise Http404 from exc
    audit.record(
        actor=request.user,
        action=audit.Action.DOWNLOAD,
        obj=version,
        pupil_id=version.plan.pupil_id,
        summary=f"EHC plan PDF, version {version.number}",
        request=request,
    )
    filename = f"ehc-plan-{version.plan.pupil.upn}-v{version.number}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def version_pdf_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, "ehcp.change")
    form = PdfUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_plan_pdf(version=version, pdf=form.cleaned_data["pdf"], actor=request.user)
        except ValidationError as exc:
            # Every refusal here is about the file: keyed ones go where their key says, the rest beside it too.
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                form.add_error("pdf", exc)
        else:
            messages.success(request, "PDF attached.")
            return redirect(f"{_plan_url(version)}?version={version.number}")
    return render(
        request, "ehcp/version_pdf_upload.html", {"version": version, "pupil": version.plan.pupil, "form": form}
    )


def _plan_url(version: PlanVersion) -> str:
    from django.urls import reverse

    return reverse("ehcp:plan_detail", kwargs={"pk": version.plan_id})


@login_required
def version_outcome_add(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, "ehcp.change")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_outcome(version=version, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Outcome added.")
            return redirect(f"{_plan_url(version)}?version={version.number}")
    return render(
        request,
        "ehcp/version_item_form.html",
        {"version": version, "pupil": version.plan.pupil, "form": form, "what": "outcome"},
    )


@login_required
def version_provision_add(request: AuthedRequest, pk: int) -> HttpResponse:
    version = _version_or_404(request, pk, "ehcp.change")
    outcomes = PlanOutcome.objects.filter(version=version)
    form = ProvisionForm(request.POST or None, outcomes=outcomes)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_provision(
                version=version, outcome=form.cleaned_data.get("outcome"), line=form.line(), actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Provision added.")
            return redirect(f"{_plan_url(version)}?version={version.number}")
    return render(
        request,
        "ehcp/version_item_form.html",
        {"version": version, "pupil": version.plan.pupil, "form": form, "what": "provision"},
    )
