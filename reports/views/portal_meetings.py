"""The parent portal's meetings: a parent says they will come, or asks the school to move a meeting.

Own children only (404 otherwise, and for another trust); every read and write audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pupils.meeting_replies import MeetingRef, attach_replies, reply_problems, reply_to_meeting
from pupils.models import Pupil
from trusts import audit
from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from ..portal_forms import MeetingReplyForm
from .portal import _child


def meetings_of(pupil: Pupil, parent: object) -> list[MeetingRef]:
    """Every meeting of the child a parent sees, with this parent's answers (a fixed number of queries)."""
    from graduated.queries import meetings_for_parent as support_meetings
    from reviews.queries import meetings_for_parent as review_meetings

    return attach_replies([*review_meetings(pupil), *support_meetings(pupil)], parent)  # type: ignore[arg-type]


def _meeting(pupil: Pupil, parent: object, kind: str, meeting_id: int) -> MeetingRef:
    meeting = next(
        (m for m in meetings_of(pupil, parent) if m.subject_type == kind and m.subject_id == meeting_id), None
    )
    if meeting is None or kind == "parent_meeting":
        raise Http404
    return meeting


@login_required
def portal_meeting_reply(request: AuthedRequest, pk: int, kind: str, meeting_id: int) -> HttpResponse:
    """GET: the meeting and the form; POST: save the answer and go back to the child's page."""
    if not can(request.user, "portal.meetings.reply"):
        raise Http404
    pupil = _child(request, pk)
    meeting = _meeting(pupil, request.user, kind, meeting_id)
    initial = {}
    if meeting.reply_is_current and meeting.reply is not None:
        initial = {"answer": meeting.reply.answer, "reason": meeting.reply.reason, "suits": meeting.reply.suits}
    form = MeetingReplyForm(request.POST if request.method == "POST" else None, initial=initial)
    closed = reply_problems(meeting=meeting, answer="coming", reason="", suits="").get("")
    if request.method == "POST" and form.is_valid():
        try:
            reply_to_meeting(
                parent=request.user,
                meeting=meeting,
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["reason"],
                suits=form.cleaned_data["suits"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Thank you. The school knows you will come."
                if form.cleaned_data["answer"] == "coming"
                else "Thank you. The school will get in touch about a new date.",
            )
            return redirect(reverse("reports:portal_child", kwargs={"pk": pupil.pk}) + "#meetings")
    if request.method == "GET":
        audit.record(
            actor=request.user,
            action=audit.Action.VIEW,
            obj=pupil,
            pupil_id=pupil.pk,
            summary=f"Parent portal: {meeting.title[:1].lower() + meeting.title[1:]} on {meeting.date:%-d %B %Y}",
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reports/portal/meeting_reply.html",
        {"pupil": pupil, "meeting": meeting, "form": form, "closed": closed},
        status=status,
    )
