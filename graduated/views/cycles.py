"""Assess, plan and review: the SENCO's overview, a pupil's support, one cycle and the forms that change it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils import voice
from pupils.meeting_replies import replies_for
from trusts import audit
from trusts.calendar_defaults import academic_year_of
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest, school_from_request
from trusts.permissions import can

from .. import queries, services
from ..charts import outcome_progress
from ..forms import (
    AllocationForm,
    AssessForm,
    AssessmentResultForm,
    OutcomeForm,
    ParentMeetingForm,
    PlanForm,
    ReviewForm,
    StartCycleForm,
    StrategyForm,
)
from ..models import Allocation, AssessmentResult, Cycle, Outcome, Strategy
from ..pdf import render_support_plan_pdf
from .common import editable_cycle, editable_pupil, ehc_request_url, readable_pupil
from .parent_views import parents_panel


@login_required
def overview(request: AuthedRequest) -> HttpResponse:
    """The SENCO's list: reviews overdue and due, parents short of meetings, every pupil on SEN support."""
    school, schools = school_from_request(request, "plan.change")
    today = timezone.localdate()
    year = academic_year_of(today)
    pupils = Paginator(queries.support_pupils(school, year), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "graduated/overview.html",
        {
            "school": school,
            "schools": schools,
            "overdue": list(queries.overdue_reviews(school, today=today)),
            "due": list(queries.cycles_due_for_review(school, today=today)),
            "short": list(queries.pupils_short_of_parent_meetings(school, year)),
            "page": pupils,
            "query": f"school={school.pk}",
            "today": today,
            "year": year,
            "due_days": queries.DUE_WITHIN_DAYS,
            "meetings_needed": queries.MEETINGS_PER_YEAR,
        },
    )


@login_required
def pupil_support(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = readable_pupil(request, pupil_id)
    editor = can(request.user, "plan.change", pupil)
    cycles = queries.cycles_of(pupil)
    current = next((c for c in cycles if c.is_open), None)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="SEN support",
        request=request,
    )
    entry = getattr(pupil, "register_entry", None)
    return render(
        request,
        "graduated/pupil.html",
        {
            "pupil": pupil,
            "entry": entry,
            "on_support": entry is not None and entry.status in {"K", "E"},
            "cycles": cycles,
            "current": current,
            "editor": editor,
            "may_log": queries.may_log_delivery(request.user, pupil),
            "meetings": queries.parent_meetings(pupil) if editor else [],
            "deliveries": queries.recent_deliveries(pupil),
            "today": timezone.localdate(),
        },
    )


