"""A person's notifications: the list, opening one, marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import queries, services
from ..email import undelivered_for
from ..http import AuthedRequest
from ..permissions import can


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    if request.user.trust_id is None:
        raise Http404
    page = Paginator(queries.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    undelivered = list(undelivered_for(request.user)[:20]) if can(request.user, "casework.view") else []
    return render(request, "trusts/notifications.html", {"page": page, "undelivered": undelivered})


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(queries.notifications_for(request.user), pk=pk)
    services.mark_read(notification=note)
    return redirect(note.link or "trusts:notifications")


@login_required
@require_POST
def notifications_read_all(request: AuthedRequest) -> HttpResponse:
    if request.user.trust_id is None:
        raise Http404
    count = services.mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("trusts:notifications")
