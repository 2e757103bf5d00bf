"""Cause-for-concern pages: raise one, my concerns, the SENCO's triage queue, one concern, triage.

Thin: every lookup goes through `concern_queries`, so a concern or pupil the person may not see answers
404, the same as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trusts import audit
from trusts.http import AuthedRequest, id_or_404
from trusts.permissions import can, schools_where

from .. import concern_queries as queries
from .. import concerns
from ..concern_forms import ConcernForm, TriageForm, default_reply_words
from ..models import CauseForConcern, NeedType

PAGE_SIZE = 50
TABS = [
    (CauseForConcern.Status.NEW.value, "New"),
    (CauseForConcern.Status.IN_PROGRESS.value, "In progress"),
    (CauseForConcern.Status.CLOSED.value, "Closed"),
]


@login_required
def concern_new(request: AuthedRequest) -> HttpResponse:
    if not queries.may_raise_concerns(request.user):
        raise Http404
    pupils = queries.pupils_for_concern(request.user)
    initial = {}
    wanted = request.GET.get("pupil")
    if wanted is not None:
        # A pupil the person may not raise a concern about is "not found", never named; so is junk.
        initial["pupil"] = get_object_or_404(pupils, pk=id_or_404(wanted)).pk
    show_school = len(schools_where(request.user, "concern.triage")) > 1
    form = ConcernForm(
        request.POST or None, request.FILES or None, pupils=pupils, show_school=show_school, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concern = concerns.raise_concern(
                pupil=data["pupil"],
                actor=request.user,
                areas=data["areas"],
                observations=data["observations"],
                noticed_since=data["noticed_since"],
                evidence=data["evidence"],
                strategies_tried=data["strategies_tried"],
                strategies_effect=data["strategies_effect"],
                parents_spoken_to=data["parents_spoken_to"],
                parents_view=data["parents_view"],
                pupil_view=data["pupil_view"],
                attachments=data["attachments"],
                source=data["source"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Your concern about {concern.pupil} has been sent to the SENCO. You will be told the outcome."
            )
            return redirect("register:my_concerns")
    return render(
        request,
        "register/concerns/new.html",
        {"form": form, "has_pupils": bool(initial) or pupils.exists(), "pupil_id": initial.get("pupil")},
    )


@login_required
def my_concerns(request: AuthedRequest) -> HttpResponse:
    if not queries.may_raise_concerns(request.user):
        raise Http404
    page = Paginator(queries.concerns_raised_by(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_area_labels(page.object_list)
    return render(request, "register/concerns/mine.html", {"page": page})


@login_required
def concern_queue(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "concern.triage"):
        raise Http404
    status = request.GET.get("status", TABS[0][0])
    if status not in dict(TABS):
        status = TABS[0][0]
    counts = queries.queue_counts(request.user)
    page = Paginator(queries.triage_queue(request.user, status), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queries.with_area_labels(page.object_list)
    return render(
        request,
        "register/concerns/queue.html",
        {
            "page": page,
            "status": status,
            "tabs": [(key, label, counts[key]) for key, label in TABS],
            "query": f"status={status}",
            "show_school": len(schools_where(request.user, "concern.triage")) > 1,
        },
    )


def _visible_concern(request: AuthedRequest, pk: int) -> CauseForConcern:
    concern = get_object_or_404(queries.with_people(queries.concerns_visible_to(request.user)), pk=pk)
    return queries.with_area_labels([concern])[0]


def _concern_to_triage(request: AuthedRequest, pk: int) -> CauseForConcern:
    concerns = queries.with_people(queries.concerns_to_triage(request.user)).select_related("pupil__register_entry")
    return queries.with_area_labels([get_object_or_404(concerns, pk=pk)])[0]


def _attachments(request: AuthedRequest, concern: CauseForConcern) -> tuple[list, int]:
    """The files kept with the concern that the person may download, and how many there are in all."""
    from pupils.documents import documents_visible_to
    from pupils.models import Document

    if can(request.user, "casework.view", concern):
        files = list(documents_visible_to(request.user).filter(concern_id=concern.pk).order_by("created_at", "pk"))
        return files, len(files)
    return [], Document.objects.filter(concern_id=concern.pk, pupil_id=concern.pupil_id).count()


@login_required
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _visible_concern(request, pk)
    files, file_count = _attachments(request, concern)
    audit.record(actor=request.user, action=audit.Action.VIEW, obj=concern, pupil_id=concern.pupil_id, request=request)
    return render(
        request,
        "register/concerns/detail.html",
        {
            "concern": concern,
            "can_triage": can(request.user, "concern.triage", concern),
            "files": files,
            "file_count": file_count,
            "outcome_words": concerns.describe_outcome(concern),
        },
    )


@login_required
@require_POST
def concern_start(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    try:
        concerns.start_triage(concern=concern, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"The concern about {concern.pupil} is now in progress.")
    return redirect("register:concern_detail", pk=concern.pk)


@login_required
def concern_triage(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = _concern_to_triage(request, pk)
    if concern.status == CauseForConcern.Status.CLOSED:
        messages.info(request, "This concern is already closed: its outcome is below.")
        return redirect("register:concern_detail", pk=concern.pk)
    entry = concern.pupil.register_entry if hasattr(concern.pupil, "register_entry") else None
    initial = {}
    if entry is not None and entry.primary_need:
        initial = {"primary_need": entry.primary_need, "secondary_need": entry.secondary_need}
    form = TriageForm(request.POST or None, initial=initial, for_family=concern.from_portal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            concerns.triage_concern(concern=concern, actor=request.user, **data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"The concern about {concern.pupil} is closed: {concern.get_outcome_display().lower()}."
            )
            referral = concern.referrals.order_by("-pk").first() if concern.outcome == "refer" else None
            if referral is not None:  # the draft referral the outcome opened: consent is its next step
                return redirect("register:referral_detail", pk=referral.pk)
            return redirect("register:concern_queue")
    else:
        audit.record(
            actor=request.user, action=audit.Action.VIEW, obj=concern, pupil_id=concern.pupil_id, request=request
        )
    files, file_count = _attachments(request, concern)
    return render(
        request,
        "register/concerns/triage.html",
        {
            "concern": concern,
            "form": form,
            "entry": entry,
            "files": files,
            "file_count": file_count,
            "need_labels": dict(NeedType.choices),
            "default_replies": default_reply_words() if concern.from_portal else {},
        },
    )
