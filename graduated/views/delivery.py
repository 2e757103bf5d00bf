"""Do: logging sessions. Built for a teaching assistant on a phone: one short form, big targets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from .. import queries, services
from ..forms import DeliveryForm
from ..group_forms import HAPPENED, GroupSessionForm
from ..models import Allocation, Cycle


@login_required
def sessions(request: AuthedRequest) -> HttpResponse:
    """Pupils the person may log sessions for who have a plan in place."""
    if not (can(request.user, "delivery.log_own") or can(request.user, "delivery.log")):
        raise Http404
    cycles = list(
        Cycle.objects.filter(status=Cycle.Status.ACTIVE, pupil__in=queries.loggable_pupils(request.user))
        .filter(queries.on_roll("pupil__"))
        .select_related("pupil", "school")
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("provision")))
        .order_by("pupil__year_group", "pupil__legal_surname", "pupil__legal_forename", "pk")[:300]
    )
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=None,
        trust_id=request.user.trust_id,
        summary=f"Sessions list ({len(cycles)} pupils with a support plan)",
        request=request,
    )
    return render(request, "graduated/sessions.html", {"cycles": cycles, "groups": queries.groups_to_log(request.user)})


@login_required
def log_session(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = get_object_or_404(queries.loggable_pupils(request.user).select_related("school"), pk=pupil_id)
    audit.note_read(request, obj=pupil, pupil_id=pupil.pk, summary="Log a session")
    cycle = (
        Cycle.objects.filter(pupil=pupil, status=Cycle.Status.ACTIVE)
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("provision")), "outcomes")
        .first()
    )
    allocations = list(cycle.allocations.all()) if cycle else []
    outcomes = list(cycle.outcomes.all()) if cycle else []
    form = DeliveryForm(request.POST or None, allocations=allocations, outcomes=outcomes, initial={"attended": "yes"})
    if request.method == "POST" and cycle is not None and form.is_valid():
        data = form.cleaned_data
        allocation = next(a for a in allocations if a.pk == data["allocation"])
        outcome = next((o for o in outcomes if o.pk == data.get("outcome")), None)
        try:
            services.log_delivery(
                allocation=allocation,
                actor=request.user,
                session_date=data["session_date"],
                attended=data["attended"],
                note=data["note"],
                score=data["score"],
                outcome=outcome,
                missed_reason=data.get("missed_reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Session of {allocation.provision.name} logged for {pupil.forename}.")
            return redirect("graduated:log_session", pupil_id=pupil.pk)
    return render(
        request,
        "graduated/log_session.html",
        {
            "pupil": pupil,
            "cycle": cycle,
            "form": form,
            "deliveries": queries.recent_deliveries(pupil, limit=5),
        },
    )


@login_required
def log_group_session(request: AuthedRequest, provision_id: int) -> HttpResponse:
    """One session of a group, logged once: everyone present unless marked absent, a score or note each."""
    provision = queries.group_provision(request.user, provision_id)
    if provision is None:
        raise Http404
    members = queries.group_members(request.user, provision)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=provision,
        summary=f"Log a group session of {provision.name} ({len(members)} pupils)",
        request=request,
    )
    form = GroupSessionForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        took_place = form.cleaned_data["took_place"] == HAPPENED
        try:
            session = services.log_group_session(
                provision=provision,
                actor=request.user,
                session_date=form.cleaned_data["session_date"],
                took_place=took_place,
                missed_reason="" if took_place else form.cleaned_data["took_place"],
                entries=[services.GroupEntry(**line) for line in form.entries()],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            present = sum(1 for d in session.deliveries.all() if d.attended)
            what = f"{present} of {len(members)} present" if took_place else "it did not happen"
            messages.success(request, f"Session of {provision.name} on {session.session_date:%-d %B} logged: {what}.")
            return redirect("graduated:sessions")
    return render(
        request,
        "graduated/log_group_session.html",
        {"provision": provision, "form": form, "lines": form.bound_lines()},
    )
