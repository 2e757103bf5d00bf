"""Thin views of the ehcp app: authorise (denied = missing = 404), call a query or service, render."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django_scopes import scope

from pupils.models import Pupil
from pupils.queries import pupils_visible_to
from trusts import audit
from trusts.exports import csv_response
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, id_or_404
from trusts.permissions import can, schools_where

from . import deadlines as engine
from . import queries, rules, services
from .calendar import ical_feed
from .forms import (
    AssessmentEventForm,
    AssessmentRequestForm,
    CeasePlanForm,
    DeadlineFilterForm,
    DeadlineSettingForm,
    ExceptionForm,
    MeetDeadlineForm,
    OutcomeForm,
    PdfUploadForm,
    PlanForm,
    ProvisionForm,
    WaiveForm,
)
from .models import Deadline, DeadlineSetting, EhcPlan, NeedsAssessment, PlanOutcome, PlanVersion

logger = logging.getLogger(__name__)


# Deadlines --------------------------------------------------------------------------------------------


@login_required
def deadlines(request: AuthedRequest) -> HttpResponse:
    """A SENCO's list: overdue, due this week, due in the next 4 weeks."""
    schools = queries.deadline_schools(request.user)
    if not schools:
        raise Http404
    buckets = queries.deadline_buckets(request.user)
    return render(request, "ehcp/deadlines.html", {"buckets": buckets, "schools": schools})


def _filtered(request: AuthedRequest) -> tuple[DeadlineFilterForm, Any]:
    schools = queries.deadline_schools(request.user)
    if not schools:
        raise Http404
    form = DeadlineFilterForm(request.GET or None, schools=schools)
    return form, queries.filtered_deadlines(request.user, form.filters())


@login_required
def deadline_list(request: AuthedRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ehcp/deadline_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


CSV_COLUMNS = [
    "School",
    "Pupil",
    "UPN",
    "Rule",
    "What must happen",
    "Who must act",
    "Trigger date",
    "Statutory date",
    "Internal target",
    "Due",
    "Status",
    "Done on",
    "Late",
    "Exception",
    "Source",
    "Rule wording",
]


@login_required
def deadline_csv(request: AuthedRequest) -> HttpResponse:
    _, qs = _filtered(request)
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        for d in qs.iterator(chunk_size=2000):
            count += 1
            yield [
                d.school.name,
                d.pupil.display_name,
                d.pupil.upn,
                d.rule_id,
                d.rule.action,
                d.get_responsible_display(),
                d.trigger_date,
                d.statutory_due,
                d.internal_due,
                d.due,
                d.get_status_display(),
                d.met_on,
                "yes" if d.met_late or d.status == Deadline.Status.MISSED else "",
                d.exception_label,
                d.source,
                d.wording,
            ]

    response = csv_response(filename=f"deadlines-{timezone.localdate():%Y-%m-%d}.csv", header=CSV_COLUMNS, rows=rows())
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=None,
        summary=f"Deadlines export ({count} rows)",
        request=request,
    )
    return response


def _deadline_or_404(request: AuthedRequest, pk: int) -> Deadline:
    return get_object_or_404(queries.deadlines_visible_to(request.user), pk=pk)


