"""The parent portal: a parent gives their views before a review, and adds their own reports.

Only for the parent's own child (anyone else, and any other review, answers 404); read-only once the
review has been held. Every read and write is audited (`pupils.contributions`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pupils.contribution_forms import ParentViewsForm, initial_from
from pupils.contributions import QUESTIONS, ViewsSubject, find_subject, own_contribution, save_parent_views
from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from .portal import _child


def views_link(subject: ViewsSubject) -> str:
    """Where a parent gives their views for a review (pupils.contributions.PORTAL_LINK)."""
    kwargs = {"pk": subject.pupil_id, "kind": subject.kind, "subject_id": subject.id}
    return reverse("reports:portal_views", kwargs=kwargs)


@login_required
def portal_views(request: AuthedRequest, pk: int, kind: str, subject_id: int) -> HttpResponse:
    if not can(request.user, "portal.give_views"):
        raise Http404
    pupil = _child(request, pk)
    subject = find_subject(kind, subject_id)
    if subject is None or subject.pupil_id != pupil.pk:
        raise Http404
    mine = own_contribution(subject, request.user)
    if not subject.open and mine is None:
        raise Http404
    form = ParentViewsForm(request.POST or None, request.FILES or None, initial=initial_from(mine))
    if request.method == "POST" and subject.open and form.is_valid():
        report = form.cleaned_data.get("report")
        try:
            save_parent_views(
                pupil=pupil,
                subject=subject,
                author=request.user,
                answers=form.answers(),
                reports=[report] if report else [],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = "Thank you. The school has your views." if mine is None else "Your views are saved."
            messages.success(request, done)
            return redirect("reports:portal_child", pk=pupil.pk)
    if request.method == "GET":
        audit.record(
            actor=request.user,
            action=audit.Action.VIEW,
            obj=mine or pupil,
            pupil_id=pupil.pk,
            summary=f"Parent portal: views before the {subject.label.lower()}",
        )
    return render(
        request,
        "reports/portal/views.html",
        {
            "pupil": pupil,
            "subject": subject,
            "form": form,
            "mine": mine,
            "answers": [(q.label, getattr(mine, q.name)) for q in QUESTIONS] if mine else [],
        },
    )
