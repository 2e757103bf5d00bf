"""Thin views of annual reviews: authorise (denied = missing = 404), call a query or service, render.

Only the SENCO, headteacher and inclusion lead of the pupil's school reach these pages ("review.change");
teachers, teaching assistants, governors, trustees and parents get 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from ehcp.models import EhcPlan
from pupils.contributions import ask_parents_for_views, staff_views
from pupils.models import ParentContribution
from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from . import queries, services
from .contributions import KIND, copy_parent_views, subject_of
from .forms import (
    ActionFormSet,
    AdviceForm,
    AmendmentsForm,
    CancelForm,
    CirculateForm,
    InvitationsForm,
    InviteeForm,
    LaDecisionForm,
    MeetingDateForm,
    MeetingRecordForm,
    ReportSentForm,
    SchoolFilterForm,
    StartReviewForm,
    action_inputs,
)
from .models import AnnualReview, Invitee
from .pdf import render_review_pdf


def _review(request: AuthedRequest, pk: int) -> AnnualReview:
    review = get_object_or_404(queries.reviews_visible_to(request.user), pk=pk)
    if not can(request.user, "review.change", review.pupil):
        raise Http404
    audit.note_read(request, obj=review, pupil_id=review.pupil_id, summary="Annual review")
    return review


def _step_page(
    request: AuthedRequest,
    review: AnnualReview,
    form: Any,
    *,
    title: str,
    button: str,
    act: Callable[[dict[str, Any]], str],
    template: str = "reviews/step_form.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A one-form step: on a valid POST call the service (its refusal is shown on the form), then go back
    to the review with a success message."""
    if request.method == "POST" and form.is_valid():
        try:
            done = act(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("reviews:detail", pk=review.pk)
    context = {"review": review, "pupil": review.pupil, "form": form, "title": title, "button": button}
    return render(request, template, context | (extra or {}))


# Lists and the review page -------------------------------------------------------------------------


@login_required
def review_list(request: AuthedRequest) -> HttpResponse:
    schools = queries.review_schools(request.user)
    if not schools:
        raise Http404
    form = SchoolFilterForm(request.GET or None, schools=schools)
    school = None
    if len(schools) > 1 and form.is_valid() and form.cleaned_data.get("school"):
        school = next((s for s in schools if s.pk == form.cleaned_data["school"]), None)
    listing = queries.review_list(request.user, school=school)
    return render(
        request,
        "reviews/list.html",
        {"listing": listing, "form": form, "schools": schools, "school": school, "today": listing.today},
    )


@login_required
def review_start(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan: EhcPlan = get_object_or_404(queries.plans_for_review(request.user), pk=plan_id)
    if not can(request.user, "review.change", plan.pupil):
        raise Http404
    audit.note_read(request, obj=plan, pupil_id=plan.pupil_id, summary="Start an annual review")
    form = StartReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.start_review(
                plan=plan, actor=request.user, last_review_on=form.cleaned_data.get("last_review_on")
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Annual review started. It is due by {review.due_date:%-d %B %Y}.")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/start.html", {"plan": plan, "pupil": plan.pupil, "form": form})


@login_required
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    from pupils.meeting_replies import replies_for

    review = _review(request, pk)
    panel = {"parent_views": staff_views(subject_of(review), request.user)}
    replies = list(replies_for(subject_type="annual_review", subject_id=review.pk))
    context = {"page": queries.review_page(review), "review": review, "meeting_replies": replies}
    return render(request, "reviews/detail.html", context | {"meeting_date": review.meeting_date} | panel)


# Steps -----------------------------------------------------------------------------------------------


@login_required
def review_schedule(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = MeetingDateForm(request.POST or None, initial={"meeting_date": review.meeting_date})

    def act(data: dict[str, Any]) -> str:
        moved = review.meeting_date is not None
        updated = services.schedule_meeting(review=review, meeting_date=data["meeting_date"], actor=request.user)
        assert updated.meeting_date is not None
        if updated.meeting_date > updated.due_date:
            messages.warning(
                request,
                f"The meeting is after {updated.due_date:%-d %B %Y}, the date the review is due by "
                f"({updated.due_rule}): the review will be late. Choose an earlier date if you can.",
            )
        verb = "moved to" if moved else "booked for"
        return f"Meeting {verb} {updated.meeting_date:%-d %B %Y}. The invitation and report dates are updated."

    title = "Move the review meeting" if review.meeting_date else "Book the review meeting"
    return _step_page(
        request, review, form, title=title, button="Save the meeting date", act=act, template="reviews/schedule.html"
    )


@login_required
def invitee_add(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = InviteeForm(request.POST or None)

    def act(data: dict[str, Any]) -> str:
        invitee = services.add_invitee(
            review=review, role=data["role"], name=data["name"], email=data.get("email") or "", actor=request.user
        )
        return f"{invitee.name} added to the people to invite."

    return _step_page(request, review, form, title="Add someone to invite", button="Add", act=act)


@login_required
@require_POST
def invitee_remove(request: AuthedRequest, pk: int, invitee_id: int) -> HttpResponse:
    review = _review(request, pk)
    invitee: Invitee = get_object_or_404(Invitee.objects.filter(review=review), pk=invitee_id)
    try:
        services.remove_invitee(invitee=invitee, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{invitee.name} taken off the list.")
    return redirect("reviews:detail", pk=review.pk)


@login_required
def review_invitations(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    invitees = Invitee.objects.filter(review=review).order_by("id")
    uninvited = [i.pk for i in invitees if i.invited_on is None]
    form = InvitationsForm(
        request.POST or None,
        invitees=invitees,
        initial={"invitees": uninvited, "sent_on": timezone.localdate()},
    )

    def act(data: dict[str, Any]) -> str:
        count = services.record_invitations(
            review=review, invitees=list(data["invitees"]), sent_on=data["sent_on"], actor=request.user
        )
        return f"Invitations recorded for {count} {'person' if count == 1 else 'people'}."

    return _step_page(
        request,
        review,
        form,
        title="Record the invitations sent",
        button="Save",
        act=act,
        template="reviews/invitations.html",
        extra={"page_deadlines": queries.review_deadlines(review)},
    )


@login_required
def invitee_advice(request: AuthedRequest, pk: int, invitee_id: int) -> HttpResponse:
    review = _review(request, pk)
    invitee: Invitee = get_object_or_404(Invitee.objects.filter(review=review), pk=invitee_id)
    form = AdviceForm(
        request.POST or None,
        initial={"requested_on": invitee.advice_requested_on, "received_on": invitee.advice_received_on},
    )

    def act(data: dict[str, Any]) -> str:
        services.record_advice(
            invitee=invitee,
            requested_on=data.get("requested_on"),
            received_on=data.get("received_on"),
            actor=request.user,
        )
        return f"Advice from {invitee.name} recorded."

    return _step_page(request, review, form, title=f"Advice from {invitee.name}", button="Save", act=act)


@login_required
def review_circulate(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = CirculateForm(request.POST or None, initial={"circulated_on": review.advice_circulated_on})

    def act(data: dict[str, Any]) -> str:
        services.circulate_advice(review=review, circulated_on=data["circulated_on"], actor=request.user)
        return "Recorded: the advice was sent to everyone invited."

    return _step_page(request, review, form, title="Send the advice to everyone invited", button="Save", act=act)


@login_required
def review_meeting_record(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    initial = {name: getattr(review, name) for name in services.MeetingRecord.__dataclass_fields__}
    initial["held_on"] = review.held_on or review.meeting_date
    form = MeetingRecordForm(request.POST or None, initial=initial)
    existing = [{"action": a.action, "who": a.who, "by_when": a.by_when} for a in review.actions.all()]  # type: ignore[attr-defined]
    formset = ActionFormSet(request.POST or None, initial=existing, prefix="actions")
    if request.method == "POST":
        forms_ok = form.is_valid()
        actions_ok = formset.is_valid()
        if forms_ok and actions_ok:
            try:
                services.record_meeting(
                    review=review,
                    held_on=form.cleaned_data["held_on"],
                    record=form.record(),
                    actions=action_inputs(formset),
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Meeting recorded. Next, send the report to the LA and everyone invited.")
                return redirect("reviews:detail", pk=review.pk)
        elif not actions_ok and forms_ok:
            form.add_error(None, "Check the action plan: each action needs what, who and by when.")
    return render(
        request,
        "reviews/meeting_record.html",
        {"review": review, "pupil": review.pupil, "form": form, "formset": formset},
    )


@login_required
def review_report_sent(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = ReportSentForm(request.POST or None, initial={"sent_on": review.report_sent_on or timezone.localdate()})

    def act(data: dict[str, Any]) -> str:
        services.record_report_sent(review=review, sent_on=data["sent_on"], actor=request.user)
        return "Recorded: the report was sent."

    return _step_page(
        request,
        review,
        form,
        title="Record that the report was sent",
        button="Save",
        act=act,
        template="reviews/report_sent.html",
    )


@login_required
def review_la_decision(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = LaDecisionForm(
        request.POST or None, initial={"decision": review.la_decision, "decided_on": review.la_decision_on}
    )

    def act(data: dict[str, Any]) -> str:
        updated = services.record_la_decision(
            review=review, decision=data["decision"], decided_on=data["decided_on"], actor=request.user
        )
        return f"The LA's decision is recorded: {updated.get_la_decision_display().lower()}."

    return _step_page(request, review, form, title="Record the local authority's decision", button="Save", act=act)


@login_required
def review_amendments(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = AmendmentsForm(
        request.POST or None,
        phase_transfer=review.phase_transfer_id is not None,
        initial={
            "parent_representations_on": review.parent_representations_on,
            "amended_plan_on": review.amended_plan_on,
        },
    )

    def act(data: dict[str, Any]) -> str:
        services.record_amendments(
            review=review,
            parent_representations_on=data.get("parent_representations_on"),
            amended_plan_on=data.get("amended_plan_on"),
            names_next_school=bool(data.get("names_next_school")),
            actor=request.user,
        )
        return "Amendments recorded."

    return _step_page(
        request, review, form, title="Record the amendments", button="Save", act=act, template="reviews/amendments.html"
    )


@login_required
def review_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = CancelForm(request.POST or None)

    def act(data: dict[str, Any]) -> str:
        services.cancel_review(review=review, reason=data["reason"], actor=request.user)
        return "The review is cancelled."

    return _step_page(request, review, form, title="Cancel this review", button="Cancel the review", act=act)


@login_required
def review_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    large = request.GET.get("print") == "large"  # the version for a parent who asked (pupils.Contact.large_print)
    pdf = render_review_pdf(review, large_print=large)
    services.record_pdf_download(review=review, actor=request.user, request=request)
    name = slugify(
        f"annual review {review.pupil.display_name} {review.held_on or review.due_date:%Y-%m-%d}"
        + (" large print" if large else "")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response


# Parents' views before the review (pupils.contributions) ---------------------------------------------


@login_required
@require_POST
def review_ask_parents(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    try:
        asked = ask_parents_for_views(subject=subject_of(review), actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        told = "1 parent" if asked.parents_told == 1 else f"{asked.parents_told} parents"
        messages.success(request, f"We have asked {told} for their views before the review.")
    return redirect("reviews:detail", pk=review.pk)


@login_required
@require_POST
def review_copy_parent_views(request: AuthedRequest, pk: int, contribution_id: int) -> HttpResponse:
    review = _review(request, pk)
    contribution: ParentContribution = get_object_or_404(
        ParentContribution.objects.filter(subject_kind=KIND, subject_id=review.pk, pupil_id=review.pupil_id),
        pk=contribution_id,
    )
    try:
        copy_parent_views(review=review, contribution=contribution, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{contribution.author_name}'s views are in the parents' views of the meeting record."
        )
    return redirect("reviews:detail", pk=review.pk)


@login_required
@require_POST
def review_use_all_about_me(request: AuthedRequest, pk: int) -> HttpResponse:
    """The SENCO takes the pupil's latest All about me as the review's pupil's views, in one action."""
    review = _review(request, pk)
    try:
        services.use_all_about_me(review=review, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The pupil's views now come from {review.pupil.forename}'s All about me.")
    return redirect("reviews:detail", pk=review.pk)
