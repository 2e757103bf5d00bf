"""The parent portal: own children only, plain words, only what the school shared; every view audited.

Parents read here; the one thing they write is their answer to a meeting (`portal_meetings`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from pupils.models import Pupil
from pupils.queries import children_of
from register.models import SenStatus
from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can

PLAIN_STATUS = {
    SenStatus.NONE: "{name} is not on the school's list of children who get extra help (the SEN register).",
    SenStatus.MONITORING: "The school is keeping a closer eye on how {name} is getting on. "
    "This is not SEN support, but the school will tell you if that changes.",
    SenStatus.SEN_SUPPORT: "{name} gets SEN support. This means extra help that the school plans with you. "
    "The school checks often to see if it is working.",
    SenStatus.EHC_PLAN: "{name} has an Education, Health and Care plan (EHC plan). This is a legal paper "
    "from the local council. It says what help {name} must get.",
}


def _children(request: AuthedRequest) -> list[Pupil]:
    if not can(request.user, "portal.view"):
        raise Http404
    return list(children_of(request.user).select_related("school", "register_entry").order_by("legal_forename"))


def child_summary(pupil: Pupil) -> dict[str, Any]:
    """What a parent may read about their child: nothing marked staff-only."""
    from ehcp.queries import ehc_plan_for_parent
    from graduated.queries import plan_for_parent, support_reviews_for_parent
    from pupils.documents import documents_shared_with_parents
    from reviews.queries import next_review_for_parent, review_summaries_for_parent

    entry = getattr(pupil, "register_entry", None)
    status = entry.status if entry else SenStatus.NONE
    return {
        "pupil": pupil,
        "status_words": PLAIN_STATUS[SenStatus(status)].format(name=pupil.forename),
        "status": status,
        "plan": plan_for_parent(pupil),
        "ehc_plan": ehc_plan_for_parent(pupil),
        "next_review": next_review_for_parent(pupil),
        "reviews": review_summaries_for_parent(pupil),
        "support_reviews": support_reviews_for_parent(pupil),
        "documents": documents_shared_with_parents(pupil),
    }


def _child(request: AuthedRequest, pk: int) -> Pupil:
    pupil = next((c for c in _children(request) if c.pk == pk), None)
    if pupil is None:
        raise Http404
    return pupil


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_safe
def portal_home(request: AuthedRequest) -> HttpResponse:
    children = _children(request)
    for child in children:
        audit.record(
            actor=request.user, action=audit.Action.VIEW, obj=child, pupil_id=child.pk, summary="Parent portal"
        )
    return render(request, "reports/portal/home.html", {"children": children, "plain": PLAIN_STATUS})


@login_required
@require_safe
def portal_child(request: AuthedRequest, pk: int) -> HttpResponse:
    children = _children(request)
    pupil = next((c for c in children if c.pk == pk), None)
    if pupil is None:
        raise Http404
    from ehcp.parent_dates import parent_dates_for
    from pupils.contributions import documents_for_parent, portal_views
    from pupils.models import Document
    from pupils.parents import wants_large_print

    from .portal_meetings import meetings_of

    audit.record(actor=request.user, action=audit.Action.VIEW, obj=pupil, pupil_id=pupil.pk, summary="Parent portal")
    from register.concern_queries import family_concerns_of

    from ..delivery import family_delivery

    meetings = meetings_of(pupil, request.user)
    summary = child_summary(pupil)
    context = summary | {
        "large_print": wants_large_print(user=request.user, pupil=pupil),
        "family_concerns": family_concerns_of(request.user, pupil),
        "may_raise_concern": can(request.user, "portal.concern"),
        "upcoming_meetings": [m for m in meetings if m.answerable],
        "past_meetings": [m for m in meetings if m.held and m.shared_notes],
        "your_dates": parent_dates_for(pupil),
        "delivery": family_delivery(pupil) if summary["ehc_plan"] else None,
    }
    # Parents' views before a review, and the reports this parent added (reports/portal/_views.html).
    own_reports = documents_for_parent(pupil=pupil, user=request.user).filter(category=Document.Category.FROM_PARENT)
    context |= {"views": portal_views(pupil=pupil, user=request.user), "own_reports": list(own_reports)}
    return render(request, "reports/portal/child.html", context)


@login_required
@require_safe
def portal_document(request: AuthedRequest, pk: int, document_id: int) -> FileResponse:
    from pupils.contributions import documents_for_parent

    children = _children(request)
    pupil = next((c for c in children if c.pk == pk), None)
    if pupil is None:
        raise Http404
    # What the school shared, and the reports this parent added themselves (never another parent's).
    document = get_object_or_404(documents_for_parent(pupil=pupil, user=request.user), pk=document_id)
    audit.record(
        actor=request.user, action=audit.Action.DOWNLOAD, obj=document, pupil_id=pupil.pk, summary="Parent portal"
    )
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def portal_plan_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The child's SEN support plan, in large print when this parent asked for it (pupils.Contact.large_print)."""
    from graduated.pdf import render_support_plan_pdf
    from graduated.queries import plan_for_parent
    from pupils.parents import wants_large_print

    pupil = _child(request, pk)
    if plan_for_parent(pupil) is None:
        raise Http404
    large = wants_large_print(user=request.user, pupil=pupil)
    pdf = render_support_plan_pdf(pupil, large_print=large)
    audit.record(
        actor=request.user,
        action=audit.Action.DOWNLOAD,
        obj=pupil,
        pupil_id=pupil.pk,
        summary="Parent portal: SEN support plan (PDF" + (", large print)" if large else ")"),
    )
    return _pdf_response(pdf, f"{pupil.forename} SEN support plan.pdf".replace('"', ""))


@login_required
@require_safe
def portal_review_pdf(request: AuthedRequest, pk: int, review_id: int) -> HttpResponse:
    """The report of a completed annual review, in large print when this parent asked for it."""
    from pupils.parents import wants_large_print
    from reviews.pdf import render_review_pdf
    from reviews.queries import completed_review_for_parent

    pupil = _child(request, pk)
    review = completed_review_for_parent(pupil=pupil, pk=review_id)
    if review is None:
        raise Http404
    large = wants_large_print(user=request.user, pupil=pupil)
    pdf = render_review_pdf(review, large_print=large)
    audit.record(
        actor=request.user,
        action=audit.Action.DOWNLOAD,
        obj=review,
        pupil_id=pupil.pk,
        summary="Parent portal: annual review report (PDF" + (", large print)" if large else ")"),
    )
    return _pdf_response(pdf, f"{pupil.forename} annual review report.pdf".replace('"', ""))


@login_required
@require_POST
def portal_large_print(request: AuthedRequest) -> HttpResponse:
    """A parent chooses large print (or standard print) for every document the school gives them."""
    from pupils.parents import set_own_large_print

    _children(request)  # parents only: anyone else gets 404
    choice = request.POST.get("large_print")
    if choice not in {"on", "off"}:
        messages.error(request, "Choose large print or standard print.")
    else:
        set_own_large_print(user=request.user, large_print=choice == "on")
        size = "large print" if choice == "on" else "standard print"
        messages.success(request, f"Your documents will come in {size}.")
    return redirect("reports:portal")