@login_required
def deadline_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One deadline, its rule and source, and the forms to record that it was met, an exception or a waiver."""
    deadline = _deadline_or_404(request, pk)
    may_change = can(request.user, "deadline.change", deadline)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {
        "meet": MeetDeadlineForm(request.POST if action == "meet" else None, prefix="meet"),
        "exception": ExceptionForm(request.POST if action == "exception" else None, deadline=deadline, prefix="exc"),
        "waive": WaiveForm(request.POST if action == "waive" else None, prefix="waive"),
    }
    if request.method == "POST":
        if not may_change or action not in forms:
            raise Http404
        form = forms[action]
        if form.is_valid():
            try:
                if action == "meet":
                    engine.meet_deadline(deadline=deadline, met_on=form.cleaned_data["met_on"], actor=request.user)
                    done = "Recorded as done."
                elif action == "exception":
                    engine.record_exception(
                        deadline=deadline,
                        kind=form.cleaned_data["kind"],
                        evidence=form.cleaned_data["evidence"],
                        actor=request.user,
                    )
                    done = "Exception recorded."
                else:
                    engine.waive_deadline(deadline=deadline, reason=form.cleaned_data["reason"], actor=request.user)
                    done = "Deadline waived."
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("ehcp:deadline_detail", pk=deadline.pk)
    else:
        audit.record(
            actor=request.user, action=audit.Action.VIEW, obj=deadline, pupil_id=deadline.pupil_id, request=request
        )
    return render(
        request,
        "ehcp/deadline_detail.html",
        {
            "deadline": deadline,
            "rule": deadline.rule,
            "forms": forms,
            "action": action,
            "may_change": may_change,
            "allows_exceptions": bool(rules.allowed_exceptions(deadline.rule_id)),
            "act_link": engine.deadline_link(deadline) if engine.SUBJECT_LINKS.get(deadline.subject_type) else "",
            "subject_link": _subject_link(deadline),
            "today": timezone.localdate(),
        },
    )


def _subject_link(deadline: Deadline) -> str:
    from django.urls import reverse

    if deadline.subject_type == services.ASSESSMENT:
        return reverse("ehcp:assessment_detail", kwargs={"pk": deadline.subject_id})
    if deadline.subject_type == services.PLAN:
        return reverse("ehcp:plan_detail", kwargs={"pk": deadline.subject_id})
    return reverse("ehcp:pupil_ehc", kwargs={"pupil_id": deadline.pupil_id})


# Trust settings ---------------------------------------------------------------------------------------


def _require_trust_casework(request: AuthedRequest) -> int:
    if not can(request.user, "trust.casework") or request.user.trust_id is None:
        raise Http404
    return request.user.trust_id


@login_required
def settings_list(request: AuthedRequest) -> HttpResponse:
    trust_id = _require_trust_casework(request)
    saved = {s.rule_id: s for s in DeadlineSetting.objects.filter(trust_id=trust_id)}
    rows = [{"rule": rule, "setting": saved.get(rule_id)} for rule_id, rule in rules.RULES.items()]
    return render(request, "ehcp/settings_list.html", {"rows": rows})


@login_required
def setting_edit(request: AuthedRequest, rule_id: str) -> HttpResponse:
    trust_id = _require_trust_casework(request)
    if rule_id not in rules.RULES:
        raise Http404
    rule = rules.get_rule(rule_id)
    setting = DeadlineSetting.objects.filter(trust_id=trust_id, rule_id=rule_id).first()
    initial = {
        "target_amount": setting.target_amount if setting else None,
        "target_unit": setting.target_unit if setting else "weeks",
        "reminder_days": ", ".join(str(d) for d in setting.reminders) if setting and setting.reminder_days else "",
    }
    form = DeadlineSettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_deadline_setting(
                trust_id=trust_id,
                rule_id=rule_id,
                target_amount=form.cleaned_data["target_amount"],
                target_unit=form.cleaned_data["target_unit"],
                reminder_days=form.cleaned_data["reminder_days"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Settings for {rule_id} saved.")
            return redirect("ehcp:settings")
    return render(
        request,
        "ehcp/setting_edit.html",
        {"rule": rule, "form": form, "no_target": rule_id in engine.NO_TARGET_RULES},
    )


# Calendar feed ----------------------------------------------------------------------------------------

NEW_FEED_URL = "_ehcp_new_calendar_url"


@login_required
def calendar_feed_settings(request: AuthedRequest) -> HttpResponse:
    """Create or revoke the person's secret calendar address (only a hash is kept, so it is shown once)."""
    if not queries.deadline_schools(request.user):
        raise Http404
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(user=request.user)
            messages.success(request, "Your calendar address no longer works.")
        else:
            token = services.create_calendar_token(user=request.user)
            from django.urls import reverse

            request.session[NEW_FEED_URL] = request.build_absolute_uri(
                reverse("ehcp:calendar_feed", kwargs={"token": token})
            )
            messages.success(request, "Your new calendar address is ready. Any older address no longer works.")
        return redirect("ehcp:calendar_feed_settings")
    new_url = request.session.pop(NEW_FEED_URL, "")
    return render(
        request,
        "ehcp/calendar_feed_settings.html",
        {"has_feed": bool(request.user.calendar_token), "new_url": new_url},
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed: no session, only the secret address. Unknown or revoked: 404."""
    user = services.user_for_calendar_token(token)
    if user is None or user.trust_id is None:
        raise Http404
    with scope(trust=user.trust_id):
        items = list(queries.deadlines_for_calendar(user))
        body = ical_feed(items, base_url=request.build_absolute_uri("/").rstrip("/"))
        # Logged like any read of casework, without the secret address.
        audit.record(
            actor=user,
            action=audit.Action.EXPORT,
            obj=None,
            trust_id=user.trust_id,
            summary=f"Calendar feed fetched ({len(items)} deadlines)",
            request=request,
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "no-store, private"
    return response


# Needs assessments ------------------------------------------------------------------------------------


def _pupil_or_404(request: AuthedRequest, pupil_id: int, action: str = "casework.view") -> Pupil:
    pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    if not can(request.user, action, pupil):
        raise Http404
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="EHC")
    return pupil


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
    return render(
        request,
        "ehcp/assessment_detail.html",
        {
            "assessment": assessment,
            "pupil": assessment.pupil,
            "deadlines": queries.subject_deadlines(services.ASSESSMENT, assessment.pk),
            "events": services.EVENTS,
            "may_change": can(request.user, "ehcp.change", assessment),
            "plan": assessment.plans.first(),
            "today": timezone.localdate(),
        },
    )


@login_required
def assessment_event(request: AuthedRequest, pk: int, event: str) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if event not in services.EVENTS or not can(request.user, "ehcp.change", assessment):
        raise Http404
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


# EHC plans ---------------------------------------------------------------------------------------------


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