@login_required
def cycle_start(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = editable_pupil(request, pupil_id)
    form = StartCycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.start_cycle(pupil=pupil, actor=request.user, started_on=form.cleaned_data["started_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Cycle {cycle.number} started. Record the assessment, then plan.")
            return redirect("graduated:cycle", pk=cycle.pk)
    return render(request, "graduated/cycle_start.html", {"pupil": pupil, "form": form})


@login_required
def cycle_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = queries.cycle_detail(pk, queries.readable_pupils(request.user))
    if cycle is None:
        raise Http404
    pupil = cycle.pupil
    outcomes = list(cycle.outcomes.all())
    progress = outcome_progress(cycle=cycle, outcomes=outcomes)
    editor = can(request.user, "plan.change", pupil) and cycle.is_open
    for row in progress:  # what the plan's writers may want to word again, beside each outcome
        row["wording"] = queries.outcome_findings(row["outcome"]) if editor else []
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=cycle,
        pupil_id=pupil.pk,
        summary=f"Support cycle {cycle.number}",
        request=request,
    )
    return render(
        request,
        "graduated/cycle.html",
        {
            "cycle": cycle,
            "pupil": pupil,
            "progress": progress,
            "assessments": list(cycle.assessments.all()),
            "strategies": list(cycle.strategies.all()),
            "allocations": list(cycle.allocations.all()),
            "editor": editor,
            "may_log": cycle.status == Cycle.Status.ACTIVE and queries.may_log_delivery(request.user, pupil),
            "ehc_url": ehc_request_url(pupil) if cycle.next_step == Cycle.NextStep.EHC_REQUEST else "",
            "meeting_replies": list(replies_for(subject_type="support_review", subject_id=cycle.pk)),
            "meeting_date": cycle.review_date,
            "today": timezone.localdate(),
        }
        | (parents_panel(cycle, request) if _sees_parent_views(request, cycle) else {}),
    )


def _sees_parent_views(request: AuthedRequest, cycle: Cycle) -> bool:
    """Casework roles see the parents' own views once the plan is in place (teachers read the plan only)."""
    return cycle.status != Cycle.Status.ASSESSING and can(request.user, "plan.change", cycle.pupil)


def _cycle_form_page(
    request: AuthedRequest,
    pk: int,
    *,
    form_class: Any,
    save: Any,
    title: str,
    button: str,
    done: str,
    form_kwargs: dict[str, Any] | None = None,
    intro: str = "",
) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    if not cycle.is_open:
        raise Http404
    kwargs = dict(form_kwargs or {})
    if callable(kwargs.get("provisions")):
        kwargs["provisions"] = kwargs["provisions"](cycle)
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(cycle, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("graduated:cycle", pk=cycle.pk)
    return render(
        request,
        "graduated/cycle_form.html",
        {"cycle": cycle, "pupil": cycle.pupil, "form": form, "title": title, "button": button, "intro": intro},
    )


@login_required
def assess(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    if not cycle.is_open:
        raise Http404
    form = AssessForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            values = {name: form.cleaned_data[name] for name in services.ASSESS_FIELDS}
            services.update_assessment(cycle=cycle, actor=request.user, **values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Assessment and one-page profile saved.")
            return redirect("graduated:cycle", pk=cycle.pk)
    return render(
        request,
        "graduated/cycle_form.html",
        {
            "cycle": cycle,
            "pupil": cycle.pupil,
            "form": form,
            "title": "Assess",
            "button": "Save the assessment",
            "intro": "Gather what the teacher, the SENCO, the pupil, their parents and outside professionals know. "
            "The last three questions make the one-page profile that parents and teachers see.",
        },
    )


@login_required
def assessment_new(request: AuthedRequest, pk: int) -> HttpResponse:
    def save(cycle: Cycle, data: dict[str, Any]) -> None:
        services.add_assessment_result(cycle=cycle, actor=request.user, **data)

    return _cycle_form_page(
        request,
        pk,
        form_class=AssessmentResultForm,
        save=save,
        title="Add an assessment result",
        button="Add the result",
        done="Assessment result added.",
    )


@login_required
def outcome_new(request: AuthedRequest, pk: int) -> HttpResponse:
    def save(cycle: Cycle, data: dict[str, Any]) -> None:
        services.add_outcome(cycle=cycle, actor=request.user, **data)

    return _cycle_form_page(
        request,
        pk,
        form_class=OutcomeForm,
        save=save,
        title="Add an outcome",
        button="Add the outcome",
        done="Outcome added.",
        intro="Make it specific and measurable: where the pupil is now, the target, and how you will know.",
    )


@login_required
def outcome_edit(request: AuthedRequest, pk: int, outcome_id: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    if not cycle.is_open:
        raise Http404
    outcome: Outcome = get_object_or_404(Outcome.objects.filter(cycle=cycle), pk=outcome_id)
    form = OutcomeForm.for_outcome(outcome, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_outcome(outcome=outcome, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Outcome saved.")
            return redirect("graduated:cycle", pk=cycle.pk)
    return render(
        request,
        "graduated/cycle_form.html",
        {"cycle": cycle, "pupil": cycle.pupil, "form": form, "title": "Change an outcome", "button": "Save"},
    )


@login_required
def strategy_new(request: AuthedRequest, pk: int) -> HttpResponse:
    def save(cycle: Cycle, data: dict[str, Any]) -> None:
        services.add_strategy(cycle=cycle, actor=request.user, **data)

    return _cycle_form_page(
        request,
        pk,
        form_class=StrategyForm,
        save=save,
        title="Add a classroom strategy",
        button="Add the strategy",
        done="Strategy added to the pupil passport.",
        intro="Classroom strategies make the pupil passport that every teacher of the pupil reads.",
    )


@login_required
def allocation_new(request: AuthedRequest, pk: int) -> HttpResponse:
    def save(cycle: Cycle, data: dict[str, Any]) -> None:
        services.allocate_provision(cycle=cycle, actor=request.user, **data)

    return _cycle_form_page(
        request,
        pk,
        form_class=AllocationForm,
        save=save,
        title="Add provision",
        button="Add the provision",
        done="Provision added to the plan.",
        form_kwargs={"provisions": lambda cycle: queries.running_provisions(cycle.school)},
        intro="Choose from the school's provision catalogue.",
    )


REMOVABLE: dict[str, Any] = {
    "outcome": Outcome,
    "strategy": Strategy,
    "provision": Allocation,
    "assessment": AssessmentResult,
}


@login_required
@require_POST
def item_remove(request: AuthedRequest, pk: int, kind: str, item_id: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    model = REMOVABLE.get(kind)
    if model is None:
        raise Http404
    item = get_object_or_404(model.objects.filter(cycle=cycle), pk=item_id)
    try:
        services.remove_item(cycle=cycle, actor=request.user, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Removed.")
    return redirect("graduated:cycle", pk=cycle.pk)


@login_required
def plan(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    if not cycle.is_open:
        raise Http404
    today = timezone.localdate()
    default_date = cycle.review_date or services.default_review_date(school=cycle.school, on=today)
    form = PlanForm(
        request.POST or None, initial={"expected_impact": cycle.expected_impact, "review_date": default_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_plan(cycle=cycle, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            when = cycle.review_date
            assert when is not None
            messages.success(request, f"The plan is in place. It will be reviewed on {when.day} {when:%B %Y}.")
            return redirect("graduated:cycle", pk=cycle.pk)
    return render(
        request,
        "graduated/plan.html",
        {
            "cycle": cycle,
            "pupil": cycle.pupil,
            "form": form,
            "outcomes": list(cycle.outcomes.all()),
            "allocations": list(cycle.allocations.select_related("provision")),
            "strategies": list(cycle.strategies.all()),
            "default_date": default_date,
        },
    )


@login_required
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = editable_cycle(request, pk)
    if cycle.status != Cycle.Status.ACTIVE:
        raise Http404
    outcomes = list(cycle.outcomes.prefetch_related(queries.scores_prefetch()))
    # The pupil's views start with their latest "All about me" (pupils.voice), to change to what they say now.
    profile = voice.latest_for(cycle.pupil)
    initial = {"parent_views": cycle.review_parent_views}
    if profile:
        initial["pupil_views"] = voice.as_pupil_views(profile)
    form = ReviewForm(request.POST or None, outcomes=outcomes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_review(
                cycle=cycle,
                actor=request.user,
                results=form.results(),
                reviewed_on=data["reviewed_on"],
                next_step=data["next_step"],
                pupil_views=data["pupil_views"],
                parent_views=data["parent_views"],
                notes=data["notes"],
                parents_told_on=data["parents_told_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _after_review(request, cycle)
    # The evidence beside each judgement: the outcome's logged scores and its chart.
    progress = {row["outcome"].pk: row for row in outcome_progress(cycle=cycle, outcomes=outcomes)}
    lines = [(o, result, evidence, progress[o.pk]) for o, result, evidence in form.outcome_fields()]
    return render(
        request,
        "graduated/review.html",
        {
            "cycle": cycle,
            "pupil": cycle.pupil,
            "form": form,
            "lines": lines,
            "ehc_url": ehc_request_url(cycle.pupil),
            "all_about_me": profile,
        }
        | parents_panel(cycle, request),
    )


def _after_review(request: AuthedRequest, cycle: Cycle) -> HttpResponse:
    step = cycle.next_step
    pupil = cycle.pupil
    if step == Cycle.NextStep.NEW_CYCLE:
        new = queries.open_cycle(pupil)
        messages.success(request, f"Cycle {cycle.number} reviewed. Cycle {cycle.number + 1} has started.")
        return redirect("graduated:cycle", pk=new.pk if new else cycle.pk)
    if step == Cycle.NextStep.MONITORING:
        messages.success(request, f"Cycle {cycle.number} reviewed. {pupil} has moved to monitoring.")
    elif step == Cycle.NextStep.LEAVE:
        messages.success(request, f"Cycle {cycle.number} reviewed. {pupil} has left the SEN register.")
    else:
        messages.success(
            request,
            f"Cycle {cycle.number} reviewed. The decision to request an EHC needs assessment is recorded.",
        )
    return redirect("graduated:cycle", pk=cycle.pk)


@login_required
def passport(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = readable_pupil(request, pupil_id)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="Pupil passport",
        request=request,
    )
    return render(request, "graduated/passport.html", queries.passport(pupil))


@login_required
def plan_pdf(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = readable_pupil(request, pupil_id)
    if not Cycle.objects.filter(pupil=pupil).exists():
        raise Http404  # a pupil never on SEN support has no plan to download
    large = request.GET.get("print") == "large"  # the version for a parent who asked (pupils.Contact.large_print)
    pdf = render_support_plan_pdf(pupil, large_print=large)
    audit.record(
        actor=request.user,
        action=audit.Action.EXPORT,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="SEN support plan for parents (PDF, large print)" if large else "SEN support plan for parents (PDF)",
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"SEN support plan {pupil.display_name}{' large print' if large else ''}.pdf".replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def meeting_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = editable_pupil(request, pupil_id)
    form = ParentMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_parent_meeting(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Meeting with parents recorded.")
            return redirect("graduated:pupil", pupil_id=pupil.pk)
    return render(request, "graduated/meeting_new.html", {"pupil": pupil, "form": form})
